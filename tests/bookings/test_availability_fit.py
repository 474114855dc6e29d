"""``meeting_fit``: whether one meeting at a fixed time fits a schedule, and why not.

Pure: tables of UTC instants, and agreement with ``is_slot_free`` on the booking grid."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bookings.availability import (
    Busy,
    DateOverride,
    Misfit,
    Policy,
    TimeOff,
    is_slot_free,
    meeting_fit,
)
from tests.helpers.availability import (
    LONG_AGO,
    NEW_YORK,
    OPEN,
    every,
    every_day,
    hours,
    schedule,
    utc,
)

HALF_HOUR = timedelta(minutes=30)
BUFFERED = Policy(
    buffer_before_minutes=10,
    buffer_after_minutes=15,
    minimum_notice_minutes=0,
    horizon_days=3650,
    max_per_day=3,
)


def misfit(consultant, start, policy=OPEN, **kwargs):
    return meeting_fit(consultant, policy, start, start + HALF_HOUR, **kwargs).misfit


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (utc(2026, 12, 1, 9), None),
        # Off the half-hour grid a client picks from: a fixed meeting may be anywhere.
        (utc(2026, 12, 1, 9, 10), None),
        (utc(2026, 12, 1, 16, 30), None),
        (utc(2026, 12, 1, 16, 31), Misfit.OUTSIDE_HOURS),
        (utc(2026, 12, 1, 8, 59), Misfit.OUTSIDE_HOURS),
    ],
)
def test_meeting_fit_in_the_hours(start, expected):
    assert misfit(schedule(), start) == expected


def test_meeting_fit_says_time_off_day_off_and_a_shorter_day():
    consultant = schedule(
        time_off=(TimeOff(utc(2026, 12, 1, 12), utc(2026, 12, 1, 13)),),
        overrides=(
            DateOverride(date(2026, 12, 2), ()),
            DateOverride(date(2026, 12, 3), (hours("13:00", "17:00"),)),
        ),
    )

    assert misfit(consultant, utc(2026, 12, 1, 12, 45)) == Misfit.TIME_OFF
    assert misfit(consultant, utc(2026, 12, 1, 13)) is None
    assert misfit(consultant, utc(2026, 12, 2, 10)) == Misfit.DAY_OFF
    assert misfit(consultant, utc(2026, 12, 3, 10)) == Misfit.OUTSIDE_DATE_HOURS
    assert misfit(consultant, utc(2026, 12, 3, 13)) is None


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # The call 10:00-10:30 occupies 09:50-10:45 with these buffers.
        (utc(2026, 12, 1, 10, 15), Misfit.OVERLAP),
        (utc(2026, 12, 1, 9, 5), None),  # occupies 08:55-09:50: touches
        (utc(2026, 12, 1, 9, 6), Misfit.BUFFER),
        (utc(2026, 12, 1, 10, 54), Misfit.BUFFER),
        (utc(2026, 12, 1, 10, 55), None),
    ],
)
def test_meeting_fit_buffers_as_the_exclusion_constraint_counts_them(start, expected):
    consultant = schedule(busy=(Busy(utc(2026, 12, 1, 10), utc(2026, 12, 1, 10, 30)),))

    assert misfit(consultant, start, BUFFERED) == expected


def test_meeting_fit_daily_limit_counts_calls_held_and_to_come():
    consultant = schedule(
        busy=(Busy(utc(2026, 12, 1, 9), utc(2026, 12, 1, 9, 30)),),
        held=(
            Busy(utc(2026, 12, 1, 11), utc(2026, 12, 1, 11, 30)),
            Busy(utc(2026, 12, 1, 12), utc(2026, 12, 1, 12, 30)),
        ),
    )

    assert misfit(consultant, utc(2026, 12, 1, 15), BUFFERED) == Misfit.OVER_DAILY_LIMIT
    assert misfit(consultant, utc(2026, 12, 2, 15), BUFFERED) is None


def test_a_booked_call_is_weighed_only_against_the_calls_before_it():
    first = Busy(utc(2026, 12, 1, 9), utc(2026, 12, 1, 9, 30))
    second = Busy(utc(2026, 12, 1, 9, 30), utc(2026, 12, 1, 10))
    consultant = schedule(busy=(first, second))

    assert misfit(consultant, first.start, BUFFERED, own=first) is None
    assert misfit(consultant, second.start, BUFFERED, own=second) == Misfit.BUFFER


def test_meeting_fit_on_a_spring_forward_day_measures_the_hours_in_real_time():
    # New York, Sunday 14 March 2027: 02:00 EST jumps to 03:00 EDT (07:00 UTC).
    # 01:00-04:00 local is 06:00-08:00 UTC: two real hours.
    consultant = schedule(NEW_YORK, every_day(hours("01:00", "04:00")))

    assert misfit(consultant, utc(2027, 3, 14, 6)) is None
    assert misfit(consultant, utc(2027, 3, 14, 7, 30)) is None
    assert misfit(consultant, utc(2027, 3, 14, 7, 31)) == Misfit.OUTSIDE_HOURS


def test_meeting_fit_agrees_with_is_slot_free_on_every_grid_start():
    consultant = schedule(
        time_off=(TimeOff(utc(2026, 12, 1, 13), utc(2026, 12, 1, 14)),),
        busy=(
            Busy(utc(2026, 12, 1, 10), utc(2026, 12, 1, 10, 30)),
            Busy(utc(2026, 12, 1, 15), utc(2026, 12, 1, 15, 30)),
        ),
    )
    policy = Policy(
        buffer_before_minutes=10,
        buffer_after_minutes=15,
        minimum_notice_minutes=0,
        horizon_days=3650,
        slot_interval_minutes=5,
    )
    for start in every(utc(2026, 12, 1, 8), 12 * 12, minutes=5):
        fits = misfit(consultant, start, policy) is None
        assert fits == is_slot_free(consultant, policy, start, LONG_AGO), start
