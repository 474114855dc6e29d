"""Reads for the advisor: assessments by private token, the engine contract, and what
other apps show of an assessment (the booking prefill, the consultant's brief)."""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from advisor import charts, links
from advisor.engine import Result, UseCaseResult, result_from_dict
from advisor.enums import (
    COMPLIANCE_HEADINGS,
    OPTION_LABELS,
    OPTION_SHORT_LABELS,
    PATH_LABELS,
    RULED_OUT_HEADINGS,
    WARNING_HEADINGS,
    LinkKind,
)
from advisor.models import (
    Assessment,
    AssessmentLink,
    PriceBook,
    Recommendation,
    UseCase,
)
from advisor.pdf import SummaryData, UseCaseSummary, Words, summary_filename
from consult.emails import Attachment
from consult.timezones import date_label
from consult.tokens import token_hash, token_matches

SUMMARY_CONTENT_TYPE = "application/pdf"


# The engine's codes in words, for the pages, the PDF and the emails alike.
WORDS = Words(
    paths=PATH_LABELS,
    options=OPTION_LABELS,
    ruled_out=RULED_OUT_HEADINGS,
    warnings=WARNING_HEADINGS,
    compliance=COMPLIANCE_HEADINGS,
)


def path_label(path: str) -> str:
    """The engine's path or stack in words ("hybrid" is "Hybrid")."""
    return WORDS.path(path)


def option_label(option: str) -> str:
    return WORDS.option(option)


def ruled_out_heading(code: str) -> str:
    return WORDS.ruled_out_heading(code)


def warning_heading(code: str) -> str:
    return WORDS.warning(code)


def compliance_heading(code: str) -> str:
    return WORDS.compliance_heading(code)


def recommendation_answer(recommendation: Recommendation) -> Result:
    """The engine's stored answer, of whichever version made it."""
    return result_from_dict(recommendation.output)


def answer_chart(
    answer: UseCaseResult, *, monthly_requests: int
) -> charts.Chart | None:
    """The options chart of one use case, from its stored answer alone; None for an
    answer without priced options (made before engine 2026.2)."""
    return charts.options_chart(
        options=answer.costs.options,
        chosen=answer.option,
        path=answer.path,
        break_even_range=answer.costs.break_even_monthly_requests_range,
        monthly_requests=monthly_requests,
        label=lambda option: OPTION_SHORT_LABELS.get(option, option_label(option)),
    )


def use_case_count() -> Coalesce:
    """An assessment's number of use cases, as one subquery per row (0 for none)."""
    count = (
        UseCase.objects.filter(assessment=OuterRef("pk"))
        .order_by()
        .values("assessment")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)


class _HasUseCasePath(Func):
    """SQLite: does the engine output hold a use case on this path (``json_each``)?"""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        output_sql, output_params = compiler.compile(self.source_expressions[0])
        path_sql, path_params = compiler.compile(self.source_expressions[1])
        # Both parts are compiled expressions; the path travels as a parameter.
        sql = (
            f"EXISTS (SELECT 1 FROM json_each({output_sql}, '$.use_cases') AS item "  # noqa: S608
            f"WHERE json_extract(item.value, '$.path') = {path_sql})"
        )
        return sql, (*output_params, *path_params)


def recommendations_with_path(path_key: str) -> QuerySet[Recommendation]:
    """Recommendations with at least one use case on ``path_key``.

    PostgreSQL answers with JSON containment; SQLite (the embedded default) has no
    containment operator, so it looks through the array with ``json_each``.
    """
    if connection.vendor == "postgresql":
        return Recommendation.objects.filter(
            output__use_cases__contains=[{"path": path_key}]
        )
    has_path = _HasUseCasePath(F("output"), Value(path_key))
    return Recommendation.objects.alias(has_path=has_path).filter(has_path=True)


def assessment_for_prep_sheet(pk: int) -> Assessment | None:
    """An assessment with its answers, result and price book, for the prep sheet."""
    return (
        Assessment.objects.select_related(
            "recommendation", "recommendation__price_book", "assigned_to"
        )
        .prefetch_related("use_cases")
        .filter(pk=pk)
        .first()
    )


def assessment_by_token(token: str, *, use_cases: bool = True) -> Assessment:
    """The assessment behind an active private link; 404 otherwise.

    It carries ``use_case_count`` and ``link``, the private link it was opened by
    (whose "last used" this lookup brings up to date: the client's links page
    shows it). With ``use_cases`` its use cases (in order) and its recommendation
    come too; the wizard's form steps need only the count, in one query.
    """
    assessment = _assessment_by_link(token, LinkKind.PRIVATE, use_cases=use_cases)
    if assessment is None:
        raise Http404("No assessment at this link.")
    return assessment


def assessment_by_share_token(token: str) -> Assessment:
    """The submitted assessment behind an active share link; 404 otherwise."""
    assessment = _assessment_by_link(token, LinkKind.SHARE, use_cases=True)
    if assessment is None or not assessment.is_submitted:
        raise Http404("No result at this link.")
    return assessment


def _assessment_by_link(
    token: str, kind: LinkKind, *, use_cases: bool
) -> Assessment | None:
    if not token or len(token) > links.MAX_TOKEN_LENGTH:
        return None
    # The link and its assessment in one query: the join finds the link by its hash.
    queryset = Assessment.objects.filter(
        links__token_hash=token_hash(token),
        links__kind=kind,
        links__revoked_at__isnull=True,
    ).annotate(
        use_case_count=use_case_count(),
        link_pk=F("links__pk"),
        link_hash=F("links__token_hash"),
        link_last_used_at=F("links__last_used_at"),
    )
    if use_cases:
        queryset = queryset.select_related("recommendation").prefetch_related(
            Prefetch("use_cases", queryset=UseCase.objects.order_by("position"))
        )
    assessment = queryset.first()
    # The lookup is by hash, so its timing says nothing about the token; the
    # constant-time comparison guards against a store that matched loosely.
    if assessment is None or not token_matches(token, assessment.link_hash):
        return None
    link = AssessmentLink(
        pk=assessment.link_pk,
        assessment=assessment,
        kind=kind,
        token_hash=assessment.link_hash,
        last_used_at=assessment.link_last_used_at,
    )
    links.link_used(link)
    assessment.link = link
    return assessment


def assessment_links_active(assessment: Assessment) -> list[AssessmentLink]:
    """The assessment's links that still work, for the client's links page."""
    return list(links.assessment_links_active(assessment))


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
    organization["regulations"] = list(assessment.regulations)
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


def price_book_used(book: PriceBook) -> bool:
    """Whether stored results were priced with ``book`` (its figures must then stay)."""
    return Recommendation.objects.filter(price_book=book).exists()


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


def assessment_summary_data(
    *, assessment: Assessment, share_token: str | None = None
) -> SummaryData:
    """What the summary PDF and email show, read once so the PDF needs no database.

    ``assessment`` must be submitted; its use cases, recommendation and price
    book are best fetched up front (``select_related`` and ``prefetch_related``).
    ``share_token`` is the read-only link the PDF carries; without it (the staff
    copy) the PDF links to the booking page only. The client's private link is
    never in it: only their own emails carry that.
    """
    recommendation = assessment.recommendation
    result = recommendation_answer(recommendation)
    book = recommendation.price_book
    use_cases = [
        UseCaseSummary.from_answer(
            answer,
            name=use_case.name,
            task_label=use_case.get_task_display(),
            monthly_requests=use_case.monthly_requests,
            words=WORDS,
            # The same chart as the result page, from the same stored answer.
            chart=answer_chart(answer, monthly_requests=use_case.monthly_requests),
        )
        for use_case, answer in zip(
            assessment.use_cases.all(), result.use_cases, strict=True
        )
    ]
    return SummaryData(
        company=assessment.company,
        contact_name=assessment.contact_name,
        submitted_on=date_label(timezone.localdate(assessment.submitted_at)),
        stack=result.stack,
        stack_label=path_label(result.stack),
        summary=result.summary,
        use_cases=tuple(use_cases),
        price_book_name=book.name,
        price_book_as_of=date_label(book.as_of),
        engine_version=recommendation.engine_version,
        totals=result.totals,
        booking_url=settings.SITE_URL + reverse("bookings:book"),
        share_url=share_url(share_token) if share_token else None,
    )


def result_url(token: str) -> str:
    """The client's private result link, as emails write it."""
    return settings.SITE_URL + reverse("advisor:result", kwargs={"token": token})


def share_url(token: str) -> str:
    """A read-only share link, as the PDF and emails write it."""
    return settings.SITE_URL + reverse("advisor:shared", kwargs={"token": token})


def booking_url(token: str | None) -> str:
    """The booking page, prefilled from the assessment when the private link is known."""
    booking = settings.SITE_URL + reverse("bookings:book")
    return f"{booking}?assessment={token}" if token else booking


@dataclass(frozen=True)
class UseCaseBrief:
    name: str
    path_label: str
    reason: str


@dataclass(frozen=True)
class AssessmentBrief:
    """The client's assessment as the consultant's emails show it."""

    stack_label: str
    summary: str
    use_cases: tuple[UseCaseBrief, ...]
    admin_url: str
    pdf: Attachment | None


def assessment_brief(*, assessment_id: int | None) -> AssessmentBrief | None:
    """The submitted assessment a client booked from, or None."""
    if assessment_id is None:
        return None
    assessment = (
        Assessment.objects.select_related("recommendation")
        .filter(pk=assessment_id, status=Assessment.Status.SUBMITTED)
        .first()
    )
    recommendation = getattr(assessment, "recommendation", None)
    if recommendation is None:
        return None
    result = result_from_dict(recommendation.output)
    use_cases = tuple(
        UseCaseBrief(
            name=answer.name,
            path_label=path_label(answer.path),
            # The strongest reason is enough for an email; the PDF has them all.
            reason=answer.reasons[0].detail if answer.reasons else "",
        )
        for answer in result.use_cases
    )
    pdf = None
    if assessment.staff_summary_pdf and assessment.summary_pdf_built_at is not None:
        # The copy without the client's private links, read from storage when the
        # email is sent rather than copied into the outbox row.
        pdf = Attachment.stored(
            summary_filename(assessment.company),
            SUMMARY_CONTENT_TYPE,
            assessment.staff_summary_pdf.name,
        )
    return AssessmentBrief(
        stack_label=path_label(result.stack),
        summary=result.summary,
        use_cases=use_cases,
        admin_url=settings.SITE_URL
        + reverse("admin:advisor_assessment_change", args=[assessment.pk]),
        pdf=pdf,
    )


def assessment_id_existing(reference: str) -> int | None:
    """The id of the assessment ``reference`` names, if it (still) exists."""
    if not reference.isdigit():
        return None
    return (
        Assessment.objects.filter(pk=int(reference))
        .values_list("pk", flat=True)
        .first()
    )
