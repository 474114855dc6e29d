"""Whether each email about a row went out: the delivery panel of the admin's pages.

The outbox knows queued, sending, sent (the mail server took it), failed (every try
failed, or our side could not send it) and bounced (the recipient's server refused
it, at once or later in a bounce report read by ``consult.bounces``). A page whose
client's last email bounced or failed says so above everything else
(``delivery_problems``), with the way to correct the address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.template.defaultfilters import truncatechars
from django.urls import reverse

from consult.models import OutboundEmail, related_key
from consult.timezones import viewer_label as viewer_time

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.db import models

DELIVERY_LIMIT = 50
PROBLEMS = (OutboundEmail.Status.BOUNCED, OutboundEmail.Status.FAILED)


# What each email is, in words, by its template folder under ``emails/``.
KIND_LABELS = {
    "assessment_summary": "Result summary",
    "assessment_shared": "Shared result",
    "link": "Private link",
    "booking_confirmation": "Booking confirmation",
    "booking_moved": "New time",
    "booking_cancelled": "Cancellation",
    "booking_reminder": "Reminder",
    "booking_missed": "Sorry we missed you",
    "booking_reassigned": "New consultant",
    "booking_consultant_new": "New call (to the consultant)",
    "booking_consultant_moved": "Call moved (to the consultant)",
    "booking_consultant_cancelled": "Call cancelled (to the consultant)",
    "booking_consultant_reminder": "Reminder (to the consultant)",
    "booking_consultant_handed_over": "Call handed over (to the consultant)",
}


def kind_label(kind: str) -> str:
    """``booking_moved`` as "New time"; a kind without words as its name spelled out."""
    return KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()


def delivery_rows(
    *objects: models.Model, log_links: bool = False
) -> list[dict[str, object]]:
    """The emails caused by ``objects``, newest first, as the panel shows them."""
    emails = (
        OutboundEmail.objects.about(*objects)
        .only(
            "kind",
            "to",
            "status",
            "created_at",
            "sent_at",
            "last_error",
            "attempts",
            "bounced_at",
            "related_model",
            "related_id",
        )
        .order_by("-created_at", "-pk")[:DELIVERY_LIMIT]
    )
    return [
        {
            "email": email,
            "kind": kind_label(email.kind),
            "status": email.get_status_display(),
            "queued": viewer_time(email.created_at),
            "sent": viewer_time(email.sent_at) if email.sent_at else "",
            "bounced": viewer_time(email.bounced_at) if email.bounced_at else "",
            "problem": email.status in PROBLEMS,
            "error": truncatechars(email.last_error, 160),
            "url": reverse("admin:consult_outboundemail_change", args=[email.pk])
            if log_links
            else "",
        }
        for email in emails
    ]


def delivery_problems(
    rows: Sequence[dict[str, object]],
    pairs: Sequence[tuple[models.Model, str]],
) -> list[dict[str, object] | None]:
    """For each (row, address) pair, the last email about the row to that address, if
    it bounced or failed; None when it went out, is on its way, or there is none.

    Read from ``rows``, the panel's ``delivery_rows`` about those rows (newest first),
    so the page asks the database nothing more.
    """
    wanted = {
        (*related_key(row), address.lower()): index
        for index, (row, address) in enumerate(pairs)
        if address
    }
    found: list[dict[str, object] | None] = [None] * len(pairs)
    seen: set[tuple[str, str, str]] = set()
    for delivery in rows:
        email = delivery["email"]
        assert isinstance(email, OutboundEmail)  # noqa: S101 -- for the type checker
        key = (email.related_model, email.related_id, email.to.lower())
        if key not in wanted or key in seen:
            continue
        # Only the latest email to the address tells whether it works now.
        seen.add(key)
        if email.status in PROBLEMS:
            found[wanted[key]] = {
                "email": email,
                "kind": kind_label(email.kind).lower(),
                "status": email.get_status_display().lower(),
                "reason": truncatechars(email.last_error, 300)
                or "the mail server gave no reason",
            }
    return found
