"""Erasing a client's data, on request and when its retention runs out.

It spans the apps (assessments, bookings and the emails about them), so it
lives in an app of its own above both. A client erases their data from their private
link; the purge erases drafts left untouched for DRAFT_RETENTION_DAYS and
everything else DATA_RETENTION_DAYS after it was last needed.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from advisor.models import Assessment
from advisor.services import assessment_delete, assessment_links_delete
from bookings.enums import BookingStatus, CancelledBy
from bookings.models import Booking
from bookings.services import (
    booking_cancel,
    booking_client_details_erase,
    booking_links_delete,
)
from consult.models import ERASED_SUBJECT, OutboundEmail
from privacy import events

ERASED_NAME = "(deleted)"
ERASED_REASON = "The client deleted their data."


def erased_address(key: str) -> str:
    # A syntactically valid address under a reserved domain: it can never be delivered.
    return f"deleted-{key}@erased.invalid"


WITHDRAWN = "Not sent: the client deleted their data."
# Emails no worker will touch again: their content can go.
FINISHED = (
    OutboundEmail.Status.SENT,
    OutboundEmail.Status.FAILED,
    OutboundEmail.Status.BOUNCED,
)


def _emails_withdraw(*objects: models.Model) -> int:
    """Stop the emails about these rows that have not started to go out.

    Called before the erasure queues its own notices (a cancellation), so those
    are the only emails about an erased client that are still sent. An email being
    sent this very moment cannot be called back; ``_emails_erase`` marks it.
    """
    withdrawn = OutboundEmail.objects.about(*objects).filter(
        status=OutboundEmail.Status.QUEUED
    )
    pks = list(withdrawn.values_list("pk", flat=True))
    OutboundEmail.objects.filter(pk__in=pks).update(
        status=OutboundEmail.Status.FAILED, last_error=WITHDRAWN, next_attempt_at=None
    )
    return OutboundEmail.objects.filter(pk__in=pks).content_erase()


def _admin_log_redact(*objects: models.Model) -> int:
    """Remove the client's name from the admin's history of these rows.

    The history keeps who did what and when; the row's name (a booking's "client with
    consultant at ...", an assessment's company) and the names of related rows in
    add/delete messages are replaced.
    """
    redacted = 0
    for obj in objects:
        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(
                obj, for_concrete_model=True
            ),
            object_id=str(obj.pk),
        )
        for entry in entries.only("pk", "change_message"):
            LogEntry.objects.filter(pk=entry.pk).update(
                object_repr=ERASED_NAME,
                change_message=_change_message_redacted(entry.change_message),
            )
            redacted += 1
    return redacted


def _change_message_redacted(message: str) -> str:
    """Django's JSON change message without object names; a free-text one dropped."""
    try:
        parts = json.loads(message) if message else []
    except ValueError:
        return ""
    if not isinstance(parts, list):
        return ""
    kept = []
    for part in parts:
        if not isinstance(part, dict):
            continue
        kept.append(
            {
                action: {"name": detail.get("name", ""), "object": ERASED_NAME}
                if isinstance(detail, dict) and "object" in detail
                else detail
                for action, detail in part.items()
            }
        )
    return json.dumps(kept)


def _emails_erase(*objects: models.Model) -> int:
    """Strip the recipient and content of the emails about these rows.

    Emails still to go out (a cancellation notice, say) are sent first: they are
    marked, and erased as soon as they are sent (``consult.emails.email_send``) or,
    if they fail, by the next purge. Marking comes first, so an email whose sending
    finishes in between is caught by one statement or the other.
    """
    emails = OutboundEmail.objects.about(*objects)
    emails.filter(
        status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENDING]
    ).update(erase_when_done=True)
    return emails.filter(status__in=FINISHED).content_erase()


@transaction.atomic
def booking_erase(*, booking: Booking, now: datetime | None = None) -> None:
    """Cancel a booking still to come (the consultant is told) and strip the client's details."""
    now = now or timezone.now()
    events.client_erased.send(
        Booking, assessment_ids=[], booking_ids=[booking.pk], now=now
    )
    _booking_erase(booking=booking, now=now)


def _booking_erase(*, booking: Booking, now: datetime) -> None:
    # Every manage link stops working at once: the booking row stays (the
    # consultant's history), but nothing reaches it from outside any more.
    booking_links_delete(booking=booking)
    _emails_withdraw(booking)
    if booking.status == BookingStatus.CONFIRMED and booking.start > now:
        booking_cancel(
            booking=booking, reason=ERASED_REASON, by=CancelledBy.CLIENT, now=now
        )
    booking_client_details_erase(
        booking=booking,
        name=ERASED_NAME,
        email=erased_address(f"booking-{booking.uid}"),
        now=now,
    )
    _emails_erase(booking)
    _admin_log_redact(booking)


def _bookings_of(assessment: Assessment) -> QuerySet[Booking]:
    # assessment_ref covers bookings made before the key existed.
    return Booking.objects.filter(
        Q(assessment=assessment) | Q(assessment_ref=str(assessment.pk))
    )


@transaction.atomic
def assessment_erase(*, assessment: Assessment, now: datetime | None = None) -> None:
    """Delete an assessment, its answers, result and PDF; erase the bookings made from it."""
    now = now or timezone.now()
    bookings = list(_bookings_of(assessment))
    events.client_erased.send(
        Assessment,
        assessment_ids=[assessment.pk],
        booking_ids=[booking.pk for booking in bookings],
        now=now,
    )
    # Private and share links alike: a forwarded share link stops showing the result.
    assessment_links_delete(assessment=assessment)
    _emails_withdraw(assessment)
    for booking in bookings:
        _booking_erase(booking=booking, now=now)
    _emails_erase(assessment)
    _admin_log_redact(assessment)
    for stored in (assessment.summary_pdf, assessment.staff_summary_pdf):
        if stored.name:
            # The file goes only once the rows are gone for good.
            transaction.on_commit(
                partial(stored.storage.delete, stored.name), robust=True
            )
    assessment_delete(assessment=assessment)


@dataclass(frozen=True)
class PurgeReport:
    drafts: int
    assessments: int
    bookings: int
    emails: int


def purge_dates(assessment: Assessment) -> datetime | None:
    """When the purge will erase this assessment (shown to staff)."""
    if assessment.status == Assessment.Status.DRAFT:
        return assessment.updated_at + timedelta(days=settings.DRAFT_RETENTION_DAYS)
    if assessment.submitted_at:
        return assessment.submitted_at + timedelta(days=settings.DATA_RETENTION_DAYS)
    return None


def privacy_purge(*, now: datetime | None = None) -> PurgeReport:
    """Erase what has outlived its retention; safe to run as often as wanted."""
    now = now or timezone.now()
    draft_cutoff = now - timedelta(days=settings.DRAFT_RETENTION_DAYS)
    data_cutoff = now - timedelta(days=settings.DATA_RETENTION_DAYS)

    drafts = 0
    for assessment in Assessment.objects.filter(
        status=Assessment.Status.DRAFT, updated_at__lt=draft_cutoff
    ):
        assessment_erase(assessment=assessment, now=now)
        drafts += 1
    assessments = 0
    for assessment in Assessment.objects.filter(
        status=Assessment.Status.SUBMITTED, submitted_at__lt=data_cutoff
    ):
        assessment_erase(assessment=assessment, now=now)
        assessments += 1
    bookings = 0
    for booking in Booking.objects.filter(end__lt=data_cutoff).exclude(
        name=ERASED_NAME
    ):
        booking_erase(booking=booking, now=now)
        bookings += 1
    finished = FINISHED
    # Emails of erased clients that failed, or whose erasure after sending was missed.
    OutboundEmail.objects.filter(erase_when_done=True, status__in=finished).exclude(
        subject=ERASED_SUBJECT
    ).content_erase()
    emails, _ = OutboundEmail.objects.filter(
        created_at__lt=data_cutoff, status__in=finished
    ).delete()
    return PurgeReport(
        drafts=drafts, assessments=assessments, bookings=bookings, emails=emails
    )
