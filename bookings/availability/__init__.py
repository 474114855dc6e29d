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
          tstzrange(blocked_start, blocked_end, '[)') WITH &&)

  So between two meetings there must be at least ``buffer_before + buffer_after``.
  Buffers only separate meetings: the meeting itself, not its buffers, must lie in
  working hours and outside time off.
* A booking keeps the range it stored when it was made (``Busy.blocked_start`` and
  ``blocked_end``: its meeting with the buffers of that day), and the constraint
  compares stored ranges. An existing booking therefore occupies the wider of its
  stored range and its meeting with today's buffers (``Busy.occupied``), and a start
  is offered only if its own range with today's buffers overlaps none of those: after
  the buffers are lowered every offered start still passes the constraint, and after
  they are raised the new buffers are kept around old bookings too.
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
* ``busy`` holds the consultant's *active* bookings as meeting times, without buffers,
  each with the range it stored. To re-check a reschedule, leave the booking being
  moved out of ``busy``.
* ``held`` holds the consultant's bookings that took place (completed, no-show): they
  still used up a place on their day, but block no time.
"""

# Callers import from here; inside, each module imports only those listed before it:
# `wallclock` (local time to UTC across DST changes), `inputs` (the dataclasses these
# definitions speak of, checked when made), `slots` (free slots from them), `week`
# (the week a page of slots shows) and `near` (the free slots nearest a wanted time,
# searched in widening windows), `fit` (whether one fixed meeting fits, and why not).
from bookings.availability.fit import FITS, Fit, Misfit, meeting_fit
from bookings.availability.inputs import (
    Busy,
    ConsultantSchedule,
    DateOverride,
    Policy,
    Slot,
    TimeOff,
    TimeRange,
    WeeklyHours,
    time_off_for_dates,
)
from bookings.availability.near import nearest, slots_near
from bookings.availability.slots import (
    free_slots,
    group_by_local_date,
    is_slot_free,
    next_available,
    slots_for_consultant,
)
from bookings.availability.week import ShownWeek, week_monday, week_shown

__all__ = [
    "FITS",
    "Busy",
    "ConsultantSchedule",
    "DateOverride",
    "Fit",
    "Misfit",
    "Policy",
    "ShownWeek",
    "Slot",
    "TimeOff",
    "TimeRange",
    "WeeklyHours",
    "free_slots",
    "group_by_local_date",
    "is_slot_free",
    "meeting_fit",
    "nearest",
    "next_available",
    "slots_for_consultant",
    "slots_near",
    "time_off_for_dates",
    "week_monday",
    "week_shown",
]
