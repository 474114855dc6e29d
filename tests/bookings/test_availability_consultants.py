"""Slot computation for several consultants: the union of their slots, with the
keys of those free at each."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bookings.availability import Busy, free_slots
from tests.helpers.availability import (
    BERLIN,
    KATHMANDU,
    LONG_AGO,
    OPEN,
    every_day,
    hours,
    schedule,
    utc,
)


def test_free_slots_union_across_consultants_lists_free_keys() -> None:
    adam = schedule(
        weekly=every_day(hours("09:00", "11:00")),
        key="adam",
        busy=(Busy(utc(2026, 12, 1, 9, 30), utc(2026, 12, 1, 10)),),
    )
    # 10:30-12:30 in Berlin (+01:00) is 09:30-11:30 UTC.
    beth = schedule(BERLIN, every_day(hours("10:30", "12:30")), key="beth")
    day = (utc(2026, 12, 1), utc(2026, 12, 2))

    slots = free_slots([beth, adam], OPEN, LONG_AGO, *day)

    assert [(slot.start, slot.end, slot.consultant_keys) for slot in slots] == [
        (utc(2026, 12, 1, 9), utc(2026, 12, 1, 9, 30), ("adam",)),
        (utc(2026, 12, 1, 9, 30), utc(2026, 12, 1, 10), ("beth",)),
        (utc(2026, 12, 1, 10), utc(2026, 12, 1, 10, 30), ("adam", "beth")),
        (utc(2026, 12, 1, 10, 30), utc(2026, 12, 1, 11), ("adam", "beth")),
        (utc(2026, 12, 1, 11), utc(2026, 12, 1, 11, 30), ("beth",)),
    ]


def test_free_slots_different_grids_stay_separate() -> None:
    berlin = schedule(BERLIN, every_day(hours("09:00", "10:00")), key=1)
    kathmandu = schedule(KATHMANDU, every_day(hours("14:00", "15:00")), key=2)

    slots = free_slots([berlin, kathmandu], OPEN, LONG_AGO, *_day(2026, 12, 1))

    assert [(slot.start, slot.consultant_keys) for slot in slots] == [
        (utc(2026, 12, 1, 8), (1,)),
        (utc(2026, 12, 1, 8, 15), (2,)),
        (utc(2026, 12, 1, 8, 30), (1,)),
        (utc(2026, 12, 1, 8, 45), (2,)),
    ]


def _day(year: int, month: int, day: int) -> tuple[datetime, datetime]:
    return utc(year, month, day), utc(year, month, day) + timedelta(days=1)


def test_free_slots_duplicate_keys_are_rejected() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        free_slots([schedule(key=1), schedule(key=1)], OPEN, LONG_AGO)


def test_free_slots_no_consultants_gives_nothing() -> None:
    assert free_slots([], OPEN, LONG_AGO) == []
