"""The values the slot computation works on, checked when they are made.

A consultant's hours (``TimeRange``, ``WeeklyHours``, ``DateOverride``), the time they
cannot meet (``TimeOff``, ``Busy``), the shared ``Policy``, one consultant's whole
``ConsultantSchedule``, and the answer, a ``Slot``. Their meaning is the package's
definitions (see ``bookings.availability``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, cast
from zoneinfo import ZoneInfo

from bookings.availability.wallclock import DAY, MIDNIGHT, bound_to_utc

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from uuid import UUID

    # Names a consultant in slots: unique, and orderable against the other keys.
    ConsultantKey = int | str | UUID

# DateOverride has a field called `date`, which would shadow the type in its annotation.
_Date = date


def require_aware(value: datetime, name: str) -> datetime:
    """``value`` in UTC; an error naming argument ``name`` unless an aware datetime."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")
    return value.astimezone(UTC)


def require_date(value: date, name: str) -> date:
    """``value``; an error naming argument ``name`` unless a date (not a datetime)."""
    # datetime is a subclass of date; taking one would silently drop its time and zone.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{name} must be a date, got {type(value).__name__}")
    return value


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
        end_offset = DAY if self.end == MIDNIGHT else _since_midnight(self.end)
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
        require_date(self.date, "DateOverride.date")
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
    """A booking's meeting time ``[start, end)`` without buffers, in UTC.

    ``blocked_start`` and ``blocked_end`` are the range the booking holds in the
    database (its meeting plus the buffers in force when it was made); left out, the
    meeting itself. They must contain the meeting.
    """

    start: datetime
    end: datetime
    blocked_start: datetime | None = None
    blocked_end: datetime | None = None

    def __post_init__(self) -> None:
        _set_utc_interval(self, "Busy")
        blocked_start = (
            self.start
            if self.blocked_start is None
            else require_aware(self.blocked_start, "Busy.blocked_start")
        )
        blocked_end = (
            self.end
            if self.blocked_end is None
            else require_aware(self.blocked_end, "Busy.blocked_end")
        )
        if blocked_start > self.start or blocked_end < self.end:
            raise ValueError(
                f"Busy blocked range [{blocked_start}, {blocked_end}) does not "
                f"contain the meeting [{self.start}, {self.end})"
            )
        object.__setattr__(self, "blocked_start", blocked_start)
        object.__setattr__(self, "blocked_end", blocked_end)

    def occupied(
        self, before: timedelta, after: timedelta
    ) -> tuple[datetime, datetime]:
        """What the booking keeps free of other meetings' ranges under buffers
        ``before``/``after``: its stored range and today's buffers, whichever is wider.
        """
        # blocked_* are always set after __post_init__; the None is only the default.
        blocked_start = cast("datetime", self.blocked_start)
        blocked_end = cast("datetime", self.blocked_end)
        return (
            min(blocked_start, self.start - before),
            max(blocked_end, self.end + after),
        )


def _set_utc_interval(interval: TimeOff | Busy, kind: str) -> None:
    start = require_aware(interval.start, f"{kind}.start")
    end = require_aware(interval.end, f"{kind}.end")
    if end <= start:
        raise ValueError(f"{kind} end {end} is not after start {start}")
    object.__setattr__(interval, "start", start)
    object.__setattr__(interval, "end", end)


@dataclass(frozen=True, slots=True)
class Policy:
    """Booking rules shared by the consultants computed together; see the package."""

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
    require_date(first, "first")
    require_date(last, "last")
    if last < first:
        raise ValueError(f"last {last} is before first {first}")
    start = bound_to_utc(datetime.combine(first, MIDNIGHT), tz)
    end = bound_to_utc(datetime.combine(last + DAY, MIDNIGHT), tz)
    return TimeOff(start, end)
