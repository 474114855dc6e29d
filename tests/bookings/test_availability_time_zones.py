"""Slot computation across time zones: hours stay local through daylight-saving
changes and in zones off the hour, and the client's day is not the consultant's.

Explicit tables with the UTC instants each case must give."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import pytest

from bookings.availability import (
    Policy,
    Slot,
    group_by_local_date,
    is_slot_free,
    slots_for_consultant,
)
from tests.helpers.availability import (
    BERLIN,
    CHATHAM,
    KATHMANDU,
    KOLKATA,
    LONG_AGO,
    LOS_ANGELES,
    NEW_YORK,
    OPEN,
    ST_JOHNS,
    TOKYO,
    ZONE_UTC,
    every,
    every_day,
    hours,
    schedule,
    starts_on,
    utc,
)

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


# --- DST: working hours stay local ----------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "day", "first_utc"),
    [
        (BERLIN, date(2026, 3, 28), utc(2026, 3, 28, 8)),  # CET, +01:00
        (BERLIN, date(2026, 3, 29), utc(2026, 3, 29, 7)),  # spring forward: CEST
        (BERLIN, date(2026, 10, 24), utc(2026, 10, 24, 7)),  # CEST, +02:00
        (BERLIN, date(2026, 10, 25), utc(2026, 10, 25, 8)),  # fall back: CET
        (NEW_YORK, date(2026, 3, 7), utc(2026, 3, 7, 14)),  # EST, -05:00
        (NEW_YORK, date(2026, 3, 8), utc(2026, 3, 8, 13)),  # spring forward: EDT
        (NEW_YORK, date(2026, 10, 31), utc(2026, 10, 31, 13)),  # EDT, -04:00
        (NEW_YORK, date(2026, 11, 1), utc(2026, 11, 1, 14)),  # fall back: EST
    ],
)
def test_free_slots_nine_to_five_stays_local_across_dst(
    tz: ZoneInfo, day: date, first_utc: datetime
) -> None:
    assert starts_on(schedule(tz), day) == every(first_utc, 16)


@pytest.mark.parametrize(
    ("tz", "day", "expected"),
    [
        # 02:00 CET jumps to 03:00 CEST: 02:00 and 02:30 do not exist.
        (
            BERLIN,
            date(2026, 3, 29),
            [*every(utc(2026, 3, 28, 23), 4), *every(utc(2026, 3, 29, 1), 2)],
        ),
        # 03:00 CEST falls back to 02:00 CET: 02:00-02:59 happens twice; only the first
        # occurrence is offered, so nothing starts 01:00-02:00 UTC.
        (
            BERLIN,
            date(2026, 10, 25),
            [*every(utc(2026, 10, 24, 22), 6), *every(utc(2026, 10, 25, 2), 2)],
        ),
        # 02:00 EST jumps to 03:00 EDT.
        (
            NEW_YORK,
            date(2026, 3, 8),
            [*every(utc(2026, 3, 8, 5), 4), *every(utc(2026, 3, 8, 7), 2)],
        ),
        # 02:00 EDT falls back to 01:00 EST: 01:00-01:59 happens twice.
        (
            NEW_YORK,
            date(2026, 11, 1),
            [*every(utc(2026, 11, 1, 4), 4), *every(utc(2026, 11, 1, 7), 4)],
        ),
    ],
)
def test_free_slots_night_hours_on_dst_change_days(
    tz: ZoneInfo, day: date, expected: list[datetime]
) -> None:
    consultant = schedule(tz, every_day(hours("00:00", "04:00")))

    assert starts_on(consultant, day) == expected


def test_free_slots_range_ending_in_gap_ends_when_the_clock_jumps() -> None:
    # 00:00-02:30 on the spring-forward day: 02:30 does not exist; work ends at the jump
    # (01:00 UTC), so a 45-minute meeting may start at 01:15 CET (00:15 UTC) at the latest.
    consultant = schedule(BERLIN, every_day(hours("00:00", "02:30")))
    policy = Policy(
        meeting_minutes=45,
        slot_interval_minutes=15,
        minimum_notice_minutes=0,
        horizon_days=3650,
    )

    assert starts_on(consultant, date(2026, 3, 29), policy) == every(
        utc(2026, 3, 28, 23), 6, minutes=15
    )
    assert is_slot_free(consultant, policy, utc(2026, 3, 29, 0, 15), LONG_AGO)
    assert not is_slot_free(consultant, policy, utc(2026, 3, 29, 0, 30), LONG_AGO)


def test_free_slots_range_starting_in_gap_starts_after_the_jump() -> None:
    consultant = schedule(BERLIN, every_day(hours("02:30", "04:00")))

    assert starts_on(consultant, date(2026, 3, 29)) == [
        utc(2026, 3, 29, 1),
        utc(2026, 3, 29, 1, 30),
    ]


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (utc(2026, 11, 1, 5), True),  # 01:00 EDT, first occurrence
        (utc(2026, 11, 1, 5, 30), True),  # 01:30 EDT
        (utc(2026, 11, 1, 6), False),  # 01:00 EST, second occurrence
        (utc(2026, 11, 1, 6, 30), False),  # 01:30 EST
        (utc(2026, 11, 1, 7), True),  # 02:00 EST
    ],
)
def test_is_slot_free_repeated_hour_only_first_occurrence(
    start: datetime, expected: bool
) -> None:
    consultant = schedule(NEW_YORK, every_day(hours("00:00", "04:00")))

    assert is_slot_free(consultant, OPEN, start, LONG_AGO) is expected


# --- zones off the hour ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "first_utc"),
    [
        (KOLKATA, utc(2026, 12, 1, 3, 30)),  # +05:30
        (KATHMANDU, utc(2026, 12, 1, 3, 15)),  # +05:45
        (CHATHAM, utc(2026, 11, 30, 19, 15)),  # +13:45 (southern summer time)
        (ST_JOHNS, utc(2026, 12, 1, 12, 30)),  # -03:30
    ],
)
def test_free_slots_zone_off_the_hour(tz: ZoneInfo, first_utc: datetime) -> None:
    assert starts_on(schedule(tz), date(2026, 12, 1)) == every(first_utc, 16)


# --- the client's day is not the consultant's day -------------------------------------


def test_group_by_local_date_client_day_differs_from_consultant_day() -> None:
    # 06:00-09:00 in Los Angeles (-08:00) is 23:00-02:00 in Tokyo (+09:00), a day later.
    consultant = schedule(LOS_ANGELES, every_day(hours("06:00", "09:00")))
    slots = slots_for_consultant(
        consultant,
        OPEN,
        LONG_AGO,
        datetime(2026, 12, 1, tzinfo=LOS_ANGELES),
        datetime(2026, 12, 2, tzinfo=LOS_ANGELES),
    )
    starts = every(utc(2026, 12, 1, 14), 6)

    assert [slot.start for slot in slots] == starts
    assert {
        day: [slot.start for slot in day_slots]
        for day, day_slots in group_by_local_date(slots, TOKYO).items()
    } == {date(2026, 12, 1): starts[:2], date(2026, 12, 2): starts[2:]}
    assert list(group_by_local_date(slots, LOS_ANGELES)) == [date(2026, 12, 1)]


def test_group_by_local_date_sorts_dates_and_slots() -> None:
    late = Slot(utc(2026, 12, 2, 10), utc(2026, 12, 2, 10, 30), ("a",))
    early = Slot(utc(2026, 12, 1, 10), utc(2026, 12, 1, 10, 30), ("a",))
    earlier = Slot(utc(2026, 12, 1, 9), utc(2026, 12, 1, 9, 30), ("a",))

    assert group_by_local_date([late, early, earlier], ZONE_UTC) == {
        date(2026, 12, 1): [earlier, early],
        date(2026, 12, 2): [late],
    }
