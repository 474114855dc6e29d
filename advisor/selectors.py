"""Reads for the advisor: assessments by private token, and the engine contract."""

from django.db.models import Prefetch
from django.http import Http404

from advisor.models import Assessment, PriceBook, UseCase
from consult.tokens import token_hash, token_matches


def assessment_by_token(token: str) -> Assessment:
    """The assessment behind a private link, with its use cases; 404 otherwise."""
    digest = token_hash(token)
    assessment = (
        Assessment.objects.select_related("recommendation")
        .prefetch_related(
            Prefetch("use_cases", queryset=UseCase.objects.order_by("position"))
        )
        .filter(token_hash=digest)
        .first()
    )
    if assessment is None or not token_matches(token, assessment.token_hash):
        raise Http404("No assessment at this link.")
    return assessment


def assessment_contract(assessment: Assessment) -> dict:
    """The assessment in the engine's input contract."""
    organization: dict = {}
    if assessment.company:
        organization["name"] = assessment.company
    if assessment.industry:
        organization["industry"] = assessment.industry
    if assessment.ml_engineers is not None:
        organization["ml_engineers"] = assessment.ml_engineers
    if assessment.data_can_leave is not None:
        organization["data_can_leave"] = assessment.data_can_leave
    return {
        "organization": organization,
        "use_cases": [use_case.contract() for use_case in assessment.use_cases.all()],
    }


def price_book_active() -> PriceBook:
    book = PriceBook.objects.filter(is_active=True).first()
    if book is None:
        msg = "No active price book: activate one in the admin."
        raise PriceBook.DoesNotExist(msg)
    return book


def assessment_booking_prefill(token: str) -> dict | None:
    """What the booking form can carry over from a submitted assessment."""
    try:
        assessment = assessment_by_token(token)
    except Http404:
        return None
    if not assessment.is_submitted:
        return None
    stack = assessment.recommendation.stack
    names = ", ".join(use_case.name for use_case in assessment.use_cases.all())
    return {
        "assessment_id": assessment.pk,
        "name": assessment.contact_name,
        "email": assessment.contact_email,
        "company": assessment.company,
        "stack": stack,
        "topic": f"My assessment recommends a {stack.replace('_', '-')} stack for: {names}."
        if stack != "hybrid"
        else f"My assessment recommends a hybrid stack for: {names}.",
    }
