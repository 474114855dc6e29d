"""The free slots nearest a wanted time, found in widening windows (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookings.availability import Slot, free_slots, nearest, slots_near
from tests.bookings.test_availability_properties import cases

T = datetime(2027, 3, 2, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def slot(offset: timedelta) -> Slot:
    return Slot(T + offset, T + offset + timedelta(minutes=30), ("k",))


def test_nearest_takes_both_sides_and_returns_them_in_time_order():
    slots = [slot(-3 * HOUR), slot(-HOUR), slot(2 * HOUR), slot(5 * HOUR)]

    assert nearest(slots, T, limit=3) == [
        slot(-3 * HOUR),
        slot(-HOUR),
        slot(2 * HOUR),
    ]


def test_nearest_prefers_the_earlier_of_two_equally_close():
    assert nearest([slot(HOUR), slot(-HOUR)], T, limit=1) == [slot(-HOUR)]


def test_slots_near_stops_at_the_first_window_holding_enough():
    everything = [slot(2 * HOUR), slot(3 * HOUR), slot(4 * HOUR), slot(10 * DAY)]
    asked: list[tuple[datetime, datetime]] = []

    def find(low: datetime, high: datetime) -> list[Slot]:
        asked.append((low, high))
        return [s for s in everything if low <= s.start < high]

    found = slots_near(find, T, limit=3, reaches=(DAY, 7 * DAY, 28 * DAY))

    assert found == everything[:3]
    assert asked == [(T - DAY, T + DAY)]


def test_slots_near_widens_only_while_short_and_never_past_the_cap():
    everything = [slot(3 * DAY), slot(20 * DAY), slot(40 * DAY)]
    asked: list[tuple[datetime, datetime]] = []

    def find(low: datetime, high: datetime) -> list[Slot]:
        asked.append((low, high))
        return [s for s in everything if low <= s.start < high]

    found = slots_near(find, T, limit=3, reaches=(DAY, 7 * DAY, 28 * DAY))

    assert found == [slot(3 * DAY), slot(20 * DAY)]
    assert asked == [
        (T - DAY, T + DAY),
        (T - 7 * DAY, T + 7 * DAY),
        (T - 28 * DAY, T + 28 * DAY),
    ]


def test_slots_near_refuses_reaches_that_do_not_ascend():
    with pytest.raises(ValueError, match="reaches must ascend"):
        slots_near(lambda _low, _high: [], T, limit=3, reaches=(7 * DAY, DAY))


@settings(max_examples=200, deadline=None)
@given(
    cases(),
    st.integers(-24 * 60, 4 * 24 * 60),
    st.integers(1, 5),
    st.lists(st.integers(1, 5 * 24 * 60), min_size=1, max_size=4, unique=True),
)
def test_slots_near_is_the_nearest_of_all_when_the_cap_holds_enough(
    case, target_minutes, limit, reach_minutes
):
    schedule, policy, now = case
    target = now + timedelta(minutes=target_minutes)
    reaches = [timedelta(minutes=m) for m in sorted(reach_minutes)]
    everything = free_slots([schedule], policy, now)

    def find(low: datetime, high: datetime) -> list[Slot]:
        return free_slots([schedule], policy, now, low, high)

    found = slots_near(find, target, limit=limit, reaches=reaches)

    cap = reaches[-1]
    within_cap = [s for s in everything if target - cap <= s.start < target + cap]
    if len(within_cap) >= limit:
        assert found == nearest(everything, target, limit=limit)
    else:
        assert found == within_cap
