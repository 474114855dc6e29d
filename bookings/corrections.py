"""Correcting a client's mistyped email address, and sending them what they missed.

The last email the client was sent about the booking goes again, as it was, to the
corrected address: its manage link (if any) is still the live one, since any newer
link would have come in a newer email. The change is logged as an entry on the booking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings.models import Booking, BookingNote, email_key
from consult.emails import email_copy_to
from consult.enums import NoteKind
from consult.models import OutboundEmail
from consult.notes import note_add

if TYPE_CHECKING:
    from datetime import datetime

    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


@dataclass(frozen=True)
class EmailCorrection:
    previous: str
    # The copy of the last email, now queued to the new address; None if the client
    # had been sent nothing yet.
    resent: OutboundEmail | None


def _last_to(booking: Booking, address: str) -> OutboundEmail | None:
    return (
        OutboundEmail.objects.about(booking)
        .filter(to__iexact=address)
        .order_by("-created_at", "-pk")
        .first()
    )


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
    current = Booking.objects.select_for_update().get(pk=booking.pk)
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
    booking.email, booking.email_key = new.lower(), email_key(new)
    last = _last_to(current, previous)
    resent = email_copy_to(email=last, to=booking.email) if last is not None else None
    told = f"; sent again: “{last.subject}”" if last is not None else ""
    note_add(
        model=BookingNote,
        author=by,
        kind=NoteKind.STATUS,
        text=f"Client's email address corrected: {previous} → {booking.email}{told}",
        now=now,
        booking=booking,
    )
    return EmailCorrection(previous=previous, resent=resent)
