"""Correcting a client's mistyped email address, and sending them what they missed.

The last email the client was sent about the booking goes again to the corrected
address (``consult.corrections``). A confirmation is made afresh for the new address,
with a further manage link and an invitation naming the new address as its attendee
(``booking_confirmation_resend``); the links sent before keep working, and the
client's links page lists them. Another email with an invitation (a move, a
cancellation) goes as it was with its invitation made out again; any other as it
was. The change is logged as an entry on the booking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings.emails import client_calendar
from bookings.enums import BookingStatus
from bookings.models import Booking, BookingNote, email_key
from bookings.services import booking_confirmation_resend
from consult.corrections import EmailCorrection, client_email_resend
from consult.emails import email_copy_to
from consult.models import OutboundEmail

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

__all__ = ["EmailCorrection", "booking_email_correct"]

CONFIRMATION = "booking_confirmation"


def _has_invitation(email: OutboundEmail) -> bool:
    return any(
        part.get("content_type", "").startswith("text/calendar")
        for part in email.attachments
    )


def _rebuild_for(
    booking: Booking, *, now: datetime
) -> Callable[[OutboundEmail], OutboundEmail | None]:
    def rebuild(last: OutboundEmail) -> OutboundEmail | None:
        if last.kind == CONFIRMATION and booking.status == BookingStatus.CONFIRMED:
            booking_confirmation_resend(booking=booking)
            return (
                OutboundEmail.objects.about(booking)
                .filter(kind=CONFIRMATION, to=booking.email)
                .order_by("-created_at", "-pk")
                .first()
            )
        if _has_invitation(last):
            return email_copy_to(
                email=last,
                to=booking.email,
                attachments=[client_calendar(booking, now=now)],
            )
        return None

    return rebuild


@transaction.atomic
def booking_email_correct(
    *,
    booking: Booking,
    email: str,
    by: AbstractBaseUser | AnonymousUser,
    now: datetime | None = None,
) -> EmailCorrection:
    """Replace the client's address with ``email`` and resend them the last message.

    Raises ValidationError when the address is the same, or another upcoming call
    already has this mailbox (one free call per mailbox).
    """
    now = now or timezone.now()
    new = email.strip()
    current = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("consultant__user")
        .get(pk=booking.pk)
    )
    previous = current.email
    if new.lower() == previous.lower():
        raise ValidationError("That is the address the booking already has.")
    try:
        with transaction.atomic():
            Booking.objects.filter(pk=current.pk, email=previous).update(
                email=new.lower(), email_key=email_key(new), updated_at=now
            )
    except IntegrityError:
        raise ValidationError(
            "Another upcoming consultation already uses this address."
        ) from None
    current.email, current.email_key = new.lower(), email_key(new)
    booking.email, booking.email_key = current.email, current.email_key
    return client_email_resend(
        about=current,
        previous=previous,
        to=current.email,
        by=by,
        note_model=BookingNote,
        note_owner={"booking": booking},
        now=now,
        rebuild=_rebuild_for(current, now=now),
    )
