"""Writes for the advisor. Keyword-only, each in one transaction."""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Max, Prefetch
from django.urls import reverse
from django.utils import timezone

from advisor.engine import ContractError, Result, decide, result_from_dict, validate
from advisor.models import Assessment, Recommendation, UseCase
from advisor.pdf import SummaryData, assessment_summary_pdf, summary_filename
from advisor.selectors import (
    SUMMARY_CONTENT_TYPE,
    assessment_contract,
    assessment_summary_data,
    price_book_active,
)
from consult.emails import Attachment, email_queue
from consult.enqueue import enqueue, enqueue_on_commit
from consult.models import OutboundEmail
from consult.tokens import token_hash, token_matches, token_new

logger = logging.getLogger(__name__)

MAX_USE_CASES = 10  # the wizard's limit; the engine accepts more from the command line


class StaleAnswers(Exception):
    """The page was older than the saved answers (another tab saved first)."""


class AlreadySubmitted(Exception):
    """The assessment is submitted; its answers are final."""


@dataclass(frozen=True)
class Started:
    assessment: Assessment
    token: str


def assessment_start() -> Started:
    token, digest = token_new()
    return Started(assessment=Assessment.objects.create(token_hash=digest), token=token)


def assessment_save_step(
    *, assessment: Assessment, version: int, fields: dict[str, Any]
) -> None:
    """Save one step's answers if the page was current; raise ``StaleAnswers`` if not.

    A compare-and-swap on ``version``: two tabs that both loaded version 3 can't
    both save; the second is shown the newer answers instead of erasing them.
    """
    if assessment.is_submitted:
        raise AlreadySubmitted
    now = timezone.now()
    if "consent_contact" in fields:
        if fields["consent_contact"] and not assessment.consent_contact:
            fields["consent_at"] = now
        elif not fields["consent_contact"]:
            fields["consent_at"] = None
    updated = Assessment.objects.filter(
        pk=assessment.pk, version=version, status=Assessment.Status.DRAFT
    ).update(**fields, version=F("version") + 1, updated_at=now)
    if not updated:
        assessment.refresh_from_db()
        if assessment.is_submitted:
            raise AlreadySubmitted
        raise StaleAnswers
    # What the row now holds, without reading it back.
    for name, value in fields.items():
        setattr(assessment, name, value)
    assessment.version = version + 1
    assessment.updated_at = now


@transaction.atomic
def use_case_save(
    *,
    assessment: Assessment,
    fields: dict[str, Any],
    use_case: UseCase | None = None,
    version: int | None = None,
) -> UseCase:
    """Add a use case, or change one if the page was current."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.is_submitted:
        raise AlreadySubmitted
    now = timezone.now()
    if use_case is None:
        count = UseCase.objects.filter(assessment=locked).count()
        if count >= MAX_USE_CASES:
            msg = f"An assessment holds at most {MAX_USE_CASES} use cases."
            raise ValueError(msg)
        last = UseCase.objects.filter(assessment=locked).aggregate(Max("position"))
        position = (last["position__max"] or 0) + 1
        created = UseCase.objects.create(assessment=locked, position=position, **fields)
        Assessment.objects.filter(pk=locked.pk).update(updated_at=now)
        return created
    updated = UseCase.objects.filter(
        pk=use_case.pk, assessment=locked, version=version
    ).update(**fields, version=F("version") + 1)
    if not updated:
        raise StaleAnswers
    Assessment.objects.filter(pk=locked.pk).update(updated_at=now)
    use_case.refresh_from_db()
    return use_case


@transaction.atomic
def use_case_remove(*, assessment: Assessment, use_case: UseCase) -> None:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.is_submitted:
        raise AlreadySubmitted
    UseCase.objects.filter(pk=use_case.pk, assessment=locked).delete()
    Assessment.objects.filter(pk=locked.pk).update(updated_at=timezone.now())


def _api_spend(result: Result) -> Decimal | None:
    figures = [
        use_case.costs.api_monthly_usd
        for use_case in result.use_cases
        if use_case.costs.api_monthly_usd is not None
    ]
    return Decimal(str(round(sum(figures), 2))) if figures else None


@transaction.atomic
def assessment_submit(
    *, assessment: Assessment, token: str | None = None
) -> Recommendation:
    """Run the engine and store its answer, once; then build the PDF summary.

    The draft row is locked, so a double click or a resubmitted old page gets
    the recommendation the first request stored instead of a second one.
    Raises ``ContractError`` when the answers are incomplete. ``token`` (the
    private link the request came in by) goes to the PDF worker so the PDF and
    its email can link back to the result; see ``assessment_summary_build``.
    """
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.is_submitted:
        return Recommendation.objects.get(assessment=locked)
    contract = assessment_contract(locked)
    validated = validate(contract)
    book = price_book_active()
    result = decide(validated, book.prices())
    recommendation = Recommendation.objects.create(
        assessment=locked,
        engine_version=result.engine_version,
        price_book=book,
        input=contract,
        output=result.to_dict(),
        stack=result.stack,
        api_monthly_usd=_api_spend(result),
    )
    now = timezone.now()
    Assessment.objects.filter(pk=locked.pk).update(
        status=Assessment.Status.SUBMITTED, submitted_at=now, updated_at=now
    )
    _summary_build_enqueue(assessment_id=locked.pk, token=token)
    # What the rows now hold, without reading them back.
    assessment.status = Assessment.Status.SUBMITTED
    assessment.submitted_at = assessment.updated_at = now
    assessment.recommendation = recommendation
    return recommendation


@transaction.atomic
def assessment_save_contract(*, contract: dict, result: dict, price_book) -> Assessment:
    """Store an assessment that arrived as a contract (``manage.py advise --save``).

    It has no private link: nobody outside holds one, and consultants see it
    in the admin.
    """
    _, digest = token_new()
    organization = contract.get("organization") or {}
    now = timezone.now()
    assessment = Assessment.objects.create(
        token_hash=digest,
        status=Assessment.Status.SUBMITTED,
        submitted_at=now,
        company=organization.get("name") or "",
        industry=organization.get("industry") or "",
        ml_engineers=organization.get("ml_engineers", 0),
        data_can_leave=organization.get("data_can_leave", True),
    )
    for position, use_case in enumerate(contract["use_cases"], start=1):
        fields = {key: value for key, value in use_case.items() if key != "name"}
        UseCase.objects.create(
            assessment=assessment, position=position, name=use_case["name"], **fields
        )
    Recommendation.objects.create(
        assessment=assessment,
        engine_version=result["engine_version"],
        price_book=price_book,
        input=contract,
        output=result,
        stack=result["stack"],
        api_monthly_usd=_api_spend(result_from_dict(result)),
    )
    return assessment


@transaction.atomic
def assessment_email_link(*, assessment: Assessment, token: str) -> None:
    """Email the client their private link, or for a result its summary and PDF.

    One email per click a minute at most: a double click sends one.
    """
    if not assessment.contact_email:
        return
    now = timezone.now()
    if assessment.is_submitted:
        if assessment.summary_pdf_built_at is None:
            # The build, once done, sends the summary email itself (one, by
            # its dedupe key, however many clicks enqueued it).
            _summary_build_enqueue(assessment_id=assessment.pk, token=token)
            return
        _summary_email_queue(
            assessment=assessment,
            summary=assessment_summary_data(assessment=assessment, token=token),
            dedupe_key=f"assessment-summary:{assessment.pk}:{now:%Y%m%d%H%M}",
        )
        return
    url = settings.SITE_URL + reverse("advisor:about", kwargs={"token": token})
    email_queue(
        kind="link",
        to=assessment.contact_email,
        context={
            "name": assessment.contact_name,
            "url": url,
            "what": "your assessment",
        },
        dedupe_key=f"assessment-link:{assessment.pk}:{now:%Y%m%d%H%M}",
        related=assessment,
    )


RESUME_LIMIT = 5  # the most recent assessments a "lost my link" request renews


@transaction.atomic
def assessment_links_resend(*, email: str) -> int:
    """Send fresh private links to the assessments started with this email.

    Only hashes of the old links are stored, so they cannot be resent: each
    assessment gets a new link and the old one stops working (the email says so).
    Returns how many were sent; the page never tells the visitor.
    """
    address = email.strip().lower()
    found = Assessment.objects.select_for_update().filter(contact_email=address)
    sent = 0
    for assessment in found.order_by("-updated_at")[:RESUME_LIMIT]:
        token, digest = token_new()
        Assessment.objects.filter(pk=assessment.pk).update(token_hash=digest)
        if assessment.is_submitted:
            # The stored PDF links to the old address, which now gives a 404.
            _summary_build_enqueue(
                assessment_id=assessment.pk, token=token, relink=True
            )
        step = "result" if assessment.is_submitted else "about"
        email_queue(
            kind="link",
            to=address,
            context={
                "name": assessment.contact_name,
                "url": settings.SITE_URL
                + reverse(f"advisor:{step}", kwargs={"token": token}),
                "what": (
                    f"your recommendation for {assessment.company}"
                    if assessment.is_submitted
                    else f"your assessment for {assessment.company or 'your company'}"
                ),
                "renewed": True,
            },
            dedupe_key=f"assessment-link-renewed:{assessment.pk}:{digest[:16]}",
            related=assessment,
        )
        sent += 1
    return sent


# --- The PDF summary ---------------------------------------------------------
#
# The private token is not stored (only its hash), yet the PDF and its email
# should link back to the client's result. The request that holds the token
# (submit, "Email me this result") passes it to the ``pdf.assessment_summary``
# task as an argument: it lives in the broker until the task is acknowledged,
# is masked in Celery's logs and events (``kwargsrepr``), and is never logged
# here. The PDF carrying the link is private media, served only through the
# token-checked download view, and no more sensitive than the outbox row whose
# email body holds the same link. The beat relay, which catches up on builds
# the broker lost, has no token: that PDF and email link to the booking page
# only, and "Email me this result" sends the private link again.

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


def _summary_build_enqueue(
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


def _summary_email_queue(
    *, assessment: Assessment, summary: SummaryData, dedupe_key: str
) -> None:
    use_cases = [
        {
            "name": use_case.name,
            "path": use_case.path,
            "path_label": use_case.path_label,
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
            "result_url": summary.result_url,
            "booking_url": summary.booking_url,
            "price_book_as_of": summary.price_book_as_of,
        },
        dedupe_key=dedupe_key,
        attachments=[
            Attachment.stored(
                summary_filename(summary.company),
                SUMMARY_CONTENT_TYPE,
                assessment.summary_pdf.name,
            )
        ],
        related=assessment,
    )


def _summary_pdf_store(
    *, assessment: Assessment, summary: SummaryData, staff_summary: SummaryData
) -> bool:
    """Render and store the client's and the staff copy unless another worker got there first."""
    old_names = {assessment.summary_pdf.name, assessment.staff_summary_pdf.name}
    new_names = {
        field: _summary_file_save(data)
        for field, data in (
            ("summary_pdf", summary),
            ("staff_summary_pdf", staff_summary),
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
        assessment.refresh_from_db(
            fields=["summary_pdf", "staff_summary_pdf", "summary_pdf_built_at"]
        )
        return False
    # A rebuild (staff cleared ``summary_pdf_built_at``) replaces the files.
    for name in old_names - set(new_names.values()) - {""}:
        default_storage.delete(name)
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


def _summary_pdf_relink(
    *, assessment: Assessment, summary: SummaryData, token: str
) -> bool:
    """Replace the client's copy with one linking to their renewed private link."""
    old_name = assessment.summary_pdf.name
    new_name = _summary_file_save(summary)
    with transaction.atomic():
        # Only while this is still their link and nothing replaced the file meanwhile.
        replaced = Assessment.objects.filter(
            pk=assessment.pk, token_hash=token_hash(token), summary_pdf=old_name
        ).update(summary_pdf=new_name)
        if replaced:
            _queued_attachments_move(assessment=assessment, old=old_name, new=new_name)
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
    row stays locked while ReportLab works. With ``relink`` (the client's link was
    renewed) a PDF already built is rendered again for ``token``, without an email.
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
    if token is not None and not token_matches(token, assessment.token_hash):
        # Never put a link to something else in this client's PDF.
        logger.warning("assessment %s: the token given does not match", assessment_id)
        token = None
    summary = assessment_summary_data(assessment=assessment, token=token)
    if relink and token and assessment.summary_pdf_built_at is not None:
        return _summary_pdf_relink(assessment=assessment, summary=summary, token=token)
    built = False
    if assessment.summary_pdf_built_at is None:
        built = _summary_pdf_store(
            assessment=assessment,
            summary=summary,
            staff_summary=assessment_summary_data(assessment=assessment, token=None),
        )
        if built:
            logger.info("assessment %s: summary PDF built", assessment_id)
    if assessment.contact_email:
        with transaction.atomic():
            _summary_email_queue(
                assessment=assessment,
                summary=summary,
                dedupe_key=f"assessment-summary:{assessment.pk}",
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
        _summary_build_enqueue(
            assessment_id=assessment_id,
            token=None,
            expires=SUMMARY_RELAY_EXPIRES,
            on_commit=False,
        )
    if assessment_ids:
        logger.warning("summary relay: %s build(s) re-enqueued", len(assessment_ids))
    return len(assessment_ids)


__all__ = [
    "AlreadySubmitted",
    "ContractError",
    "StaleAnswers",
    "Started",
    "assessment_email_link",
    "assessment_save_step",
    "assessment_start",
    "assessment_submit",
    "assessment_summaries_relay",
    "assessment_summary_build",
    "use_case_remove",
    "use_case_save",
]
