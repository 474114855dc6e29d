"""Writes for the advisor. Keyword-only, each in one transaction."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from advisor.engine import ContractError, decide, validate
from advisor.models import Assessment, Recommendation, UseCase
from advisor.selectors import assessment_contract, price_book_active
from consult.emails import email_queue
from consult.tokens import token_new

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


@transaction.atomic
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
    assessment.refresh_from_db()


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


def _api_spend(output: dict) -> Decimal | None:
    figures = [
        use_case["costs"]["api_monthly_usd"]
        for use_case in output["use_cases"]
        if use_case["costs"]["api_monthly_usd"] is not None
    ]
    return Decimal(str(round(sum(figures), 2))) if figures else None


@transaction.atomic
def assessment_submit(*, assessment: Assessment) -> Recommendation:
    """Run the engine and store its answer, once.

    The draft row is locked, so a double click or a resubmitted old page gets
    the recommendation the first request stored instead of a second one.
    Raises ``ContractError`` when the answers are incomplete.
    """
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.is_submitted:
        return Recommendation.objects.get(assessment=locked)
    contract = assessment_contract(locked)
    validated = validate(contract)
    book = price_book_active()
    result = decide(validated, book.prices())
    output = result.to_dict()
    recommendation = Recommendation.objects.create(
        assessment=locked,
        engine_version=output["engine_version"],
        price_book=book,
        input=contract,
        output=output,
        stack=output["stack"],
        api_monthly_usd=_api_spend(output),
    )
    now = timezone.now()
    Assessment.objects.filter(pk=locked.pk).update(
        status=Assessment.Status.SUBMITTED, submitted_at=now, updated_at=now
    )
    assessment.refresh_from_db()
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
        api_monthly_usd=_api_spend(result),
    )
    return assessment


@transaction.atomic
def assessment_email_link(*, assessment: Assessment, token: str) -> None:
    """Email the client their private link (to resume a draft or reopen a result)."""
    if not assessment.contact_email:
        return
    step = "result" if assessment.is_submitted else "about"
    url = settings.SITE_URL + reverse(f"advisor:{step}", kwargs={"token": token})
    now = timezone.now()
    email_queue(
        kind="link",
        to=assessment.contact_email,
        context={
            "name": assessment.contact_name,
            "url": url,
            "what": "your recommendation"
            if assessment.is_submitted
            else "your assessment",
        },
        # One email per click a minute at most: a double click sends one.
        dedupe_key=f"assessment-link:{assessment.pk}:{now:%Y%m%d%H%M}",
        related=assessment,
    )


__all__ = [
    "AlreadySubmitted",
    "ContractError",
    "StaleAnswers",
    "Started",
    "assessment_email_link",
    "assessment_save_step",
    "assessment_start",
    "assessment_submit",
    "use_case_remove",
    "use_case_save",
]
