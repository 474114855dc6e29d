"""Free slots: one consultant's free starts, merged over consultants into slots.

Each function keeps the package's definitions (see ``bookings.availability``).
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from bookings.availability.inputs import Slot, require_aware
from bookings.availability.wallclock import (
    DAY,
    MIDNIGHT,
    bound_to_utc,
    range_starts,
    wall_to_utc,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from zoneinfo import ZoneInfo

    from bookings.availability.inputs import (
        ConsultantKey,
        ConsultantSchedule,
        Policy,
        TimeRange,
    )

_ZERO = timedelta(0)


# --- one consultant -------------------------------------------------------------------


@dataclass(slots=True)
class _Prepared:
    schedule: ConsultantSchedule
    overrides: dict[date, tuple[TimeRange, ...]]
    # Merged, so sorted and disjoint, with ends ascending too.
    blocked_starts: list[datetime]
    blocked_ends: list[datetime]
    full_days: frozenset[date]
    closed: bool

    def is_full(self, day: date) -> bool:
        return self.closed or day in self.full_days

    def ranges_for(self, day: date) -> tuple[TimeRange, ...]:
        override = self.overrides.get(day)
        if override is not None:
            return override
        return self.schedule.weekly.ranges_for(day)

    def is_blocked(self, start: datetime, end: datetime) -> bool:
        # Of disjoint sorted intervals only the last one starting before `end` can
        # reach past `start`.
        index = bisect.bisect_left(self.blocked_starts, end)
        return index > 0 and self.blocked_ends[index - 1] > start


def _prepare(schedule: ConsultantSchedule, policy: Policy) -> _Prepared:
    before = timedelta(minutes=policy.buffer_before_minutes)
    after = timedelta(minutes=policy.buffer_after_minutes)
    # A candidate [s, e) occupies [s - before, e + after); it conflicts with a booking
    # occupying [os, oe) exactly when [s, e) overlaps [os - after, oe + before): widen
    # each booking once and every candidate needs one plain overlap test.
    intervals = []
    for booking in schedule.busy:
        occupied_start, occupied_end = booking.occupied(before, after)
        intervals.append((occupied_start - after, occupied_end + before))
    intervals.extend((off.start, off.end) for off in schedule.time_off)
    intervals.sort()
    starts: list[datetime] = []
    ends: list[datetime] = []
    for start, end in intervals:
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)

    full_days: frozenset[date] = frozenset()
    if policy.max_per_day:
        zone = schedule.tz
        per_day = Counter(
            b.start.astimezone(zone).date()
            for b in itertools.chain(schedule.busy, schedule.held)
        )
        limit = policy.max_per_day
        full_days = frozenset(day for day, count in per_day.items() if count >= limit)

    return _Prepared(
        schedule=schedule,
        overrides={override.date: override.ranges for override in schedule.overrides},
        blocked_starts=starts,
        blocked_ends=ends,
        full_days=full_days,
        closed=policy.max_per_day == 0,
    )


def _bookable_window(
    policy: Policy,
    now: datetime,
    window_start: datetime | None,
    window_end: datetime | None,
) -> tuple[datetime, datetime]:
    now = require_aware(now, "now")
    low = now + timedelta(minutes=policy.minimum_notice_minutes)
    high = now + timedelta(days=policy.horizon_days)
    if window_start is not None:
        low = max(low, require_aware(window_start, "window_start"))
    if window_end is not None:
        high = min(high, require_aware(window_end, "window_end"))
    return low, high


def _free_starts(
    prepared: _Prepared, policy: Policy, low: datetime, high: datetime
) -> Iterator[datetime]:
    """One consultant's free starts in ``[low, high)``, ascending."""
    if low >= high:
        return
    zone = prepared.schedule.tz
    step = policy.slot_interval
    meeting = policy.meeting
    blocked_starts = prepared.blocked_starts
    blocked_ends = prepared.blocked_ends
    blocked_count = len(blocked_starts)
    # Candidates ascend, so one pointer walks the blocked intervals once per call
    # instead of a search per candidate.
    index = bisect.bisect_right(blocked_ends, low)
    # A day either side: in a fold the local date of `low` or `high` can be the date
    # before one whose first-occurrence starts are already in range.
    day = low.astimezone(zone).date() - DAY
    last_day = high.astimezone(zone).date() + DAY
    while day <= last_day:
        if not prepared.is_full(day):
            midnight = datetime.combine(day, MIDNIGHT)
            for time_range in prepared.ranges_for(day):
                first = midnight + time_range.start_offset
                stop = midnight + time_range.end_offset
                for start in range_starts(first, stop, zone, step, meeting):
                    if start < low:
                        continue
                    if start >= high:
                        return
                    while index < blocked_count and blocked_ends[index] <= start:
                        index += 1
                    if (
                        index == blocked_count
                        or blocked_starts[index] >= start + meeting
                    ):
                        yield start
        day += DAY


def _on_working_grid(prepared: _Prepared, policy: Policy, start: datetime) -> bool:
    """Whether the hours of ``start``'s local date generate ``start``."""
    zone = prepared.schedule.tz
    wall = start.astimezone(zone).replace(tzinfo=None, fold=0)
    # Fails for the second occurrence of a repeated hour, which is never offered.
    if wall_to_utc(wall, zone) != start:
        return False
    day = wall.date()
    if prepared.is_full(day):
        return False
    midnight = datetime.combine(day, MIDNIGHT)
    since_midnight = wall - midnight
    for time_range in prepared.ranges_for(day):
        if time_range.start_offset <= since_midnight < time_range.end_offset:
            aligned = (since_midnight - time_range.start_offset) % policy.slot_interval
            range_end = bound_to_utc(midnight + time_range.end_offset, zone)
            return aligned == _ZERO and start + policy.meeting <= range_end
    return False


# --- public functions -----------------------------------------------------------------


def free_slots(
    schedules: Sequence[ConsultantSchedule],
    policy: Policy,
    now: datetime,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
) -> list[Slot]:
    """Free slots of any of ``schedules``, ascending by start.

    Starts lie in ``[max(now + notice, window_start), min(now + horizon, window_end))``.
    Consultants free at one start share a slot whose ``consultant_keys`` are sorted.
    """
    low, high = _bookable_window(policy, now, window_start, window_end)
    keys_by_start: defaultdict[datetime, list[ConsultantKey]] = defaultdict(list)
    seen: set[ConsultantKey] = set()
    for schedule in schedules:
        key = schedule.key
        if key in seen:
            raise ValueError(f"consultant key {key!r} appears twice")
        seen.add(key)
        for start in _free_starts(_prepare(schedule, policy), policy, low, high):
            keys_by_start[start].append(key)
    meeting = policy.meeting
    return [
        Slot(start, start + meeting, tuple(sorted(keys_by_start[start])))
        for start in sorted(keys_by_start)
    ]


def slots_for_consultant(
    schedule: ConsultantSchedule,
    policy: Policy,
    now: datetime,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
) -> list[Slot]:
    """``free_slots`` for one consultant."""
    return free_slots([schedule], policy, now, window_start, window_end)


def is_slot_free(
    schedule: ConsultantSchedule, policy: Policy, start: datetime, now: datetime
) -> bool:
    """Whether ``free_slots([schedule], policy, now)`` offers ``start``.

    Decided for the one start without listing the others: for the re-check inside the
    booking transaction and for reschedules.
    """
    start = require_aware(start, "start")
    low, high = _bookable_window(policy, now, None, None)
    if not low <= start < high:
        return False
    prepared = _prepare(schedule, policy)
    if not _on_working_grid(prepared, policy, start):
        return False
    return not prepared.is_blocked(start, start + policy.meeting)


def group_by_local_date(slots: Iterable[Slot], tz: ZoneInfo) -> dict[date, list[Slot]]:
    """Slots by the local date of their start in ``tz`` (the viewer's zone).

    Dates ascend and each date's slots ascend by start.
    """
    groups: defaultdict[date, list[Slot]] = defaultdict(list)
    for slot in sorted(slots, key=lambda s: s.start):
        groups[slot.start.astimezone(tz).date()].append(slot)
    return dict(sorted(groups.items()))


def next_available(slots: Iterable[Slot], after: datetime) -> Slot | None:
    """The earliest slot starting at or after ``after``, or None."""
    after = require_aware(after, "after")
    candidates = (slot for slot in slots if slot.start >= after)
    return min(candidates, key=lambda s: s.start, default=None)
