"""Slot computation's inputs: what each refuses, and how they are normalised."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

import pytest

from bookings.availability import (
    Busy,
    ConsultantSchedule,
    DateOverride,
    Policy,
    TimeOff,
    TimeRange,
    WeeklyHours,
    free_slots,
)
from tests.helpers.availability import BERLIN, OPEN, every_day, hours, schedule, utc

if TYPE_CHECKING:
    from collections.abc import Callable


NAIVE = datetime(2026, 12, 1, 9)  # noqa: DTZ001 - the mistake the module must refuse


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: hours("10:00", "09:00"), ValueError, "not after start"),
        (lambda: hours("09:00", "09:00"), ValueError, "not after start"),
        (lambda: TimeRange(time(9, tzinfo=UTC), time(10)), ValueError, "tzinfo"),
        (lambda: TimeRange("09:00", time(10)), TypeError, "must be a time"),
        (lambda: WeeklyHours({7: ()}), ValueError, "0 \\(Monday\\) to 6 \\(Sunday\\)"),
        (
            lambda: WeeklyHours(
                {0: (hours("09:00", "12:00"), hours("11:00", "13:00"))}
            ),
            ValueError,
            "overlap",
        ),
        (lambda: DateOverride(utc(2026, 12, 1), ()), TypeError, "must be a date"),
        (
            lambda: Busy(NAIVE, utc(2026, 12, 1, 10)),
            ValueError,
            "aware",
        ),
        (
            lambda: Busy(utc(2026, 12, 1, 10), utc(2026, 12, 1, 10)),
            ValueError,
            "not after",
        ),
        (
            lambda: TimeOff(utc(2026, 12, 1, 11), utc(2026, 12, 1, 10)),
            ValueError,
            "after",
        ),
        (lambda: Policy(meeting_minutes=0), ValueError, "meeting_minutes"),
        (lambda: Policy(slot_interval_minutes=True), TypeError, "slot_interval"),
        (lambda: Policy(buffer_after_minutes=-5), ValueError, "buffer_after"),
        (lambda: Policy(max_per_day=-1), ValueError, "max_per_day"),
        (
            lambda: schedule(
                overrides=(
                    DateOverride(date(2026, 12, 1), ()),
                    DateOverride(date(2026, 12, 1), ()),
                )
            ),
            ValueError,
            "two overrides",
        ),
        (
            lambda: ConsultantSchedule("k", "Europe/Berlin", every_day()),
            TypeError,
            "ZoneInfo",
        ),
        (lambda: free_slots([], OPEN, NAIVE), ValueError, "aware"),
    ],
)
def test_inputs_invalid_are_rejected(
    build: Callable[[], object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        build()


def test_inputs_are_normalised_to_utc() -> None:
    busy = Busy(
        datetime(2026, 12, 1, 10, tzinfo=BERLIN),
        datetime(2026, 12, 1, 11, tzinfo=BERLIN),
    )

    assert (busy.start, busy.end) == (utc(2026, 12, 1, 9), utc(2026, 12, 1, 10))
    assert busy.start.tzinfo is UTC


def test_weekly_hours_stores_all_weekdays_sorted() -> None:
    weekly = WeeklyHours({2: [hours("13:00", "14:00"), hours("09:00", "10:00")]})

    assert dict(weekly.by_weekday) == {
        0: (),
        1: (),
        2: (hours("09:00", "10:00"), hours("13:00", "14:00")),
        3: (),
        4: (),
        5: (),
        6: (),
    }
    assert hash(weekly) == hash(
        WeeklyHours({2: (hours("09:00", "10:00"), hours("13:00", "14:00"))})
    )
