"""Reads of the calendars app: the subscription feed's owner and calls, and the calendars
whose reads have gone stale (for the dashboard)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q

from bookings.enums import ACTIVE_STATUSES, HELD_STATUSES
from bookings.models import Booking
from calendars.models import CalDAVAccount, CalendarFeed, CalendarSubscription
from consult.tokens import token_hash, token_matches

if TYPE_CHECKING:
    from bookings.models import Consultant

# Tokens are 43 characters; anything much longer is not ours.
MAX_TOKEN_LENGTH = 64
# How far back the subscription feed reaches: recent calls stay in the calendar.
FEED_PAST = timedelta(days=90)


def subscription_consultant(token: str) -> Consultant | None:
    """The consultant whose private subscription address carries ``token``."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    found = (
        CalendarSubscription.objects.select_related("consultant__user")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if found is None or not token_matches(token, found.token_hash):
        return None
    return found.consultant


def subscription_bookings(*, consultant: Consultant, now: datetime) -> list[Booking]:
    """The consultant's calls for their calendar: upcoming and recent, not cancelled."""
    bookings = list(
        Booking.objects.filter(
            consultant=consultant,
            status__in=(*ACTIVE_STATUSES, *HELD_STATUSES),
            end__gt=now - FEED_PAST,
        ).order_by("start")
    )
    for booking in bookings:
        booking.consultant = consultant
    return bookings


@dataclass(frozen=True)
class StaleCalendar:
    consultant: str
    name: str
    last_success_at: datetime | None
    last_error: str


def calendars_stale(
    *, now: datetime, consultant_id: int | None = None
) -> list[StaleCalendar]:
    """Active calendars not read successfully for ``CALENDAR_STALE_MINUTES``: one query.

    ``consultant_id`` narrows them to one consultant's.
    """
    limit = now - timedelta(minutes=settings.CALENDAR_STALE_MINUTES)
    stale = Q(is_active=True) & (
        Q(last_success_at__lt=limit)
        | Q(last_success_at__isnull=True, created_at__lt=limit)
    )
    if consultant_id is not None:
        stale &= Q(consultant_id=consultant_id)
    columns = ("consultant__display_name", "name", "last_success_at", "last_error")
    rows = (
        CalendarFeed.objects.filter(stale)
        .order_by()
        .values_list(*columns)
        .union(
            CalDAVAccount.objects.filter(stale).order_by().values_list(*columns),
            all=True,
        )
        .order_by("consultant__display_name", "name")
    )
    return [StaleCalendar(*row) for row in rows]
