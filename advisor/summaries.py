"""The PDF summary: built by a worker after submitting, stored, emailed, relayed.

The PDF carries a read-only share link to the result, never the client's private
link: a PDF gets forwarded (to a colleague, a CFO), and whoever holds it may see the
result but not change, delete or book anything. The worker makes that share link
itself when it builds the PDF (``LinkOrigin.SUMMARY_PDF``); the client sees it on
their links page and may revoke it, which builds the PDF again with a new one.

The summary email is the client's own, so it gives their private link. Only the
token's hash is stored, so the request that holds the token (submit, "Email me
this result") passes it to the ``pdf.assessment_summary`` task as an argument: it
lives in the broker until the task is acknowledged, is masked in Celery's logs and
events (``kwargsrepr``), and is never logged here. The beat relay, which catches up
on builds the broker lost, has no token: that email links to the booking page only,
and "Email me this result" sends the private link again.
"""

import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from advisor import links
from advisor.enums import LinkKind, LinkOrigin
from advisor.models import Assessment, AssessmentLink, UseCase
from advisor.pdf import SummaryData, assessment_summary_pdf, summary_filename
from advisor.selectors import (
    SUMMARY_CONTENT_TYPE,
    assessment_summary_data,
    booking_url,
    result_url,
)
from consult.emails import Attachment, email_queue
from consult.enqueue import enqueue, enqueue_on_commit
from consult.models import OutboundEmail
from consult.tokens import token_hash

logger = logging.getLogger(__name__)


# A build still missing this long after submitting never reached a worker.
SUMMARY_RELAY_GRACE = timedelta(minutes=2)
# A build that has kept failing for this long needs a person, not another try
# every minute: the relay leaves it (the assessment shows no PDF in the admin).
SUMMARY_RELAY_MAX_AGE = timedelta(days=2)
SUMMARY_RELAY_BATCH = 100
# A relayed build waiting longer than this is dropped by the worker, so a pdf
# worker that is down for hours finds at most ten per assessment, not hundreds.
SUMMARY_RELAY_EXPIRES = 10 * 60
SUMMARY_TASK = "pdf.assessment_summary"


def summary_build_enqueue(
    *,
    assessment_id: int,
    token: str | None,
    expires: int | None = None,
    relink: bool = False,
    on_commit: bool = True,
) -> None:
    kwargs: dict[str, Any] = {"assessment_id": assessment_id}
    if token:
        kwargs["token"] = token
    if relink:
        kwargs["relink"] = True
    # After the commit the broker may be down, or in-process the build itself may
    # fail: the submit stands, and the relay builds it later.
    publish = enqueue_on_commit if on_commit else enqueue
    publish(
        SUMMARY_TASK,
        kwargs=kwargs,
        kwargsrepr=repr({"assessment_id": assessment_id, "token": "…"}),
        expires=expires,
        about=f"assessment {assessment_id}",
        if_lost="summary build not done now; the relay will retry",
    )


def summary_email_dedupe_key(assessment_id: int, *, asked_at: datetime | None) -> str:
    """One summary email per build, or per minute when the client asks for it again."""
    key = f"assessment-summary:{assessment_id}"
    return f"{key}:{asked_at:%Y%m%d%H%M}" if asked_at else key


def summary_email_queue(
    *,
    assessment: Assessment,
    summary: SummaryData,
    token: str | None,
    dedupe_key: str,
) -> None:
    """The client's summary email; ``token``, their private link, goes in its body."""
    use_cases = [
        {
            "name": use_case.name,
            "path": use_case.path,
            "path_label": use_case.path_label,
            "option_label": use_case.option_label,
            "monthly_usd": use_case.monthly_usd,
        }
        for use_case in summary.use_cases
    ]
    email_queue(
        kind="assessment_summary",
        to=assessment.contact_email,
        context={
            "name": assessment.contact_name,
            "company": summary.company,
            "stack": summary.stack,
            "stack_label": summary.stack_label,
            "summary": summary.summary,
            "use_cases": use_cases,
            # The recommended options added up; None for an answer made before
            # engine 2026.2 (an email rebuilt for a renewed link may be one).
            "totals": summary.totals,
            "result_url": result_url(token) if token else None,
            "booking_url": booking_url(token),
            "price_book_as_of": summary.price_book_as_of,
        },
        dedupe_key=dedupe_key,
        attachments=[
            Attachment.stored(
                summary_filename(summary.company),
                SUMMARY_CONTENT_TYPE,
                # Built before its email is queued, so it has a name.
                assessment.summary_pdf.name or "",
            )
        ],
        related=assessment,
    )


def _share_link_new(assessment: Assessment) -> tuple[str, SummaryData]:
    """A fresh share link for the client's PDF, and the PDF's data with it."""
    share_token = links.assessment_link_create(
        assessment=assessment, kind=LinkKind.SHARE, origin=LinkOrigin.SUMMARY_PDF
    )
    return share_token, assessment_summary_data(
        assessment=assessment, share_token=share_token
    )


def _share_link_drop(share_token: str) -> None:
    # A copy that lost the race is deleted, and so is the link only it carried.
    AssessmentLink.objects.filter(token_hash=token_hash(share_token)).delete()


def _summary_pdf_store(*, assessment: Assessment) -> bool:
    """Render and store the client's and the staff copy unless another worker got there first."""
    old_names = {
        assessment.summary_pdf.name or "",
        assessment.staff_summary_pdf.name or "",
    }
    share_token, summary = _share_link_new(assessment)
    new_names = {
        field: _summary_file_save(data)
        for field, data in (
            ("summary_pdf", summary),
            ("staff_summary_pdf", assessment_summary_data(assessment=assessment)),
        )
    }
    now = timezone.now()
    # A conditional update of just these fields, not save(): of two workers
    # building at once (a redelivered message) one wins, and the loser removes
    # its copies instead of orphaning the winner's.
    stored = Assessment.objects.filter(
        pk=assessment.pk, summary_pdf_built_at__isnull=True
    ).update(**new_names, summary_pdf_built_at=now)
    if not stored:
        for name in new_names.values():
            default_storage.delete(name)
        _share_link_drop(share_token)
        assessment.refresh_from_db(
            fields=["summary_pdf", "staff_summary_pdf", "summary_pdf_built_at"]
        )
        return False
    # A rebuild (staff cleared ``summary_pdf_built_at``) replaces the files.
    for old_name in old_names - set(new_names.values()) - {""}:
        default_storage.delete(old_name)
    assessment.summary_pdf.name = new_names["summary_pdf"]
    assessment.staff_summary_pdf.name = new_names["staff_summary_pdf"]
    assessment.summary_pdf_built_at = now
    return True


def _summary_file_save(summary: SummaryData) -> str:
    # A random name: storage is private, but should it ever be exposed by
    # mistake (a public bucket), names must not be guessable.
    return default_storage.save(
        f"summaries/{secrets.token_urlsafe(16)}.pdf",
        ContentFile(assessment_summary_pdf(summary=summary)),
    )


def _summary_pdf_relink(*, assessment: Assessment) -> bool:
    """Replace the client's copy with one carrying a new share link.

    For when the client revoked the share link their PDF carried: the stored copy
    (downloaded from the result page, attached to emails still to go) gets a link
    that works, while copies already sent keep the revoked one.
    """
    old_name = assessment.summary_pdf.name or ""
    share_token, summary = _share_link_new(assessment)
    new_name = _summary_file_save(summary)
    with transaction.atomic():
        # Only while nothing replaced the file meanwhile.
        replaced = Assessment.objects.filter(
            pk=assessment.pk, summary_pdf=old_name
        ).update(summary_pdf=new_name)
        if replaced:
            _queued_attachments_move(assessment=assessment, old=old_name, new=new_name)
    if not replaced:
        _share_link_drop(share_token)
    default_storage.delete(old_name if replaced else new_name)
    return bool(replaced)


def _queued_attachments_move(*, assessment: Assessment, old: str, new: str) -> None:
    # An email still to go (its worker was down, or it is being sent and may be
    # deferred) reads the file when it is sent: it gets the new copy, whose links
    # work, instead of a deleted file.
    queued = (
        OutboundEmail.objects.select_for_update()
        .about(assessment)
        .filter(
            status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENDING],
        )
    )
    for email in queued:
        parts = [
            {**part, "storage_name": new} if part.get("storage_name") == old else part
            for part in email.attachments
        ]
        if parts != email.attachments:
            email.attachments = parts
            email.save(update_fields=["attachments"])


def assessment_summary_build(
    *, assessment_id: int, token: str | None = None, relink: bool = False
) -> bool:
    """Build the summary PDF once and queue its email; True if this call built it.

    Idempotent: a second run finds the PDF built and the email's dedupe key
    taken, and does nothing. The PDF is rendered outside any transaction, so no
    row stays locked while ReportLab works. ``token`` is the client's private
    link, for the email only. With ``relink`` (the client revoked the share link
    the PDF carried) a PDF already built is rendered again with a new share link,
    without an email.
    """
    assessment = (
        Assessment.objects.select_related("recommendation__price_book")
        .prefetch_related(
            Prefetch("use_cases", queryset=UseCase.objects.order_by("position"))
        )
        .filter(pk=assessment_id, status=Assessment.Status.SUBMITTED)
        .first()
    )
    if assessment is None:
        logger.warning(
            "assessment %s: no submitted assessment to summarise", assessment_id
        )
        return False
    if relink:
        if assessment.summary_pdf_built_at is None:
            # Not built yet: the build to come makes its own share link.
            return False
        return _summary_pdf_relink(assessment=assessment)
    if token is not None:
        link = links.link_active_by_token(token, kind=LinkKind.PRIVATE)
        if link is None or link.assessment_id != assessment.pk:
            # Never put a link to something else, or a revoked one, in this email.
            logger.warning(
                "assessment %s: the token given is not an active link", assessment_id
            )
            token = None
    built = False
    if assessment.summary_pdf_built_at is None:
        built = _summary_pdf_store(assessment=assessment)
        if built:
            logger.info("assessment %s: summary PDF built", assessment_id)
    if assessment.contact_email:
        with transaction.atomic():
            summary_email_queue(
                assessment=assessment,
                summary=assessment_summary_data(assessment=assessment),
                token=token,
                dedupe_key=summary_email_dedupe_key(assessment.pk, asked_at=None),
            )
    return built


def assessment_summaries_relay(*, now: datetime | None = None) -> int:
    """Enqueue the builds the broker lost; return how many were enqueued.

    A build that did reach a worker is harmless to enqueue again: it finds the
    PDF built and stops.
    """
    now = now or timezone.now()
    assessment_ids = list(
        Assessment.objects.filter(
            status=Assessment.Status.SUBMITTED,
            summary_pdf_built_at__isnull=True,
            submitted_at__lte=now - SUMMARY_RELAY_GRACE,
            submitted_at__gte=now - SUMMARY_RELAY_MAX_AGE,
        )
        .order_by("submitted_at")
        .values_list("pk", flat=True)[:SUMMARY_RELAY_BATCH]
    )
    for assessment_id in assessment_ids:
        summary_build_enqueue(
            assessment_id=assessment_id,
            token=None,
            expires=SUMMARY_RELAY_EXPIRES,
            on_commit=False,
        )
    if assessment_ids:
        logger.warning("summary relay: %s build(s) re-enqueued", len(assessment_ids))
    return len(assessment_ids)
