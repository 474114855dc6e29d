"""Writes for the advisor. Keyword-only, each in one transaction."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from advisor import events, links
from advisor.engine import ContractError, Result, decide, result_from_dict, validate
from advisor.enums import LinkKind, LinkOrigin
from advisor.models import (
    Assessment,
    AssessmentLink,
    PriceBook,
    Recommendation,
    UseCase,
)
from advisor.selectors import (
    assessment_contract,
    assessment_summary_data,
    price_book_active,
    share_url,
)
from advisor.summaries import (
    summary_build_enqueue,
    summary_email_dedupe_key,
    summary_email_queue,
)
from consult.emails import email_queue
from consult.tokens import token_hash

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


@transaction.atomic
def assessment_start() -> Started:
    assessment = Assessment.objects.create()
    token = links.assessment_link_create(
        assessment=assessment, kind=LinkKind.PRIVATE, origin=LinkOrigin.STARTED
    )
    return Started(assessment=assessment, token=token)


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
    # Without the version the page was built from there is no telling it is current.
    updated = version is not None and UseCase.objects.filter(
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
    summary_build_enqueue(assessment_id=locked.pk, token=token)
    locked.status = Assessment.Status.SUBMITTED
    locked.submitted_at = locked.updated_at = now
    events.assessment_submitted.send(
        Assessment, assessment=locked, recommendation=recommendation
    )
    # What the rows now hold, without reading them back.
    assessment.status = Assessment.Status.SUBMITTED
    assessment.submitted_at = assessment.updated_at = now
    assessment.recommendation = recommendation
    return recommendation


@transaction.atomic
def assessment_save_contract(
    *, contract: dict[str, Any], result: dict[str, Any], price_book: PriceBook
) -> Assessment:
    """Store an assessment that arrived as a contract (``manage.py advise --save``).

    It has no link at all: nobody outside holds one, and consultants see it in
    the admin.
    """
    organization = contract.get("organization") or {}
    now = timezone.now()
    assessment = Assessment.objects.create(
        status=Assessment.Status.SUBMITTED,
        submitted_at=now,
        company=organization.get("name") or "",
        industry=organization.get("industry") or "",
        ml_engineers=organization.get("ml_engineers", 0),
        data_can_leave=organization.get("data_can_leave", True),
        regulations=list(organization.get("regulations", [])),
    )
    for position, use_case in enumerate(contract["use_cases"], start=1):
        fields = {key: value for key, value in use_case.items() if key != "name"}
        UseCase.objects.create(
            assessment=assessment, position=position, name=use_case["name"], **fields
        )
    answer = result_from_dict(result)
    Recommendation.objects.create(
        assessment=assessment,
        engine_version=answer.engine_version,
        price_book=price_book,
        input=contract,
        output=result,
        stack=answer.stack,
        api_monthly_usd=_api_spend(answer),
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
            summary_build_enqueue(assessment_id=assessment.pk, token=token)
            return
        summary_email_queue(
            assessment=assessment,
            summary=assessment_summary_data(assessment=assessment),
            token=token,
            dedupe_key=summary_email_dedupe_key(assessment.pk, asked_at=now),
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


# The task that does a "lost my link" request's work, off the web request.
LINKS_RESEND_TASK = "advisor.links_resend"
RESUME_LIMIT = 5  # the most recent assessments a "lost my link" request renews


@transaction.atomic
def assessment_links_resend(*, email: str) -> int:
    """Send a fresh private link to each assessment started with this email.

    Only hashes of the links are stored, so an old link cannot be sent again: each
    assessment gets a new one, and the old ones keep working (in the client's
    emails, bookmarks and calendar) until the client revokes them on the links
    page the new link leads to. Returns how many were sent; the page never tells
    the visitor.
    """
    address = email.strip().lower()
    found = Assessment.objects.filter(contact_email=address)
    sent = 0
    for assessment in found.order_by("-updated_at")[:RESUME_LIMIT]:
        token = links.assessment_link_create(
            assessment=assessment, kind=LinkKind.PRIVATE, origin=LinkOrigin.LOST_LINK
        )
        step = "result" if assessment.is_submitted else "about"
        email_queue(
            kind="link",
            to=address,
            context={
                "name": assessment.contact_name,
                "url": settings.SITE_URL
                + reverse(f"advisor:{step}", kwargs={"token": token}),
                "links_url": settings.SITE_URL
                + reverse("advisor:links", kwargs={"token": token}),
                "what": (
                    f"your recommendation for {assessment.company}"
                    if assessment.is_submitted
                    else f"your assessment for {assessment.company or 'your company'}"
                ),
                "renewed": True,
            },
            dedupe_key=f"assessment-link-renewed:{assessment.pk}:{token_hash(token)[:16]}",
            related=assessment,
        )
        sent += 1
    return sent


def assessment_link_revoke(
    *, assessment: Assessment, link_id: int, used: AssessmentLink
) -> bool:
    """Revoke one of the assessment's links, never ``used`` (the one the client came
    in by, ``assessment.link`` from ``assessment_by_token``); True if done.

    Revoking the share link the PDF carries builds the PDF again with a new one, so
    the copy on the result page and in emails still to go has a link that works.
    """
    with transaction.atomic():
        link = (
            AssessmentLink.objects.select_for_update()
            .filter(pk=link_id, assessment=assessment)
            .first()
        )
        if link is None or not links.assessment_link_revoke(
            assessment=assessment, link_id=link.pk, keep=used
        ):
            return False
        if link.origin == LinkOrigin.SUMMARY_PDF:
            summary_build_enqueue(assessment_id=assessment.pk, token=None, relink=True)
    return True


def assessment_links_revoke_others(
    *, assessment: Assessment, used: AssessmentLink
) -> int:
    """Revoke every private link of the assessment but ``used`` ("sign out the
    others"); return how many. Share links stay: each is revoked on its own."""
    return links.assessment_links_revoke_others(
        assessment=assessment, keep=used, kind=LinkKind.PRIVATE
    )


# A result is forwarded to this many colleagues a day at most: the form sends
# email to any address, and the cap keeps it from being a way to send mail.
FORWARD_DAILY_LIMIT = 10


class ForwardLimitReached(Exception):
    """The result was forwarded ``FORWARD_DAILY_LIMIT`` times in the last day."""


@transaction.atomic
def assessment_forward(
    *, assessment: Assessment, to: str, now: datetime | None = None
) -> None:
    """Email a read-only share link of the result to a colleague of the client.

    The colleague gets a share link of their own (revocable on its own from the
    client's links page), never the client's private link.
    """
    if not assessment.is_submitted:
        msg = "Only a submitted result can be forwarded."
        raise ValueError(msg)
    now = now or timezone.now()
    # The row lock counts concurrent forwards of one result one at a time.
    Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
    recent = AssessmentLink.objects.filter(
        assessment=assessment,
        origin=LinkOrigin.FORWARDED,
        created_at__gt=now - timedelta(days=1),
    ).count()
    if recent >= FORWARD_DAILY_LIMIT:
        raise ForwardLimitReached
    address = to.strip().lower()
    token = links.assessment_link_create(
        assessment=assessment,
        kind=LinkKind.SHARE,
        origin=LinkOrigin.FORWARDED,
        note=address,
        now=now,
    )
    email_queue(
        kind="assessment_shared",
        to=address,
        context={
            "sender": assessment.contact_name,
            "company": assessment.company,
            "url": share_url(token),
        },
        dedupe_key=f"assessment-shared:{assessment.pk}:{token_hash(token)[:16]}",
        related=assessment,
    )


def assessment_share_link_make(*, assessment: Assessment) -> str:
    """A new read-only share link of the result, for the client to pass on; its
    token, shown to the client once (only its hash is kept)."""
    if not assessment.is_submitted:
        msg = "Only a submitted result can be shared."
        raise ValueError(msg)
    return links.assessment_link_create(
        assessment=assessment, kind=LinkKind.SHARE, origin=LinkOrigin.MADE
    )


def assessment_links_delete(*, assessment: Assessment) -> int:
    """Delete every link to the assessment, private and shared (erasure)."""
    return links.assessment_links_delete(assessment=assessment)


def assessment_delete(*, assessment: Assessment) -> None:
    """Delete an assessment with its use cases and result (their files are the caller's)."""
    assessment.delete()


@transaction.atomic
def price_book_activate(*, book: PriceBook) -> None:
    """Make ``book`` the one the engine costs new results with; earlier ones keep theirs."""
    PriceBook.objects.filter(is_active=True).update(is_active=False)
    PriceBook.objects.filter(pk=book.pk).update(is_active=True)


__all__ = [
    "AlreadySubmitted",
    "ContractError",
    "ForwardLimitReached",
    "StaleAnswers",
    "Started",
    "assessment_delete",
    "assessment_email_link",
    "assessment_forward",
    "assessment_link_revoke",
    "assessment_links_resend",
    "assessment_links_revoke_others",
    "assessment_save_step",
    "assessment_share_link_make",
    "assessment_start",
    "assessment_submit",
    "price_book_activate",
    "use_case_remove",
    "use_case_save",
]
