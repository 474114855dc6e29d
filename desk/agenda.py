"""A consultant's today and tomorrow: the calls of those two days, on a phone.

Days are the viewer's (their own zone in the admin, ``StaffTimezoneMiddleware``): each
runs from one local midnight to the next, so a day when the clocks change is 23 or 25
hours long and no call lands on the wrong one. A consultant sees their own calls;
superusers and Managers may ask for the whole team's. One query reads the calls, whatever
their number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone

from advisor.selectors import path_label
from bookings.enums import BookingStatus
from bookings.meetings import meeting_url
from bookings.models import Booking, Consultant
from consult.staff import staff_sees_everyone
from consult.timezones import clock_label, short_date_label

if TYPE_CHECKING:
    from datetime import date, tzinfo

    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


@dataclass(frozen=True)
class AgendaCall:
    booking: Booking
    starts: str
    ends: str
    meeting_url: str
    prep_sheet_url: str
    booking_url: str
    stack_label: str
    # The call is over and nobody has said yet whether it took place.
    needs_outcome: bool


@dataclass(frozen=True)
class AgendaDay:
    label: str
    day: date
    calls: tuple[AgendaCall, ...]


@dataclass(frozen=True)
class Agenda:
    days: tuple[AgendaDay, ...]
    zone_name: str
    consultant: Consultant | None
    # Superusers and Managers may switch to everyone's calls.
    may_see_team: bool
    team: bool
    # With no call today or tomorrow: the next one after, and when (else None).
    next_call: Booking | None = None
    next_label: str = ""


def _midnight(day: date, zone: tzinfo) -> datetime:
    # Wall-clock midnight in the zone; comparisons in the database are in UTC.
    return datetime.combine(day, time.min, tzinfo=zone)


def _call(booking: Booking, zone: tzinfo) -> AgendaCall:
    start, end = booking.start.astimezone(zone), booking.end.astimezone(zone)
    return AgendaCall(
        booking=booking,
        starts=clock_label(start),
        ends=clock_label(end),
        meeting_url=meeting_url(booking),
        prep_sheet_url=reverse(
            "admin:advisor_assessment_change", args=[booking.assessment_id]
        )
        if booking.assessment_id
        else "",
        booking_url=reverse("admin:bookings_booking_change", args=[booking.pk]),
        stack_label=path_label(booking.stack) if booking.stack else "",
        needs_outcome=booking.status == BookingStatus.AWAITING_OUTCOME,
    )


def agenda_get(
    *,
    user: AbstractBaseUser | AnonymousUser,
    team: bool = False,
    now: datetime | None = None,
    zone: tzinfo | None = None,
) -> Agenda:
    """The viewer's calls of today and tomorrow, in ``zone`` (default: the active one)."""
    now = now or timezone.now()
    zone = zone or timezone.get_current_timezone()
    today = now.astimezone(zone).date()
    tomorrow = today + timedelta(days=1)
    bounds = [_midnight(today + timedelta(days=n), zone) for n in range(3)]

    consultant = Consultant.objects.filter(user_id=user.pk).first()
    may_see_team = staff_sees_everyone(user)
    # A manager with no calls of their own has nobody else's day to see but the team's.
    team = may_see_team and (team or consultant is None)

    calls = Booking.objects.filter(start__gte=bounds[0], start__lt=bounds[2]).exclude(
        status=BookingStatus.CANCELLED
    )
    if not team:
        calls = calls.filter(consultant=consultant) if consultant else calls.none()
    rows = list(calls.select_related("consultant").order_by("start", "pk"))

    days = []
    for label, day, since, until in (
        ("Today", today, bounds[0], bounds[1]),
        ("Tomorrow", tomorrow, bounds[1], bounds[2]),
    ):
        days.append(
            AgendaDay(
                label=label,
                day=day,
                calls=tuple(
                    _call(booking, zone)
                    for booking in rows
                    if since <= booking.start < until
                ),
            )
        )
    next_call, next_label = None, ""
    if not rows:
        # A quiet two days: say when the next call is rather than only "no calls".
        later = Booking.objects.filter(
            start__gte=bounds[2], status=BookingStatus.CONFIRMED
        )
        if not team:
            later = later.filter(consultant=consultant) if consultant else later.none()
        next_call = later.select_related("consultant").order_by("start", "pk").first()
        if next_call is not None:
            local = next_call.start.astimezone(zone)
            next_label = f"{short_date_label(local.date())} {clock_label(local)}"
    return Agenda(
        days=tuple(days),
        zone_name=str(zone),
        consultant=consultant,
        may_see_team=may_see_team,
        team=team,
        next_call=next_call,
        next_label=next_label,
    )
