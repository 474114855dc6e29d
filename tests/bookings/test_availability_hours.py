"""Slot computation from a consultant's hours: weekly ranges, date overrides, time
off, the slot grid, and the next free slot.

Explicit tables with the UTC instants each case must give."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bookings.availability import (
    Busy,
    DateOverride,
    Policy,
    TimeOff,
    TimeRange,
    WeeklyHours,
    free_slots,
    is_slot_free,
    next_available,
    time_off_for_dates,
)
from tests.helpers.availability import (
    BERLIN,
    LONG_AGO,
    OPEN,
    every,
    every_day,
    hours,
    schedule,
    starts_on,
    utc,
)

# --- overrides and time off -----------------------------------------------------------

WEEKDAYS = WeeklyHours(dict.fromkeys(range(5), (hours("09:00", "17:00"),)))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 1), every(utc(2026, 12, 1, 13), 2)),  # replaced: 13:00-14:00
        (date(2026, 12, 2), []),  # day off
        (date(2026, 12, 3), every(utc(2026, 12, 3, 9), 16)),  # no override
        (date(2026, 12, 5), every(utc(2026, 12, 5, 10), 2)),  # Saturday, extra hours
        (date(2026, 12, 6), []),  # Sunday, no hours
    ],
)
def test_free_slots_overrides_replace_weekly_hours(
    day: date, expected: list[datetime]
) -> None:
    consultant = schedule(
        weekly=WEEKDAYS,
        overrides=(
            DateOverride(date(2026, 12, 1), (hours("13:00", "14:00"),)),
            DateOverride(date(2026, 12, 2), ()),
            DateOverride(date(2026, 12, 5), (hours("10:00", "11:00"),)),
        ),
    )

    assert starts_on(consultant, day) == expected


def test_weekly_hours_monday_is_zero() -> None:
    consultant = schedule(weekly=WeeklyHours({0: (hours("09:00", "10:00"),)}))

    assert starts_on(consultant, date(2026, 11, 29)) == []  # Sunday
    assert starts_on(consultant, date(2026, 11, 30)) == every(utc(2026, 11, 30, 9), 2)
    assert starts_on(consultant, date(2026, 12, 1)) == []  # Tuesday


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (
            date(2026, 12, 2),
            date(2026, 12, 3),
            TimeOff(utc(2026, 12, 1, 23), utc(2026, 12, 3, 23)),
        ),
        # A 23-hour and a 25-hour day.
        (
            date(2026, 3, 29),
            date(2026, 3, 29),
            TimeOff(utc(2026, 3, 28, 23), utc(2026, 3, 29, 22)),
        ),
        (
            date(2026, 10, 25),
            date(2026, 10, 25),
            TimeOff(utc(2026, 10, 24, 22), utc(2026, 10, 25, 23)),
        ),
    ],
)
def test_time_off_for_dates_local_midnight_to_midnight(
    first: date, last: date, expected: TimeOff
) -> None:
    assert time_off_for_dates(first, last, BERLIN) == expected


def test_time_off_for_dates_last_before_first_is_rejected() -> None:
    with pytest.raises(ValueError, match="before first"):
        time_off_for_dates(date(2026, 12, 3), date(2026, 12, 2), BERLIN)


def test_free_slots_time_off_range_of_dates() -> None:
    holiday = time_off_for_dates(date(2026, 12, 2), date(2026, 12, 3), BERLIN)
    consultant = schedule(BERLIN, time_off=(holiday,))

    days = [date(2026, 12, 1) + timedelta(days=n) for n in range(4)]

    assert [len(starts_on(consultant, day)) for day in days] == [16, 0, 0, 16]


def test_free_slots_time_off_datetime_range() -> None:
    dentist = TimeOff(
        datetime(2026, 12, 1, 10, 15, tzinfo=BERLIN),
        datetime(2026, 12, 1, 11, tzinfo=BERLIN),
    )
    consultant = schedule(BERLIN, time_off=(dentist,))

    starts = starts_on(consultant, date(2026, 12, 1))

    assert dentist.start == utc(2026, 12, 1, 9, 15)
    assert utc(2026, 12, 1, 8, 30) in starts  # 09:30-10:00 ends before
    assert utc(2026, 12, 1, 9) not in starts  # 10:00-10:30 overlaps
    assert utc(2026, 12, 1, 9, 30) not in starts  # 10:30-11:00 overlaps
    assert utc(2026, 12, 1, 10) in starts  # 11:00 starts as it ends
    assert len(starts) == 14


# --- ranges and the slot grid ---------------------------------------------------------


@pytest.mark.parametrize(
    ("ranges", "policy", "expected"),
    [
        (
            (hours("13:00", "17:00"), hours("09:00", "12:00")),  # given out of order
            OPEN,
            [*every(utc(2026, 12, 1, 9), 6), *every(utc(2026, 12, 1, 13), 8)],
        ),
        ((hours("09:15", "10:15"),), OPEN, every(utc(2026, 12, 1, 9, 15), 2)),
        (
            (hours("09:00", "10:30"),),
            Policy(meeting_minutes=45, minimum_notice_minutes=0, horizon_days=3650),
            every(utc(2026, 12, 1, 9), 2),
        ),
        (
            (hours("09:00", "10:00"), hours("10:00", "11:00")),  # touching
            OPEN,
            every(utc(2026, 12, 1, 9), 4),
        ),
        ((hours("22:00", "00:00"),), OPEN, every(utc(2026, 12, 1, 22), 4)),
        ((hours("00:00", "00:00"),), OPEN, every(utc(2026, 12, 1), 48)),
        (
            (hours("09:00", "10:00"),),
            Policy(
                slot_interval_minutes=15, minimum_notice_minutes=0, horizon_days=3650
            ),
            every(utc(2026, 12, 1, 9), 3, minutes=15),
        ),
    ],
)
def test_free_slots_ranges_of_a_day(
    ranges: tuple[TimeRange, ...], policy: Policy, expected: list[datetime]
) -> None:
    consultant = schedule(weekly=every_day(*ranges))

    assert starts_on(consultant, date(2026, 12, 1), policy) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (utc(2026, 12, 1, 9, 30), True),
        (datetime(2026, 12, 1, 10, 30, tzinfo=BERLIN), True),  # same instant
        (utc(2026, 12, 1, 9, 10), False),  # off the grid
        (utc(2026, 12, 1, 9, 30, 1), False),  # off the grid by a second
        (utc(2026, 12, 1, 16, 30), True),  # last start
        (utc(2026, 12, 1, 17), False),  # would end after the hours
        (utc(2026, 12, 1, 8, 30), False),  # before the hours
    ],
)
def test_is_slot_free_working_grid(start: datetime, expected: bool) -> None:
    assert is_slot_free(schedule(), OPEN, start, LONG_AGO) is expected


def test_is_slot_free_reschedule_leaves_own_booking_out() -> None:
    own = Busy(utc(2026, 12, 1, 10), utc(2026, 12, 1, 10, 30))

    assert not is_slot_free(schedule(busy=(own,)), OPEN, own.start, LONG_AGO)
    assert is_slot_free(schedule(busy=()), OPEN, own.start, LONG_AGO)


# --- next available -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "expected_start"),
    [
        (utc(2026, 12, 1), utc(2026, 12, 1, 9)),
        (utc(2026, 12, 1, 9), utc(2026, 12, 1, 9)),  # a start at `after` counts
        (utc(2026, 12, 1, 9, 1), utc(2026, 12, 1, 9, 30)),
        (utc(2026, 12, 1, 10), None),
    ],
)
def test_next_available(after: datetime, expected_start: datetime | None) -> None:
    slots = free_slots(
        [schedule()], OPEN, LONG_AGO, utc(2026, 12, 1), utc(2026, 12, 1, 10)
    )

    found = next_available(slots, after)

    assert (found.start if found else None) == expected_start
