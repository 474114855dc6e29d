"""Whether one given meeting fits a consultant's schedule, and if not, why.

The slot functions answer "which starts are free" on the booking grid; this answers for
a meeting whose time is already fixed (a call handed to a colleague, a call whose
consultant's hours changed since it was booked), off the grid and without the notice
and horizon a client's booking meets. The rules are the package's: the meeting lies
inside the hours of its local date and outside time off and calendar busy time; its
occupied range, with today's buffers, overlaps no other meeting's; its local date has
room under ``max_per_day``.
"""

from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bookings.availability.inputs import require_aware
from bookings.availability.wallclock import MIDNIGHT, bound_to_utc

if TYPE_CHECKING:
    from bookings.availability.inputs import Busy, ConsultantSchedule, Policy


class Misfit(enum.StrEnum):
    """Why a meeting does not fit, the first that applies in this order."""

    TIME_OFF = "time_off"
    # A date override with no hours.
    DAY_OFF = "day_off"
    # Outside the hours a date override gives that date.
    OUTSIDE_DATE_HOURS = "outside_date_hours"
    # Outside the weekly hours of that weekday (none at all, too).
    OUTSIDE_HOURS = "outside_hours"
    # The meeting itself overlaps another meeting.
    OVERLAP = "overlap"
    # Only the buffers around one meeting or the other do.
    BUFFER = "buffer"
    OVER_DAILY_LIMIT = "over_daily_limit"


@dataclass(frozen=True, slots=True)
class Fit:
    misfit: Misfit | None
    # The other meeting, for OVERLAP and BUFFER; the time off, for TIME_OFF.
    other_start: datetime | None = None
    other_end: datetime | None = None

    @property
    def fits(self) -> bool:
        return self.misfit is None


FITS = Fit(None)


def _in_hours(
    schedule: ConsultantSchedule, start: datetime, end: datetime
) -> Misfit | None:
    zone = schedule.tz
    day = start.astimezone(zone).date()
    override = next((o for o in schedule.overrides if o.date == day), None)
    ranges = (
        override.ranges if override is not None else schedule.weekly.ranges_for(day)
    )
    if override is not None and not ranges:
        return Misfit.DAY_OFF
    midnight = datetime.combine(day, MIDNIGHT)
    for time_range in ranges:
        # Compared as instants: a meeting is its real length on a DST day too.
        low = bound_to_utc(midnight + time_range.start_offset, zone)
        high = bound_to_utc(midnight + time_range.end_offset, zone)
        if low <= start and end <= high:
            return None
    return Misfit.OUTSIDE_HOURS if override is None else Misfit.OUTSIDE_DATE_HOURS


def meeting_fit(
    schedule: ConsultantSchedule,
    policy: Policy,
    start: datetime,
    end: datetime,
    *,
    own: Busy | None = None,
) -> Fit:
    """Whether the meeting ``[start, end)`` fits ``schedule`` under ``policy``.

    ``own`` is the meeting's own entry when ``schedule.busy`` holds it (a booked call
    checked against hours saved since): it is not compared with itself, and the
    buffers and the daily limit then weigh only the meetings before it, so of two calls
    too close the later one, and of a day over the limit the calls past the first
    ``max_per_day``, are the ones that do not fit.
    """
    start = require_aware(start, "start")
    end = require_aware(end, "end")
    for off in schedule.time_off:
        if off.start < end and start < off.end:
            return Fit(Misfit.TIME_OFF, off.start, off.end)
    if (misfit := _in_hours(schedule, start, end)) is not None:
        return Fit(misfit)

    before = timedelta(minutes=policy.buffer_before_minutes)
    after = timedelta(minutes=policy.buffer_after_minutes)
    others = [busy for busy in schedule.busy if busy != own]
    for other in sorted(others, key=lambda b: b.start):
        if other.start < end and start < other.end:
            return Fit(Misfit.OVERLAP, other.start, other.end)
    # Of two booked calls too close for today's buffers, the later one is the one
    # that does not fit, as with the daily limit: moving it settles both.
    neighbours = others if own is None else [b for b in others if b.start < start]
    for other in sorted(neighbours, key=lambda b: b.start):
        # As the slot functions widen a booking: [start, end) with its buffers clashes
        # with a booking occupying [os, oe) when [start, end) overlaps
        # [os - after, oe + before).
        occupied_start, occupied_end = other.occupied(before, after)
        if occupied_start - after < end and start < occupied_end + before:
            return Fit(Misfit.BUFFER, other.start, other.end)

    if policy.max_per_day is not None:
        zone = schedule.tz
        day = start.astimezone(zone).date()
        same_day = [
            b
            for b in itertools.chain(others, schedule.held)
            if b.start.astimezone(zone).date() == day
        ]
        if own is not None:
            # Ties by start cannot happen between two meetings that may not overlap;
            # a held call at the same start (moved on from) counts as before.
            same_day = [b for b in same_day if b.start <= start]
        if len(same_day) >= policy.max_per_day:
            return Fit(Misfit.OVER_DAILY_LIMIT)
    return FITS
