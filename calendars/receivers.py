"""Receivers of the bookings' and privacy's domain events: queue each change for the
consultant's CalDAV calendar (an erased client's calls are written again without them). They run inside the booking's transaction and only write outbox rows
(``calendars.services.writes_queue``); the network is reached by the worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bookings import events
from calendars import services
from privacy import events as privacy_events

if TYPE_CHECKING:
    from datetime import datetime

    from bookings.models import Booking, Consultant


def booking_changed(
    sender: object, *, booking: Booking, now: datetime, **kwargs
) -> None:
    services.writes_queue(booking=booking, now=now)


def booking_reassigned(
    sender: object,
    *,
    booking: Booking,
    previous_consultant: Consultant,
    now: datetime,
    **kwargs,
) -> None:
    # Removed from the calendars of the consultant it was with, written into the new
    # one's: the write of each account follows whose call it now is.
    services.writes_queue(booking=booking, now=now)
    services.writes_queue(
        booking=booking, now=now, consultant_id=previous_consultant.pk
    )


def client_erased(sender: object, *, booking_ids: list[int], **kwargs) -> None:
    services.writes_requeue(booking_ids=booking_ids)


def connect() -> None:
    """Connected once, by the app's ``ready``."""
    for signal in (
        events.booking_created,
        events.booking_rescheduled,
        events.booking_cancelled,
    ):
        signal.connect(booking_changed, dispatch_uid=f"calendars.writes:{id(signal)}")
    events.booking_reassigned.connect(
        booking_reassigned, dispatch_uid="calendars.writes:booking_reassigned"
    )
    privacy_events.client_erased.connect(
        client_erased, dispatch_uid="calendars.writes:client_erased"
    )
