"""Calls whose time has passed wait for someone to say what came of them.

Nothing decides an outcome by itself: beat moves each confirmed call whose end has
passed to "awaiting outcome" (``booking_outcomes_due``), and a consultant records it
(``services.booking_mark_completed`` / ``booking_mark_no_show``). The move is also what
frees the client's mailbox for a new booking: the one-upcoming-call-per-mailbox index
covers confirmed calls only, and a database index cannot read the clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from bookings.enums import BookingStatus
from bookings.models import Booking, email_key

if TYPE_CHECKING:
    from datetime import datetime


def booking_outcomes_due(*, now: datetime | None = None, email: str = "") -> int:
    """Move confirmed calls that have ended to "awaiting outcome"; how many moved.

    With ``email``, only that mailbox's (a new booking's own check, so it never waits
    for the next scan). Compare-and-swap: a call cancelled or marked meanwhile stays so.
    """
    now = now or timezone.now()
    due = Booking.objects.filter(status=BookingStatus.CONFIRMED, end__lte=now)
    if email:
        due = due.filter(email_key=email_key(email))
    return due.update(status=BookingStatus.AWAITING_OUTCOME, updated_at=now)
