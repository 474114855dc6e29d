"""Upcoming calls their consultant's own hours, calendar or limits no longer allow.

Time off, a date override or new weekly hours can be saved over a confirmed call, the
booking policy's buffers or daily limit can be raised or lowered, and a consultant's
zone can move their local days; the call stays booked (the client was promised it),
and this says which calls are now in conflict and why, so staff move, hand over or
cancel each one (the consultant's page after a save, the dashboard).

A call is checked by the rule a new booking meets (``availability.meeting_fit``), the
same one a call handed to a colleague must pass: in the hours of its local date,
outside time off and calendar busy time, clear of the other calls with today's
buffers, and among the first ``max_per_consultant_per_day`` calls of its day. Buffers
keep calls apart from each other only; next to time off a call needs none (as when it
was offered). Reads a fixed handful of queries whatever the number of calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from bookings import availability, selectors
from bookings.availability import Misfit
from bookings.enums import BookingStatus
from bookings.models import Booking, BookingPolicy, TimeOff

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from bookings.models import Consultant

CONFLICT_LIMIT = 200


@dataclass(frozen=True)
class Conflict:
    booking: Booking
    reason: str


def fit_reason(
    fit: availability.Fit,
    *,
    consultant: Consultant,
    policy: BookingPolicy,
    time_off: Iterable[TimeOff] = (),
) -> str:
    """Why a call does not fit ``consultant``'s schedule, in words for staff.

    ``time_off`` are the consultant's rows around the call: a clash with none of them is
    busy time from their own calendar.
    """
    misfit = fit.misfit
    if misfit == Misfit.TIME_OFF:
        # The clash is with exactly one row's time when it is time off.
        off = next(
            (
                off
                for off in time_off
                if (off.start, off.end) == (fit.other_start, fit.other_end)
            ),
            None,
        )
        if off is None:
            return "busy in their own calendar"
        return f"during time off{f' ({off.reason})' if off.reason else ''}"
    if misfit == Misfit.DAY_OFF:
        return "on a day off"
    if misfit == Misfit.OUTSIDE_DATE_HOURS:
        return "outside that day's hours"
    if misfit == Misfit.OUTSIDE_HOURS:
        return "outside the weekly hours"
    if misfit == Misfit.OVER_DAILY_LIMIT:
        limit = policy.max_per_consultant_per_day
        return f"over the daily limit of {limit} call{'' if limit == 1 else 's'}"
    if fit.other_start is None:
        return ""
    # On the consultant's own clock, as their pages and emails write it.
    other = consultant.times.time(fit.other_start)
    if misfit == Misfit.OVERLAP:
        return f"overlaps their call at {other}"
    return f"buffer overlaps their call at {other}"


def bookings_in_conflict(
    *,
    consultant_ids: Iterable[int] | None = None,
    now: datetime | None = None,
    limit: int = CONFLICT_LIMIT,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Conflict]:
    """Confirmed calls still to come that their consultant's schedule no longer allows.

    ``since`` and ``until`` bound the calls checked to a saved change's days (time off,
    a date override); the other calls of those days are still read, for the daily limit
    and the buffers.
    """
    now = now or timezone.now()
    bookings = Booking.objects.filter(status=BookingStatus.CONFIRMED).select_related(
        "consultant"
    )
    # From the saved change's first instant (a call at exactly midnight is in its
    # day), and only calls still to come.
    bookings = (
        bookings.filter(start__gte=since, start__gt=now)
        if since is not None and since > now
        else bookings.filter(start__gt=now)
    )
    if until is not None:
        bookings = bookings.filter(start__lt=until)
    if consultant_ids is not None:
        bookings = bookings.filter(consultant_id__in=list(consultant_ids))
    calls = list(bookings.order_by("start", "pk")[:limit])
    if not calls:
        return []
    policy = BookingPolicy.current()
    rules = policy.to_policy()
    consultants = {call.consultant_id: call.consultant for call in calls}
    first = min(call.start for call in calls)
    last = max(call.end for call in calls)
    schedules = {
        schedule.key: schedule
        for schedule in selectors.schedules_for(
            list(consultants.values()), window_start=first, window_end=last
        )
    }

    misfits = []
    for call in calls:
        schedule = schedules.get(call.consultant_id)
        if schedule is None:
            # Their hours could not be read at all (logged by ``schedules_for``).
            misfits.append((call, None))
            continue
        own = availability.Busy(
            call.start, call.end, call.blocked_start, call.blocked_end
        )
        fit = availability.meeting_fit(schedule, rules, call.start, call.end, own=own)
        if not fit.fits:
            misfits.append((call, fit))

    time_off: dict[int, list[TimeOff]] = {}
    if any(fit is not None and fit.misfit == Misfit.TIME_OFF for _, fit in misfits):
        # Only for the words: which clashes are time off, and with what reason.
        time_off = _time_off_by_consultant(list(consultants), start=first, end=last)
    return [
        Conflict(
            call,
            "their hours cannot be read"
            if fit is None
            else fit_reason(
                fit,
                consultant=call.consultant,
                policy=policy,
                time_off=time_off.get(call.consultant_id, ()),
            ),
        )
        for call, fit in misfits
    ]


def _time_off_by_consultant(
    consultant_ids: list[int], *, start: datetime, end: datetime
) -> dict[int, list[TimeOff]]:
    """The time off of ``consultant_ids`` overlapping ``[start, end)``, by consultant,
    in one query."""
    time_off: dict[int, list[TimeOff]] = {}
    # Unordered: the model's ordering would join the consultants to sort.
    for off in TimeOff.objects.filter(
        consultant_id__in=consultant_ids, start__lt=end, end__gt=start
    ).order_by():
        time_off.setdefault(off.consultant_id, []).append(off)
    return time_off


def handover_fit(
    *,
    booking: Booking,
    consultants: Sequence[Consultant],
    policy: BookingPolicy | None = None,
) -> dict[int, str]:
    """For each of ``consultants`` other than the booking's own, why they cannot take
    ``booking`` at its time; "" for those who can (four queries in all, five when
    some are off: the policy's is read unless given).

    Free means what ``availability.meeting_fit`` says (hours, time off and calendar,
    other calls with today's buffers, the daily limit), without the notice and horizon
    a client's booking meets: staff hand over a call due within the hour too.
    """
    policy = policy or BookingPolicy.current()
    rules = policy.to_policy()
    others = [c for c in consultants if c.pk != booking.consultant_id]
    schedules = {
        schedule.key: schedule
        for schedule in selectors.schedules_for(
            others,
            window_start=booking.start,
            window_end=booking.end,
            exclude_booking_id=booking.pk,
        )
    }
    fits = {}
    for consultant in others:
        schedule = schedules.get(consultant.pk)
        fits[consultant.pk] = (
            None
            if schedule is None
            else availability.meeting_fit(schedule, rules, booking.start, booking.end)
        )
    time_off: dict[int, list[TimeOff]] = {}
    clashes = [
        pk
        for pk, fit in fits.items()
        if fit is not None and fit.misfit == Misfit.TIME_OFF
    ]
    if clashes:
        # Only for the words, in one query for all of them.
        time_off = _time_off_by_consultant(
            clashes, start=booking.start, end=booking.end
        )
    answers = {}
    for consultant in others:
        fit = fits[consultant.pk]
        if fit is None:
            # Logged by ``schedules_for``.
            answers[consultant.pk] = "their hours cannot be read"
        elif fit.fits:
            answers[consultant.pk] = ""
        else:
            answers[consultant.pk] = fit_reason(
                fit,
                consultant=consultant,
                policy=policy,
                time_off=time_off.get(consultant.pk, ()),
            )
    return answers
