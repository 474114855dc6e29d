"""The API's writes: tokens made, revoked and used, and the booking changes a read-write
token asks for (through the bookings services, logged in the admin's history with the
token's name)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone

from api.enums import Outcome, TokenScope
from api.models import ApiToken
from bookings import services as booking_services
from bookings.enums import CancelledBy

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from bookings.models import Booking

TOKEN_PREFIX = "cst_"  # noqa: S105 -- how our tokens begin, not a token
TOKEN_BYTES = 32
PREFIX_SHOWN = 12
# Writing the last-used time on every request would make each read a write.
LAST_USED_PRECISION = timedelta(minutes=1)


def api_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    # Shown once, then only its hash remains.
    secret: str


def api_token_secret_give(token: ApiToken) -> str:
    """A new secret for an unsaved token: its prefix and hash go in the row."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    token.prefix = secret[:PREFIX_SHOWN]
    token.token_hash = api_token_hash(secret)
    return secret


def api_token_create(*, name: str, owner: User, scope: TokenScope) -> NewToken:
    token = ApiToken(name=name, owner=owner, scope=scope)
    secret = api_token_secret_give(token)
    token.save(force_insert=True)
    return NewToken(token=token, secret=secret)


def api_token_revoke(*, token: ApiToken, now: datetime | None = None) -> bool:
    """Revoke a token for good; True if this call revoked it."""
    now = now or timezone.now()
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now
    )
    token.revoked_at = ApiToken.objects.values_list("revoked_at", flat=True).get(
        pk=token.pk
    )
    return bool(revoked)


def api_token_authenticate(
    *, secret: str, now: datetime | None = None
) -> ApiToken | None:
    """The live token ``secret`` names, its last use recorded; None otherwise.

    A revoked token, or one whose owner left the staff, is no token.
    """
    if not secret.startswith(TOKEN_PREFIX):
        return None
    hashed = api_token_hash(secret)
    token = (
        ApiToken.objects.select_related("owner")
        .filter(token_hash=hashed, revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.token_hash, hashed):
        return None
    if not (token.owner.is_active and token.owner.is_staff):
        return None
    now = now or timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def _log(*, token: ApiToken, booking: Booking, message: str) -> None:
    LogEntry.objects.log_actions(
        user_id=token.owner_id,
        queryset=[booking],
        action_flag=CHANGE,
        change_message=f"{message} (through the API, token “{token.name}”)",
    )


@transaction.atomic
def api_booking_cancel(
    *, token: ApiToken, booking: Booking, reason: str, now: datetime | None = None
) -> booking_services.ChangeResult:
    """Cancel as staff would in the admin: the client is emailed the reason."""
    result = booking_services.booking_cancel(
        booking=booking, reason=reason, by=CancelledBy.STAFF, now=now
    )
    if result.outcome == booking_services.Outcome.CANCELLED:
        _log(token=token, booking=result.booking, message=f"Cancelled: {reason}")
    return result


@transaction.atomic
def api_booking_outcome_record(
    *, token: ApiToken, booking: Booking, outcome: Outcome, now: datetime | None = None
) -> bool:
    """Mark a call that has begun completed or a no-show; True if it changed."""
    mark = (
        booking_services.booking_mark_completed
        if outcome == Outcome.COMPLETED
        else booking_services.booking_mark_no_show
    )
    changed = mark(booking=booking, now=now)
    if changed:
        _log(token=token, booking=booking, message=f"Marked {outcome.label.lower()}.")
    return changed
