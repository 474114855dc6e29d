"""Correcting a client's mistyped email address, and sending them what they missed.

Shared by the booking's and the assessment's correction (``bookings.corrections``,
``advisor.corrections``): each changes its own row's address under its own rules, then
calls ``client_email_resend`` in the same transaction. The last email sent to the old
address about the row goes to the new one, rebuilt for it when the caller can (a
booking's invitation names its attendee), else as it was; the change is logged as an
entry on the row's notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from consult.emails import email_copy_to
from consult.enums import NoteKind
from consult.models import OutboundEmail
from consult.notes import note_add

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.db import models

    from consult.notes import NoteBase


@dataclass(frozen=True)
class EmailCorrection:
    previous: str
    # The corrected address, as the row now stores it.
    to: str
    # The last email, now queued to the new address; None if the client had been
    # sent nothing yet.
    resent: OutboundEmail | None


def email_last_to(*, about: models.Model, address: str) -> OutboundEmail | None:
    """The newest email about ``about`` that went (or was to go) to ``address``."""
    return (
        OutboundEmail.objects.about(about)
        .filter(to__iexact=address)
        .order_by("-created_at", "-pk")
        .first()
    )


def client_email_resend(  # noqa: PLR0913 -- keyword-only, each part of the correction
    *,
    about: models.Model,
    previous: str,
    to: str,
    by: AbstractBaseUser | AnonymousUser,
    note_model: type[NoteBase],
    note_owner: dict[str, Any],
    now: datetime,
    rebuild: Callable[[OutboundEmail], OutboundEmail | None] | None = None,
) -> EmailCorrection:
    """Send the last email to ``previous`` about ``about`` again to ``to``; log it.

    ``rebuild`` may queue the email afresh for the new address and return it; when
    it returns None (or there is none) the email goes again as it was. The entry
    is a ``note_model`` status entry with ``note_owner`` (``{"booking": booking}``).
    Runs in the caller's transaction, after the caller saved the new address.
    """
    last = email_last_to(about=about, address=previous)
    resent = None
    if last is not None:
        resent = rebuild(last) if rebuild is not None else None
        if resent is None:
            resent = email_copy_to(email=last, to=to)
    told = f"; sent again: “{resent.subject}”" if resent is not None else ""
    note_add(
        model=note_model,
        author=by,
        kind=NoteKind.STATUS,
        text=f"Client's email address corrected: {previous} → {to}{told}",
        now=now,
        **note_owner,
    )
    return EmailCorrection(previous=previous, to=to, resent=resent)
