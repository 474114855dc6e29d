"""Upcoming calls their consultant's own hours no longer cover.

Time off, a date override or new weekly hours can be saved over a confirmed call; the
call stays booked (the client was promised it), and this says which calls are now in
conflict and why, so staff move or cancel each one (the consultant's page after a
save, the dashboard). Reads a fixed handful of queries whatever the number of calls.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from bookings.availability import TimeRange
from bookings.enums import BookingStatus
from bookings.models import Booking, DateOverride, TimeOff, WeeklyHours

if TYPE_CHECKING:
    from collections.abc import Iterable

CONFLICT_LIMIT = 200
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Conflict:
    booking: Booking
    reason: str


def _covered(ranges: Iterable[TimeRange], booking: Booking) -> bool:
    zone = booking.consultant.zone
    local = booking.start.astimezone(zone)
    midnight = datetime.combine(local.date(), time(0))
    since = local.replace(tzinfo=None) - midnight
    until = since + (booking.end - booking.start)
    return any(r.start_offset <= since and until <= r.end_offset for r in ranges)


def bookings_in_conflict(
    *,
    consultant_ids: Iterable[int] | None = None,
    now: datetime | None = None,
    limit: int = CONFLICT_LIMIT,
) -> list[Conflict]:
    """Confirmed calls still to come that fall in time off or outside their hours."""
    now = now or timezone.now()
    bookings = Booking.objects.filter(
        status=BookingStatus.CONFIRMED, start__gt=now
    ).select_related("consultant")
    if consultant_ids is not None:
        bookings = bookings.filter(consultant_id__in=list(consultant_ids))
    calls = list(bookings.order_by("start", "pk")[:limit])
    if not calls:
        return []
    ids = {call.consultant_id for call in calls}
    last = max(call.end for call in calls)

    time_off: defaultdict[int, list[TimeOff]] = defaultdict(list)
    for off in TimeOff.objects.filter(
        consultant_id__in=ids, end__gt=now, start__lt=last
    ):
        time_off[off.consultant_id].append(off)
    overrides: defaultdict[int, defaultdict] = defaultdict(lambda: defaultdict(list))
    # A day either side of the calls' UTC dates: their local dates may differ.
    for row in DateOverride.objects.filter(
        consultant_id__in=ids,
        date__gte=now.date() - ONE_DAY,
        date__lte=last.date() + ONE_DAY,
    ):
        ranges = overrides[row.consultant_id][row.date]
        if row.start is not None:
            ranges.append(TimeRange(row.start, row.end))
    weekly: defaultdict[int, defaultdict] = defaultdict(lambda: defaultdict(list))
    for row in WeeklyHours.objects.filter(consultant_id__in=ids):
        weekly[row.consultant_id][row.weekday].append(TimeRange(row.start, row.end))

    conflicts = []
    for call in calls:
        off = next(
            (
                off
                for off in time_off[call.consultant_id]
                if off.start < call.end and off.end > call.start
            ),
            None,
        )
        if off is not None:
            reason = f"during time off{f' ({off.reason})' if off.reason else ''}"
            conflicts.append(Conflict(call, reason))
            continue
        day = call.start.astimezone(call.consultant.zone).date()
        if day in overrides[call.consultant_id]:
            ranges = overrides[call.consultant_id][day]
            if not ranges:
                conflicts.append(Conflict(call, "on a day off"))
            elif not _covered(ranges, call):
                conflicts.append(Conflict(call, "outside that day's hours"))
        elif not _covered(weekly[call.consultant_id][day.weekday()], call):
            conflicts.append(Conflict(call, "outside the weekly hours"))
    return conflicts
