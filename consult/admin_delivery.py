"""Whether each email about a row went out: the delivery panel of the admin's pages.

The outbox knows queued, sending, sent (the mail server took it) and failed (it
refused it, or every try failed). A bounce after the server took the email is not
reported back to the outbox, so "sent" is as far as this can tell.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.template.defaultfilters import truncatechars
from django.urls import reverse

from consult.models import OutboundEmail
from consult.timezones import viewer_label as viewer_time

if TYPE_CHECKING:
    from django.db import models

DELIVERY_LIMIT = 50


def kind_label(kind: str) -> str:
    """``booking_consultant_new`` as "Booking consultant new"."""
    return kind.replace("_", " ").capitalize()


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
            "error": truncatechars(email.last_error, 160),
            "url": reverse("admin:consult_outboundemail_change", args=[email.pk])
            if log_links
            else "",
        }
        for email in emails
    ]
