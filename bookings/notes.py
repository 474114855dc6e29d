"""Notes as entries on a booking (``consult.notes``): prep for the call, what came of it.

Every call has somewhere to put a note, booked from an assessment or not. Whose
bookings a member of staff may write on is ``bookings.admin_scope``'s rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bookings.models import Booking, BookingNote
from consult.notes import note_add

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def booking_note_add(
    *,
    booking: Booking,
    author: AbstractBaseUser | AnonymousUser,
    text: str,
    now: datetime | None = None,
) -> BookingNote:
    """Append ``author``'s note to the booking."""
    return note_add(
        model=BookingNote, author=author, text=text, now=now, booking=booking
    )


def booking_notes_erase(*, booking_ids: Iterable[int]) -> int:
    """Delete the notes on these bookings: they speak of a client who erased their data."""
    deleted, _ = BookingNote.objects.filter(booking_id__in=list(booking_ids)).delete()
    return deleted
