"""Local wall-clock time in a zone to UTC instants, across DST changes.

The rules are the package's (see ``bookings.availability``): a wall-clock time in a
spring-forward gap does not exist, one in a fall-back fold is its first occurrence,
and a range bound inside a gap is the instant the clock jumps.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from collections.abc import Iterator
    from zoneinfo import ZoneInfo

# A local day, and the midnight that starts it (and, as a range's end, ends it).
DAY = timedelta(days=1)
MIDNIGHT = time(0, 0)


def wall_to_utc(wall: datetime, zone: ZoneInfo) -> datetime | None:
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


def bound_to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """Like ``wall_to_utc``, but a time in a gap is the instant the clock jumps."""
    instant = wall_to_utc(wall, zone)
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


def range_starts(
    wall: datetime,
    stop: datetime,
    zone: ZoneInfo,
    step: timedelta,
    meeting: timedelta,
) -> Iterator[datetime]:
    """The starts of the local range ``[wall, stop)`` (naive, in one day), ascending.

    The wall-clock times ``wall + k * step`` before ``stop`` as instants in ``zone``,
    kept while a meeting from them ends by ``stop``, compared as instants.
    """
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
    latest = bound_to_utc(stop, zone) - meeting
    while wall < stop:
        instant = wall_to_utc(wall, zone)
        wall += step
        if instant is None:
            continue
        # With fold=0, later wall times are later instants: nothing after fits either.
        if instant > latest:
            return
        yield instant
