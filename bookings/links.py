"""The private manage links to a booking.

A token is random in the URL and only its SHA-256 is stored (``consult.tokens``). A
link is found by its hash, compared in constant time, and only while nobody has
revoked it; a revoked or unknown link is the same 404. A client may hold several at
once (the confirmation's, the calendar invite's, one from each "Lost your link?"):
a new link takes none away, and the client revokes the others on the booking's
links page, reached through any of them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from bookings.models import Booking, BookingLink
from bookings.tokens import token_hash, token_new

if TYPE_CHECKING:
    from bookings.enums import BookingLinkOrigin

# "Last used" is a guide for the client, not an audit trail: one write per link in
# this long at most, so reading a page does not write a row every time.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def booking_link_create(
    *,
    booking: Booking,
    origin: BookingLinkOrigin,
    token: str | None = None,
    now: datetime | None = None,
) -> str:
    """Add a manage link to ``booking``; return its token (the only time it is known).

    ``token`` is given for a booking form's own token (``token_for_submission``).
    """
    if token is None:
        token, digest = token_new()
    else:
        digest = token_hash(token)
    BookingLink.objects.create(
        booking=booking,
        origin=origin,
        token_hash=digest,
        created_at=now or timezone.now(),
    )
    return token


def link_used(link: BookingLink, *, now: datetime | None = None) -> None:
    """Note that ``link`` was just used, at most once per ``LAST_USED_RESOLUTION``."""
    now = now or timezone.now()
    if link.last_used_at is not None and now - link.last_used_at < LAST_USED_RESOLUTION:
        return
    BookingLink.objects.filter(pk=link.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    link.last_used_at = now


def booking_links_active(booking: Booking) -> QuerySet[BookingLink]:
    return BookingLink.objects.filter(
        booking=booking, revoked_at__isnull=True
    ).order_by("-created_at", "-pk")


def booking_link_revoke(*, booking: Booking, link_id: int, keep: BookingLink) -> bool:
    """Revoke one manage link of ``booking``, never ``keep`` (the one in use)."""
    if link_id == keep.pk:
        return False
    revoked = BookingLink.objects.filter(
        pk=link_id, booking=booking, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    return bool(revoked)


def booking_links_revoke_others(*, booking: Booking, keep: BookingLink) -> int:
    """Revoke every active manage link of ``booking`` but ``keep``; return how many."""
    return (
        BookingLink.objects.filter(booking=booking, revoked_at__isnull=True)
        .exclude(pk=keep.pk)
        .update(revoked_at=timezone.now())
    )


def booking_links_delete(*, booking: Booking) -> int:
    """Delete every link to ``booking``, revoked or not (erasure)."""
    deleted, _ = BookingLink.objects.filter(booking=booking).delete()
    return deleted
