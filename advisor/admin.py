"""Assessments for consultants to prepare from, and the price books the engine costs with.

The assessment page reads like a prep sheet: the client's answers in plain words, what the
advisor recommended and why, the PDF they were sent and the calls they booked. Only the
review status and the consultant's notes can be changed; what the client submitted cannot.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Exists,
    F,
    Func,
    OuterRef,
    Value,
)
from django.http import (
    FileResponse,
    Http404,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from advisor.enums import PATH_LABELS
from advisor.forms import INDUSTRIES, INDUSTRY_LABELS
from advisor.models import Assessment, PriceBook, Recommendation, UseCase
from advisor.pdf import summary_filename
from advisor.selectors import use_case_count
from advisor.templatetags.advisor_format import path_label, usd
from bookings.models import Booking
from consult.http import SAME_ORIGIN, private_response
from consult.privacy import purge_dates
from consult.staff import staff_sees_everyone
from consult.templatetags.humanize_consult import duration_ms

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from django.db.models import QuerySet
    from django.http import HttpRequest, HttpResponse


@admin.register(PriceBook)
class PriceBookAdmin(admin.ModelAdmin):
    list_display = ["name", "as_of", "is_active", "created_at"]
    list_filter = ["is_active"]
    ordering = ["-as_of"]
    actions = ["activate"]
    readonly_fields = ["is_active", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and Recommendation.objects.filter(price_book=obj).exists():
            # Results already priced with this book must keep showing the same figures.
            fields += ["name", "as_of", "data"]
        return fields

    @admin.action(
        description="Make the selected price book the active one",
        permissions=["change"],
    )
    def activate(self, request, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one price book.", messages.ERROR)
            return
        book = queryset.get()
        with transaction.atomic():
            PriceBook.objects.filter(is_active=True).update(is_active=False)
            PriceBook.objects.filter(pk=book.pk).update(is_active=True)
        self.log_change(request, book, "Made the active price book.")
        self.message_user(
            request, f"{book} is now active; earlier results keep the prices they used."
        )


# --- list filters --------------------------------------------------------------------

USE_CASE_PATHS = {key: label for key, label in PATH_LABELS.items() if key != "hybrid"}


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


def _recommendations_with_path(path_key: str) -> QuerySet[Recommendation]:
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


class VerdictFilter(admin.SimpleListFilter):
    title = "verdict"
    parameter_name = "verdict"

    def lookups(self, request, model_admin):
        return list(PATH_LABELS.items())

    def queryset(self, request, queryset):
        if self.value() in PATH_LABELS:
            return queryset.filter(recommendation__stack=self.value())
        return queryset


class PathFilter(admin.SimpleListFilter):
    title = "path of any use case"
    parameter_name = "path"

    def lookups(self, request, model_admin):
        return list(USE_CASE_PATHS.items())

    def queryset(self, request, queryset):
        if self.value() in USE_CASE_PATHS:
            ids = _recommendations_with_path(self.value()).values("assessment_id")
            return queryset.filter(pk__in=ids)
        return queryset


class IndustryFilter(admin.SimpleListFilter):
    title = "industry"
    parameter_name = "industry"

    def lookups(self, request, model_admin):
        return [(key, label) for key, label in INDUSTRIES if key]

    def queryset(self, request, queryset):
        # Only the keys offered: a typed value such as a NUL byte would reach
        # the database, which refuses it.
        if self.value() and self.value() in INDUSTRY_LABELS:
            return queryset.filter(industry=self.value())
        return queryset


class BookedFilter(admin.SimpleListFilter):
    title = "booked a call"
    parameter_name = "booked"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() in {"yes", "no"}:
            return queryset.filter(booked=self.value() == "yes")
        return queryset


# --- the prep sheet ------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str


@dataclass(frozen=True)
class UseCaseSheet:
    position: int
    name: str
    answers: list[Answer]
    advice: dict[str, Any] | None


def _use_case_answers(use_case: UseCase) -> list[Answer]:
    answers = [
        Answer("What the model must do", use_case.get_task_display()),
        Answer("Requests a month", f"{use_case.monthly_requests:,}"),
    ]
    if use_case.is_language:
        size = (
            f"{use_case.input_tokens:,} tokens in, {use_case.output_tokens or 0:,} out"
            if use_case.input_tokens
            else "Typical for the task"
        )
        answers.append(Answer("Size of each request", size))
    answers += [
        Answer(
            "Answer needed within",
            duration_ms(use_case.latency_budget_ms) or "No rush (batch)",
        ),
        Answer(
            "Value of one request",
            f"${use_case.value_per_request_usd.normalize():f}"
            if use_case.value_per_request_usd is not None
            else "Not given",
        ),
        Answer("Their own labelled data", use_case.get_proprietary_data_display()),
        Answer("Output format", use_case.get_format_consistency_display()),
        Answer("Data must stay in-house", "Yes" if use_case.sensitive_data else "No"),
        Answer(
            "Worth of a small quality gain", use_case.get_accuracy_lift_value_display()
        ),
    ]
    return answers


def _advice(answer: dict[str, Any]) -> dict[str, Any]:
    costs = answer.get("costs") or {}
    breakeven = costs.get("break_even_monthly_requests")
    cost_rows = [
        ("Model API, a month", costs.get("api_monthly_usd")),
        ("Self-hosted model, a month", costs.get("self_hosted_monthly_usd")),
        ("Fine-tuning, once", costs.get("fine_tune_one_off_usd")),
    ]
    return {
        "path": answer["path"],
        "path_label": path_label(answer["path"]),
        "confidence": round(answer["confidence"] * 100),
        "reasons": [reason["detail"] for reason in answer.get("reasons", ())],
        "costs": [
            (label, usd(value)) for label, value in cost_rows if value is not None
        ],
        "break_even": f"{breakeven:,} requests a month" if breakeven else "",
        "next_steps": list(answer.get("next_steps", ())),
        "effort": answer.get("effort", ""),
    }


def _sheet(assessment: Assessment) -> list[UseCaseSheet]:
    recommendation = getattr(assessment, "recommendation", None)
    output = recommendation.output["use_cases"] if recommendation else []
    use_cases = list(assessment.use_cases.all())
    # The engine answers in the order of the use cases it was given.
    advice = [_advice(answer) for answer in output]
    advice += [None] * (len(use_cases) - len(advice))
    return [
        UseCaseSheet(
            position=index,
            name=use_case.name,
            answers=_use_case_answers(use_case),
            advice=advice[index - 1],
        )
        for index, use_case in enumerate(use_cases, start=1)
    ]


# --- CSV -----------------------------------------------------------------------------

CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = [
    "Reference",
    "Submitted (UTC)",
    "Company",
    "Contact",
    "Email",
    "Role",
    "Industry",
    "Verdict",
    "Use cases",
    "API spend per month (USD)",
    "Booked",
    "Review status",
]


def csv_cell(value: object) -> object:
    """Text as a spreadsheet will not run it: a leading = + - @ (or tab, CR) is quoted."""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_row(assessment: Assessment) -> list[object]:
    recommendation = getattr(assessment, "recommendation", None)
    return [
        assessment.pk,
        f"{assessment.submitted_at.astimezone(UTC):%Y-%m-%d %H:%M}"
        if assessment.submitted_at
        else "",
        assessment.company,
        assessment.contact_name,
        assessment.contact_email,
        assessment.role,
        INDUSTRY_LABELS.get(assessment.industry, assessment.industry),
        path_label(recommendation.stack) if recommendation else "",
        assessment.use_case_total,
        recommendation.api_monthly_usd
        if recommendation and recommendation.api_monthly_usd is not None
        else "",
        "yes" if assessment.booked else "no",
        assessment.get_review_status_display(),
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(assessments: Iterable[Assessment]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for assessment in assessments:
        yield writer.writerow([csv_cell(cell) for cell in _csv_row(assessment)])


# --- the admin -----------------------------------------------------------------------


class _AssessmentChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # The list and the export never show the engine's full input and output.
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .defer("recommendation__input", "recommendation__output")
        )


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = [
        "company_or_draft",
        "contact",
        "verdict",
        "use_case_count",
        "api_spend",
        "submitted",
        "booked_mark",
        "review_status",
    ]
    list_filter = [
        "review_status",
        VerdictFilter,
        PathFilter,
        IndustryFilter,
        BookedFilter,
        "submitted_at",
        "status",
    ]
    search_fields = ["company", "contact_name", "contact_email"]
    list_select_related = ["recommendation"]
    date_hierarchy = "submitted_at"
    change_form_template = "admin/advisor/assessment/change_form.html"
    # The form holds only what a consultant writes; the client's answers are shown on
    # the page and are not form fields at all, so no request can change them.
    fieldsets = [("Your review", {"fields": ["review_status", "consultant_notes"]})]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                use_case_total=use_case_count(),
                booked=Exists(Booking.objects.filter(assessment=OuterRef("pk"))),
            )
        )

    def get_ordering(self, request):
        # Newest submissions first; drafts (never submitted) after them.
        return [F("submitted_at").desc(nulls_last=True), "-created_at"]

    def get_changelist(self, request, **kwargs):
        return _AssessmentChangeList

    def has_add_permission(self, request) -> bool:
        # Assessments come from clients (or `manage.py advise --save`), never typed in.
        return False

    # --- columns ---------------------------------------------------------------------

    @admin.display(description="Company", ordering="company")
    def company_or_draft(self, obj: Assessment) -> str:
        return obj.company or "(draft, no company yet)"

    @admin.display(description="Contact", ordering="contact_name")
    def contact(self, obj: Assessment) -> str:
        if not obj.contact_email:
            return obj.contact_name or "—"
        return format_html(
            '{}<br><span class="quiet">{}</span>', obj.contact_name, obj.contact_email
        )

    @admin.display(description="Verdict", ordering="recommendation__stack")
    def verdict(self, obj: Assessment) -> str:
        recommendation = getattr(obj, "recommendation", None)
        return path_label(recommendation.stack) if recommendation else "—"

    @admin.display(description="Use cases", ordering="use_case_total")
    def use_case_count(self, obj: Assessment) -> int:
        return obj.use_case_total

    @admin.display(
        description="API / month", ordering="recommendation__api_monthly_usd"
    )
    def api_spend(self, obj: Assessment) -> str:
        recommendation = getattr(obj, "recommendation", None)
        return usd(recommendation.api_monthly_usd) if recommendation else "—"

    @admin.display(description="Submitted", ordering="submitted_at")
    def submitted(self, obj: Assessment) -> str:
        if obj.submitted_at is None:
            return "—"
        return f"{timezone.localtime(obj.submitted_at):%d %b %Y}"

    @admin.display(description="Booked", boolean=True, ordering="booked")
    def booked_mark(self, obj: Assessment) -> bool:
        return obj.booked

    # --- the prep sheet --------------------------------------------------------------

    def _bookings(self, request, assessment: Assessment) -> tuple[list[dict], int]:
        """The calls this user may open, and how many more other consultants hold."""
        bookings = list(
            Booking.objects.filter(assessment=assessment)
            .select_related("consultant")
            .order_by("-start")
        )
        if staff_sees_everyone(request.user):
            mine = bookings
        else:
            # Another consultant's call stays theirs, here as in the bookings list.
            mine = [b for b in bookings if b.consultant.user_id == request.user.pk]
        rows = [
            {
                "booking": booking,
                "url": reverse("admin:bookings_booking_change", args=[booking.pk]),
                "when": booking.start.astimezone(booking.consultant.zone),
                "utc": booking.start.astimezone(UTC),
            }
            for booking in mine
        ]
        return rows, len(bookings) - len(mine)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        try:
            # Read as the page itself reads it (see get_object): isdigit()
            # would let "²" through to a query that cannot convert it.
            pk = Assessment._meta.pk.to_python(object_id)  # noqa: SLF001 -- Django API
        except ValidationError:
            pk = None
        assessment = (
            Assessment.objects.select_related(
                "recommendation", "recommendation__price_book"
            )
            .prefetch_related("use_cases")
            .filter(pk=pk)
            .first()
            if pk is not None
            else None
        )
        if assessment is not None:
            recommendation = getattr(assessment, "recommendation", None)
            price_book_url = ""
            if recommendation and request.user.has_perm("advisor.view_pricebook"):
                price_book_url = reverse(
                    "admin:advisor_pricebook_change",
                    args=[recommendation.price_book_id],
                )
            bookings, elsewhere = self._bookings(request, assessment)
            extra_context = {
                "sheet": _sheet(assessment),
                "assessment": assessment,
                "recommendation": recommendation,
                "industry_label": INDUSTRY_LABELS.get(assessment.industry, "")
                or "Not given",
                "price_book_url": price_book_url,
                "pdf_url": reverse("admin:advisor_assessment_pdf", args=[assessment.pk])
                if assessment.staff_summary_pdf and assessment.summary_pdf_built_at
                else "",
                "bookings": bookings,
                "bookings_elsewhere": elsewhere,
                "erase_on": purge_dates(assessment),
                **(extra_context or {}),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    # --- pages of their own ----------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "export.csv",
                self.admin_site.admin_view(self.export_view),
                name="advisor_assessment_export",
            ),
            path(
                "<path:object_id>/summary.pdf",
                self.admin_site.admin_view(self.pdf_view),
                name="advisor_assessment_pdf",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """The list as CSV, with the filters, search and ordering now on screen."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            # Filters edited by hand in the address: as the list itself does,
            # go back to it rather than export rows nobody asked for.
            self.message_user(
                request,
                "The export's filters could not be read, so nothing was exported. "
                "Choose the filters again from the list.",
                messages.ERROR,
            )
            changelist_url = reverse("admin:advisor_assessment_changelist")
            return HttpResponseRedirect(f"{changelist_url}?{ERROR_FLAG}=1")
        rows = changelist.queryset.iterator(chunk_size=500)
        stamp = timezone.now().astimezone(UTC)
        response = StreamingHttpResponse(
            csv_lines(rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="assessments-{stamp:%Y%m%d-%H%M}.csv"'
        )
        return private_response(response, referrer_policy=SAME_ORIGIN)

    def pdf_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The summary PDF, without the client's private links, to staff only."""
        assessment = self.get_object(request, object_id)
        if assessment is None:
            raise Http404
        if not self.has_view_permission(request, assessment):
            raise PermissionDenied
        if not (assessment.staff_summary_pdf and assessment.summary_pdf_built_at):
            raise Http404("No summary PDF yet.")
        try:
            stored = assessment.staff_summary_pdf.open("rb")
        except FileNotFoundError:
            raise Http404("No summary PDF in storage.") from None
        response = FileResponse(
            stored,
            filename=summary_filename(assessment.company),
            content_type="application/pdf",
        )
        return private_response(response, referrer_policy=SAME_ORIGIN)
