"""Free consultation slots: pure computation over dataclasses, no Django, no I/O.

Instants (busy bookings, time off, ``now``, returned slots) are aware datetimes,
normalised to UTC. What a consultant types into a calendar (weekly hours, date
overrides) is local wall-clock time in the consultant's IANA zone.

Definitions; the booking service and the database constraint rely on them exactly:

* Intervals are half-open, ``[start, end)``. Two intervals overlap when
  ``a.start < b.end and b.start < a.end``; intervals that only touch do not overlap.
* A meeting ``[start, end)`` *occupies* ``[start - buffer_before, end + buffer_after)``.
  Two meetings of one consultant conflict when their occupied intervals overlap, which
  is the PostgreSQL exclusion constraint, for active bookings::

      EXCLUDE USING gist (consultant_id WITH =,
          tstzrange(start - before, end + after, '[)') WITH &&)

  So between two meetings there must be at least ``buffer_before + buffer_after``.
  Buffers only separate meetings: the meeting itself, not its buffers, must lie in
  working hours and outside time off.
* The working hours of a local date are the ranges of its ``DateOverride`` if it has
  one (an override *replaces* the weekly hours: ``()`` is a day off, and extra hours on
  a date are given by listing the whole day), else the weekly ranges of
  ``date.weekday()``: Monday=0 ... Sunday=6, Python's numbering, not JavaScript's
  Sunday=0.
* The starts of a range are the wall-clock times ``range.start + k * slot_interval``
  before ``range.end`` on that date, converted to UTC in the consultant's zone. A start
  is kept while ``start + meeting <= range end`` compared as instants, so a meeting is
  always ``meeting_minutes`` of real time.
* DST: a wall-clock time in a spring-forward gap does not exist and is never a start;
  a range bound inside a gap is the instant the clock jumps. A wall-clock time in a
  fall-back fold means its first occurrence (``fold=0``); the repeated hour is not
  offered, so no start appears twice. Hours stay local across a change: 09:00-17:00 is
  09:00-17:00 local on both sides, one hour apart in UTC.
* A start is bookable when ``now + minimum_notice <= start < now + horizon_days``
  (days of 24 hours), further narrowed by an optional ``[window_start, window_end)``.
* ``max_per_day`` counts the consultant's bookings in ``busy`` and ``held`` whose start
  falls on the candidate's local date in the consultant's zone; a date that has reached
  it offers nothing.
* ``busy`` holds the consultant's *active* bookings as meeting times, without buffers.
  To re-check a reschedule, leave the booking being moved out of ``busy``.
* ``held`` holds the consultant's bookings that took place (completed, no-show): they
  still used up a place on their day, but block no time.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, cast
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence
    from uuid import UUID

    # Names a consultant in slots: unique, and orderable against the other keys.
    ConsultantKey = int | str | UUID

__all__ = [
    "Busy",
    "ConsultantSchedule",
    "DateOverride",
    "Policy",
    "ShownWeek",
    "Slot",
    "TimeOff",
    "TimeRange",
    "WeeklyHours",
    "free_slots",
    "group_by_local_date",
    "is_slot_free",
    "next_available",
    "slots_for_consultant",
    "time_off_for_dates",
    "week_monday",
    "week_shown",
]

# DateOverride has a field called `date`, which would shadow the type in its annotation.
_Date = date

_ZERO = timedelta(0)
_DAY = timedelta(days=1)
_MIDNIGHT = time(0, 0)


def _require_aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")
    return value.astimezone(UTC)


def _require_date(value: date, name: str) -> date:
    # datetime is a subclass of date; taking one would silently drop its time and zone.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{name} must be a date, got {type(value).__name__}")
    return value


# --- inputs ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimeRange:
    """Local wall-clock hours within one day, ``[start, end)``.

    ``end == time(0, 0)`` is midnight at the end of the day (24:00): ``00:00-00:00`` is
    the whole day, ``18:00-00:00`` the evening. Otherwise ``end > start``. A range never
    crosses midnight; a night shift is two ranges on two days. ``start_offset`` and
    ``end_offset`` are the bounds as time since local midnight (24 h for 24:00).
    """

    start: time
    end: time
    start_offset: timedelta = field(init=False, repr=False, compare=False)
    end_offset: timedelta = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, time):
                raise TypeError(
                    f"TimeRange.{name} must be a time, got {type(value).__name__}"
                )
            if value.tzinfo is not None:
                raise ValueError(f"TimeRange.{name} is wall-clock time, without tzinfo")
        start_offset = _since_midnight(self.start)
        end_offset = _DAY if self.end == _MIDNIGHT else _since_midnight(self.end)
        if end_offset <= start_offset:
            raise ValueError(
                f"TimeRange end {self.end} is not after start {self.start}"
            )
        object.__setattr__(self, "start_offset", start_offset)
        object.__setattr__(self, "end_offset", end_offset)


def _since_midnight(value: time) -> timedelta:
    return timedelta(
        hours=value.hour,
        minutes=value.minute,
        seconds=value.second,
        microseconds=value.microsecond,
    )


def _normalise_ranges(ranges: Iterable[TimeRange], where: str) -> tuple[TimeRange, ...]:
    items = tuple(ranges)
    for item in items:
        if not isinstance(item, TimeRange):
            raise TypeError(f"{where}: expected TimeRange, got {type(item).__name__}")
    result = tuple(sorted(items, key=lambda r: r.start_offset))
    # Overlapping ranges would offer one start twice; touching ranges are fine.
    for earlier, later in itertools.pairwise(result):
        if later.start_offset < earlier.end_offset:
            raise ValueError(f"{where}: ranges {earlier} and {later} overlap")
    return result


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """Recurring hours: weekday -> ranges, Monday=0 ... Sunday=6 (``date.weekday()``).

    Weekdays left out are days off. Stored as a read-only mapping of all seven
    weekdays to sorted tuples.
    """

    by_weekday: Mapping[int, tuple[TimeRange, ...]]

    def __post_init__(self) -> None:
        days: dict[int, tuple[TimeRange, ...]] = dict.fromkeys(range(7), ())
        for weekday, ranges in self.by_weekday.items():
            if type(weekday) is not int or not 0 <= weekday <= 6:
                raise ValueError(
                    f"weekday must be an int, 0 (Monday) to 6 (Sunday): {weekday!r}"
                )
            days[weekday] = _normalise_ranges(ranges, f"weekday {weekday}")
        object.__setattr__(self, "by_weekday", MappingProxyType(days))

    def __hash__(self) -> int:
        return hash(tuple(self.by_weekday.items()))

    def ranges_for(self, day: date) -> tuple[TimeRange, ...]:
        return self.by_weekday[day.weekday()]


@dataclass(frozen=True, slots=True)
class DateOverride:
    """On the local ``date`` the weekly hours are replaced by ``ranges``.

    ``ranges=()`` is a day off.
    """

    date: _Date
    ranges: tuple[TimeRange, ...]

    def __post_init__(self) -> None:
        _require_date(self.date, "DateOverride.date")
        ranges = _normalise_ranges(self.ranges, f"override {self.date.isoformat()}")
        object.__setattr__(self, "ranges", ranges)


@dataclass(frozen=True, slots=True)
class TimeOff:
    """Blocked time ``[start, end)``; given in any zone, stored in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _set_utc_interval(self, "TimeOff")


@dataclass(frozen=True, slots=True)
class Busy:
    """An active booking's meeting time ``[start, end)`` without buffers, in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _set_utc_interval(self, "Busy")


def _set_utc_interval(interval: TimeOff | Busy, kind: str) -> None:
    start = _require_aware(interval.start, f"{kind}.start")
    end = _require_aware(interval.end, f"{kind}.end")
    if end <= start:
        raise ValueError(f"{kind} end {end} is not after start {start}")
    object.__setattr__(interval, "start", start)
    object.__setattr__(interval, "end", end)


@dataclass(frozen=True, slots=True)
class Policy:
    """Booking rules shared by the consultants computed together; see the module doc."""

    meeting_minutes: int = 30
    slot_interval_minutes: int = 30
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    minimum_notice_minutes: int = 720
    horizon_days: int = 30
    max_per_day: int | None = None

    def __post_init__(self) -> None:
        minimums = {
            "meeting_minutes": 1,
            "slot_interval_minutes": 1,
            "buffer_before_minutes": 0,
            "buffer_after_minutes": 0,
            "minimum_notice_minutes": 0,
            "horizon_days": 0,
        }
        if self.max_per_day is not None:
            minimums["max_per_day"] = 0
        for name, minimum in minimums.items():
            value = getattr(self, name)
            # bool is an int subclass; True minutes is a bug, not a duration.
            if type(value) is not int:
                raise TypeError(f"Policy.{name} must be an int, got {value!r}")
            if value < minimum:
                raise ValueError(f"Policy.{name} must be >= {minimum}, got {value}")

    @property
    def meeting(self) -> timedelta:
        return timedelta(minutes=self.meeting_minutes)

    @property
    def slot_interval(self) -> timedelta:
        return timedelta(minutes=self.slot_interval_minutes)

    @property
    def separation(self) -> timedelta:
        """The least time between two meetings of one consultant: both buffers."""
        return timedelta(minutes=self.buffer_before_minutes + self.buffer_after_minutes)


@dataclass(frozen=True, slots=True)
class ConsultantSchedule:
    """Everything needed to compute one consultant's free slots.

    ``key`` names the consultant in returned slots; keys computed together must be
    unique and mutually orderable (ints, strings or UUIDs).
    """

    key: ConsultantKey
    tz: ZoneInfo
    weekly: WeeklyHours
    overrides: tuple[DateOverride, ...] = ()
    time_off: tuple[TimeOff, ...] = ()
    busy: tuple[Busy, ...] = ()
    held: tuple[Busy, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.tz, ZoneInfo):
            raise TypeError(f"ConsultantSchedule.tz must be a ZoneInfo: {self.tz!r}")
        for name in ("overrides", "time_off", "busy", "held"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        dates = [override.date for override in self.overrides]
        if len(set(dates)) != len(dates):
            raise ValueError(f"two overrides for one date: {sorted(dates)}")


@dataclass(frozen=True, slots=True)
class Slot:
    """A bookable meeting ``[start, end)`` in UTC and the consultants free for it."""

    start: datetime
    end: datetime
    consultant_keys: tuple[ConsultantKey, ...]


def time_off_for_dates(first: date, last: date, tz: ZoneInfo) -> TimeOff:
    """Local dates ``first`` to ``last`` inclusive, local midnight to local midnight."""
    _require_date(first, "first")
    _require_date(last, "last")
    if last < first:
        raise ValueError(f"last {last} is before first {first}")
    start = _bound_to_utc(datetime.combine(first, _MIDNIGHT), tz)
    end = _bound_to_utc(datetime.combine(last + _DAY, _MIDNIGHT), tz)
    return TimeOff(start, end)


# --- wall clock to UTC ----------------------------------------------------------------


def _wall_to_utc(wall: datetime, zone: ZoneInfo) -> datetime | None:
    """The instant of naive local ``wall``: None in a gap, the first one in a fold."""
    local = wall.replace(tzinfo=zone)
    # An aware datetime always has an offset; utcoffset() is typed for naive ones too.
    earlier = cast("timedelta", local.utcoffset())
    later = cast("timedelta", local.replace(fold=1).utcoffset())
    # PEP 495: fold=0 reads a time with the offset in force before a change, fold=1 with
    # the one after. Clocks jump forward over a gap, so there the later offset is more.
    if earlier < later:
        return None
    return (wall - earlier).replace(tzinfo=UTC)


def _bound_to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """Like ``_wall_to_utc``, but a time in a gap is the instant the clock jumps."""
    instant = _wall_to_utc(wall, zone)
    if instant is not None:
        return instant
    local = wall.replace(tzinfo=zone)
    # Read with the later offset the time falls before the jump, with the earlier one
    # after it. Offset changes happen on whole seconds: bisect in POSIX seconds.
    low = math.floor(local.replace(fold=1).timestamp())
    high = math.ceil(local.timestamp())
    offset_before = datetime.fromtimestamp(low, zone).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == offset_before:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)


def _range_starts(
    midnight: datetime,
    time_range: TimeRange,
    zone: ZoneInfo,
    step: timedelta,
    meeting: timedelta,
) -> Iterator[datetime]:
    """Every start ``time_range`` gives on the local date of ``midnight``, ascending."""
    wall = midnight + time_range.start_offset
    stop = midnight + time_range.end_offset
    first = wall.replace(tzinfo=zone)
    last = stop.replace(tzinfo=zone)
    offset = cast("timedelta", first.utcoffset())
    if (
        offset
        == first.replace(fold=1).utcoffset()
        == last.utcoffset()
        == last.replace(fold=1).utcoffset()
    ):
        # The offset is the same at both ends, neither in a gap or fold, and a range
        # spans at most a day while the tz database's offset changes are days apart:
        # no change inside, so local steps are UTC steps and need no zone lookup.
        start = (wall - offset).replace(tzinfo=UTC)
        latest = (stop - offset).replace(tzinfo=UTC) - meeting
        while start <= latest:
            yield start
            start += step
        return
    latest = _bound_to_utc(stop, zone) - meeting
    while wall < stop:
        instant = _wall_to_utc(wall, zone)
        wall += step
        if instant is None:
            continue
        # With fold=0, later wall times are later instants: nothing after fits either.
        if instant > latest:
            return
        yield instant


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
    separation = policy.separation
    # [s - before, e + after) overlaps [bs - before, be + after) exactly when [s, e)
    # overlaps [bs - before - after, be + before + after): widen each booking once and
    # every candidate needs one plain overlap test.
    intervals = [(b.start - separation, b.end + separation) for b in schedule.busy]
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
    now = _require_aware(now, "now")
    low = now + timedelta(minutes=policy.minimum_notice_minutes)
    high = now + timedelta(days=policy.horizon_days)
    if window_start is not None:
        low = max(low, _require_aware(window_start, "window_start"))
    if window_end is not None:
        high = min(high, _require_aware(window_end, "window_end"))
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
    day = low.astimezone(zone).date() - _DAY
    last_day = high.astimezone(zone).date() + _DAY
    while day <= last_day:
        if not prepared.is_full(day):
            midnight = datetime.combine(day, _MIDNIGHT)
            for time_range in prepared.ranges_for(day):
                for start in _range_starts(midnight, time_range, zone, step, meeting):
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
        day += _DAY


def _on_working_grid(prepared: _Prepared, policy: Policy, start: datetime) -> bool:
    """Whether the hours of ``start``'s local date generate ``start``."""
    zone = prepared.schedule.tz
    wall = start.astimezone(zone).replace(tzinfo=None, fold=0)
    # Fails for the second occurrence of a repeated hour, which is never offered.
    if _wall_to_utc(wall, zone) != start:
        return False
    day = wall.date()
    if prepared.is_full(day):
        return False
    midnight = datetime.combine(day, _MIDNIGHT)
    since_midnight = wall - midnight
    for time_range in prepared.ranges_for(day):
        if time_range.start_offset <= since_midnight < time_range.end_offset:
            aligned = (since_midnight - time_range.start_offset) % policy.slot_interval
            range_end = _bound_to_utc(midnight + time_range.end_offset, zone)
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
    start = _require_aware(start, "start")
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
    after = _require_aware(after, "after")
    candidates = (slot for slot in slots if slot.start >= after)
    return min(candidates, key=lambda s: s.start, default=None)


# --- the week a page shows --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShownWeek:
    """The week a page of slots shows and the bounds of its week navigation.

    Each is the Monday of a week of local dates in the viewer's zone: ``first`` holds
    ``now``, ``last`` the end of the booking horizon, and ``first <= monday <= last``.
    """

    monday: date
    first: date
    last: date


def week_monday(day: date) -> date:
    """The Monday of ``day``'s week; weeks run Monday to Sunday, as ``date.weekday()``."""
    return _require_date(day, "day") - timedelta(days=day.weekday())


def week_shown(
    requested: date | None, *, now: datetime, horizon_days: int, zone: ZoneInfo
) -> ShownWeek:
    """The week to show for ``requested`` (any day of it), kept within the horizon.

    Weeks are counted in the viewer's ``zone``. Without a request, the first week; a
    week before ``now`` shows the first week and one past the horizon the last, so
    however the address is edited the page shows a week that can hold free slots.
    """
    now = _require_aware(now, "now")
    first = week_monday(now.astimezone(zone).date())
    last = week_monday((now + horizon_days * _DAY).astimezone(zone).date())
    wanted = first if requested is None else week_monday(requested)
    return ShownWeek(monday=min(max(wanted, first), last), first=first, last=last)
