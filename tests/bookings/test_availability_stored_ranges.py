"""Free slots against bookings' stored blocked ranges, checked by an independent oracle.

The database's exclusion constraint compares the ranges bookings stored when they were
made (their meeting plus that day's buffers). Whatever today's buffers are, a start is
offered exactly when a booking there, its range taken with today's buffers, overlaps
neither a stored range nor an existing meeting with today's buffers, and the other
rules (hours, time off, notice, horizon, daily cap) allow it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookings.availability import Busy, ConsultantSchedule, free_slots, is_slot_free
from tests.bookings.test_availability_properties import (
    GRID,
    _floor_to_grid,
    _in_working_hours,
    _overlaps,
    cases,
)

NINE = datetime(2027, 3, 2, 9, tzinfo=UTC)


@st.composite
def stored_cases(draw: st.DrawFn):
    schedule, policy, now = draw(cases())
    # Each booking stored its own buffers: what the policy said the day it was made.
    busy = tuple(
        Busy(
            b.start,
            b.end,
            b.start - GRID * draw(st.integers(0, 6)),
            b.end + GRID * draw(st.integers(0, 6)),
        )
        for b in schedule.busy
    )
    stored = ConsultantSchedule(
        key=schedule.key,
        tz=schedule.tz,
        weekly=schedule.weekly,
        overrides=schedule.overrides,
        time_off=schedule.time_off,
        busy=busy,
    )
    return stored, policy, now


def _oracle(schedule, policy, now, start) -> bool:
    meeting = timedelta(minutes=policy.meeting_minutes)
    before = timedelta(minutes=policy.buffer_before_minutes)
    after = timedelta(minutes=policy.buffer_after_minutes)
    if not (
        now + timedelta(minutes=policy.minimum_notice_minutes)
        <= start
        < now + timedelta(days=policy.horizon_days)
    ):
        return False
    if not _in_working_hours(schedule, policy, start):
        return False
    end = start + meeting
    for off in schedule.time_off:
        if _overlaps(start, end, off.start, off.end):
            return False
    for b in schedule.busy:
        # The constraint: this booking's range against the one stored.
        if _overlaps(start - before, end + after, b.blocked_start, b.blocked_end):
            return False
        # The policy of today: both meetings with today's buffers.
        if _overlaps(start - before, end + after, b.start - before, b.end + after):
            return False
    if policy.max_per_day is not None:
        day = start.astimezone(schedule.tz).date()
        same_day = [
            b for b in schedule.busy if b.start.astimezone(schedule.tz).date() == day
        ]
        if len(same_day) >= policy.max_per_day:
            return False
    return True


@settings(max_examples=300, deadline=None)
@given(stored_cases())
def test_a_start_is_offered_exactly_when_a_booking_there_passes_the_constraint(case):
    schedule, policy, now = case
    offered = {slot.start for slot in free_slots([schedule], policy, now)}

    instant = _floor_to_grid(now) - timedelta(hours=1)
    latest = now + timedelta(days=policy.horizon_days) + timedelta(hours=1)
    while instant < latest:
        expected = _oracle(schedule, policy, now, instant)
        assert (instant in offered) is expected
        assert is_slot_free(schedule, policy, instant, now) is expected
        instant += GRID


def test_a_booking_with_no_stored_range_stores_its_meeting():
    busy = Busy(NINE, NINE + timedelta(minutes=30))

    assert (busy.blocked_start, busy.blocked_end) == (busy.start, busy.end)


def test_a_stored_range_must_contain_the_meeting():
    with pytest.raises(ValueError, match="does not contain the meeting"):
        Busy(NINE, NINE + timedelta(minutes=30), NINE + timedelta(minutes=5))
