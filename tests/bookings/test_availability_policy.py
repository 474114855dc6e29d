"""Slot computation under the booking policy: buffers, notice, horizon, window and
the cap on calls a day.

Explicit tables with the UTC instants each case must give."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bookings.availability import Busy, Policy, free_slots, is_slot_free
from tests.helpers.availability import (
    LONG_AGO,
    NEW_YORK,
    OPEN,
    every,
    every_day,
    hours,
    schedule,
    starts_on,
    utc,
)

# --- buffers --------------------------------------------------------------------------

BUFFERED = Policy(
    slot_interval_minutes=1,
    buffer_before_minutes=10,
    buffer_after_minutes=15,
    minimum_notice_minutes=0,
    horizon_days=3650,
)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # The booking 10:00-10:30 occupies 09:50-10:45.
        (utc(2026, 12, 1, 9, 5), True),  # occupies 08:55-09:50: touches
        (utc(2026, 12, 1, 9, 6), False),  # 08:56-09:51: one minute over
        (utc(2026, 12, 1, 10, 54), False),  # 10:44-11:39: one minute over
        (utc(2026, 12, 1, 10, 55), True),  # 10:45-11:40: touches
    ],
)
def test_is_slot_free_buffer_boundaries(start: datetime, expected: bool) -> None:
    consultant = schedule(busy=(Busy(utc(2026, 12, 1, 10), utc(2026, 12, 1, 10, 30)),))

    assert is_slot_free(consultant, BUFFERED, start, LONG_AGO) is expected
    assert (start in starts_on(consultant, date(2026, 12, 1), BUFFERED)) is expected


def test_free_slots_buffers_match_occupied_interval_overlap() -> None:
    # The exclusion constraint's rule, evaluated naively for every minute of the day.
    booking = Busy(utc(2026, 12, 1, 12), utc(2026, 12, 1, 12, 30))
    consultant = schedule(busy=(booking,))
    before = timedelta(minutes=BUFFERED.buffer_before_minutes)
    after = timedelta(minutes=BUFFERED.buffer_after_minutes)
    meeting = timedelta(minutes=30)
    day_starts = every(utc(2026, 12, 1, 9), 8 * 60 - 30 + 1, minutes=1)

    expected = [
        start
        for start in day_starts
        if not (
            start - before < booking.end + after
            and booking.start - before < start + meeting + after
        )
    ]

    assert starts_on(consultant, date(2026, 12, 1), BUFFERED) == expected
    assert utc(2026, 12, 1, 11, 5) in expected
    assert utc(2026, 12, 1, 11, 6) not in expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (utc(2026, 12, 1, 9, 30), True),  # ends as the booking starts
        (utc(2026, 12, 1, 9, 31), False),
        (utc(2026, 12, 1, 10, 29), False),
        (utc(2026, 12, 1, 10, 30), True),  # starts as the booking ends
    ],
)
def test_is_slot_free_without_buffers_touching_is_free(
    start: datetime, expected: bool
) -> None:
    consultant = schedule(busy=(Busy(utc(2026, 12, 1, 10), utc(2026, 12, 1, 10, 30)),))
    policy = Policy(
        slot_interval_minutes=1, minimum_notice_minutes=0, horizon_days=3650
    )

    assert is_slot_free(consultant, policy, start, LONG_AGO) is expected


# --- notice, horizon and window -------------------------------------------------------

NOTICE = Policy(minimum_notice_minutes=60, horizon_days=30)


@pytest.mark.parametrize(
    ("now", "first_start"),
    [
        (utc(2026, 12, 1, 7, 59), utc(2026, 12, 1, 9)),
        (utc(2026, 12, 1, 8), utc(2026, 12, 1, 9)),  # exactly the notice: offered
        (datetime(2026, 12, 1, 8, 0, 0, 1, tzinfo=UTC), utc(2026, 12, 1, 9, 30)),
        (utc(2026, 12, 1, 8, 30), utc(2026, 12, 1, 9, 30)),
        (utc(2026, 12, 1, 16), utc(2026, 12, 2, 9)),  # 17:00 would end past the hours
    ],
)
def test_free_slots_minimum_notice_boundary(
    now: datetime, first_start: datetime
) -> None:
    consultant = schedule()
    slots = free_slots([consultant], NOTICE, now)

    assert slots[0].start == first_start
    assert is_slot_free(consultant, NOTICE, first_start, now)
    assert not is_slot_free(
        consultant, NOTICE, first_start - timedelta(minutes=30), now
    )


def test_free_slots_horizon_is_exclusive() -> None:
    consultant = schedule(weekly=every_day(hours("00:00", "00:00")))
    policy = Policy(minimum_notice_minutes=0, horizon_days=1)
    now = utc(2026, 12, 1, 9)

    slots = free_slots([consultant], policy, now)

    assert [slot.start for slot in slots] == every(now, 48)
    assert is_slot_free(consultant, policy, utc(2026, 12, 2, 8, 30), now)
    assert not is_slot_free(consultant, policy, utc(2026, 12, 2, 9), now)


def test_free_slots_window_narrows_starts() -> None:
    slots = free_slots(
        [schedule()], OPEN, LONG_AGO, utc(2026, 12, 1, 10), utc(2026, 12, 1, 12)
    )

    assert [slot.start for slot in slots] == every(utc(2026, 12, 1, 10), 4)


def test_free_slots_empty_window_gives_nothing() -> None:
    assert (
        free_slots([schedule()], OPEN, LONG_AGO, utc(2026, 12, 2), utc(2026, 12, 1))
        == []
    )


# --- max per day ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_per_day", "booking_start", "expected_counts"),
    [
        # 02:00 UTC on 2 Dec is 21:00 on 1 Dec in New York: 1 Dec is full.
        (1, utc(2026, 12, 2, 2), {date(2026, 12, 1): 0, date(2026, 12, 2): 16}),
        # 15:00 UTC on 2 Dec is 10:00 there; the booking also takes its own slots.
        (1, utc(2026, 12, 2, 15), {date(2026, 12, 1): 16, date(2026, 12, 2): 0}),
        (2, utc(2026, 12, 2, 15), {date(2026, 12, 1): 16, date(2026, 12, 2): 15}),
        (None, utc(2026, 12, 2, 2), {date(2026, 12, 1): 16, date(2026, 12, 2): 16}),
        (0, utc(2026, 12, 2, 2), {date(2026, 12, 1): 0, date(2026, 12, 2): 0}),
    ],
)
def test_free_slots_max_per_day_counts_consultant_local_date(
    max_per_day: int | None, booking_start: datetime, expected_counts: dict[date, int]
) -> None:
    booking = Busy(booking_start, booking_start + timedelta(minutes=30))
    consultant = schedule(NEW_YORK, busy=(booking,))
    policy = Policy(
        minimum_notice_minutes=0, horizon_days=3650, max_per_day=max_per_day
    )

    assert {
        day: len(starts_on(consultant, day, policy)) for day in expected_counts
    } == (expected_counts)


def test_is_slot_free_max_per_day_reached() -> None:
    booking = Busy(utc(2026, 12, 2, 2), utc(2026, 12, 2, 2, 30))
    consultant = schedule(NEW_YORK, busy=(booking,))
    policy = Policy(minimum_notice_minutes=0, horizon_days=3650, max_per_day=1)

    assert not is_slot_free(consultant, policy, utc(2026, 12, 1, 14), LONG_AGO)
    assert is_slot_free(consultant, policy, utc(2026, 12, 2, 14), LONG_AGO)


@pytest.mark.parametrize(
    ("max_per_day", "expected_count"),
    # 15:00 UTC on 2 Dec is 10:00 in New York; that call blocks none of the 16 starts.
    [(1, 0), (2, 16)],
)
def test_free_slots_max_per_day_counts_held_calls_that_block_no_time(
    max_per_day: int, expected_count: int
) -> None:
    call = Busy(utc(2026, 12, 2, 15), utc(2026, 12, 2, 15, 30))
    consultant = schedule(NEW_YORK, held=(call,))
    policy = Policy(
        minimum_notice_minutes=0, horizon_days=3650, max_per_day=max_per_day
    )

    assert len(starts_on(consultant, date(2026, 12, 2), policy)) == expected_count
    assert is_slot_free(consultant, policy, utc(2026, 12, 2, 15), LONG_AGO) == bool(
        expected_count
    )
