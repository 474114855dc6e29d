"""Assessments for consultants to prepare from.

The assessment page reads like a prep sheet (``desk/prep_sheet.py``): the client's
answers in plain words, what the advisor recommended and why, the PDF they were sent
and the calls they booked, the notes on it and on its calls, and the emails sent about
them. Only the review status (and, for managers, who has the assessment) is a form field;
notes are entries added and corrected on pages of their own (``consult.admin_notes``).
What the client submitted cannot be changed. A consultant writes only on assessments
that are theirs (``desk.ownership``).
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import (
    FileResponse,
    Http404,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from advisor.engine.text import usd
from advisor.enums import INDUSTRIES, INDUSTRY_LABELS, PATH_LABELS
from advisor.models import Assessment, AssessmentNote
from advisor.notes import (
    assessment_assign,
    assessment_note_add,
    assessment_review_status_set,
)
from advisor.pdf import summary_filename
from advisor.selectors import (
    assessment_for_prep_sheet,
    path_label,
    recommendations_with_path,
    use_case_count,
)
from bookings.meetings import meeting_url
from bookings.models import Booking, BookingNote
from bookings.selectors import assessment_booked, bookings_of_assessment
from consult.admin import OutboundEmailAdmin
from consult.admin_delivery import delivery_rows
from consult.admin_notes import note_page, note_rows
from consult.admin_views import changeable
from consult.http import SAME_ORIGIN, private_response
from consult.models import OutboundEmail
from consult.staff import staff_sees_everyone
from consult.timezones import short_date_label
from consult.timezones import viewer_label as viewer_time
from desk.admin_views import assessment_email_correct_page, book_for_client_page
from desk.agenda import agenda_get
from desk.exports import csv_lines
from desk.forms import AssessmentReviewForm
from desk.models import Agenda
from desk.ownership import assessment_bookable, assessment_is_theirs_memo, emails_theirs
from desk.prep_sheet import advice_totals, email_problems, prep_sheet
from privacy.services import purge_dates

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

USE_CASE_PATHS = {key: label for key, label in PATH_LABELS.items() if key != "hybrid"}


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
            ids = recommendations_with_path(self.value()).values("assessment_id")
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
    form = AssessmentReviewForm
    # The form holds only the review; the client's answers are shown on the page and
    # are not form fields at all, so no request can change them.
    fieldsets = [("Your review", {"fields": ["review_status", "review_status_was"]})]
    manager_fieldsets = [
        (
            "Your review",
            {"fields": ["review_status", "review_status_was", "assigned_to"]},
        )
    ]

    def get_fieldsets(self, request, obj=None):
        if staff_sees_everyone(request.user):
            return self.manager_fieldsets
        return self.fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        fields = [f for _, o in self.get_fieldsets(request, obj) for f in o["fields"]]
        kwargs["fields"] = [f for f in fields if f != "review_status_was"]
        return super().get_form(request, obj, change, **kwargs)

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or assessment_is_theirs_memo(request, obj))

    def save_model(self, request, obj, form, change) -> None:
        # Through the services, which log each change as a signed entry; the form's
        # own save would overwrite whatever someone saved meanwhile.
        data = form.cleaned_data
        if not assessment_review_status_set(
            assessment=obj,
            status=data["review_status"],
            was=form.initial["review_status"],
            by=request.user,
        ):
            self.message_user(
                request,
                "The status was changed by someone else a moment ago and was left "
                "as they set it; see the notes.",
                messages.WARNING,
            )
        if "assigned_to" in form.changed_data:
            assessment_assign(assessment=obj, to=data["assigned_to"], by=request.user)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                use_case_total=use_case_count(),
                booked=assessment_booked(),
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
        return (
            usd(recommendation.api_monthly_usd, cents=True) if recommendation else "—"
        )

    @admin.display(description="Submitted", ordering="submitted_at")
    def submitted(self, obj: Assessment) -> str:
        if obj.submitted_at is None:
            return "—"
        return short_date_label(timezone.localtime(obj.submitted_at).date())

    @admin.display(description="Booked", boolean=True, ordering="booked")
    def booked_mark(self, obj: Assessment) -> bool:
        return obj.booked

    # --- the prep sheet --------------------------------------------------------------

    def _bookings(self, request, assessment: Assessment) -> tuple[list[dict], int]:
        """The calls this user may open, and how many more other consultants hold."""
        bookings = bookings_of_assessment(assessment_id=assessment.pk)
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
                "meeting_url": meeting_url(booking),
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
        assessment = assessment_for_prep_sheet(pk) if pk is not None else None
        if assessment is not None:
            recommendation = getattr(assessment, "recommendation", None)
            price_book_url = ""
            if recommendation and request.user.has_perm("advisor.view_pricebook"):
                price_book_url = reverse(
                    "admin:advisor_pricebook_change",
                    args=[recommendation.price_book_id],
                )
            bookings, elsewhere = self._bookings(request, assessment)
            may_correct = self._may_correct(request)
            deliveries = delivery_rows(
                assessment,
                *(row["booking"] for row in bookings),
                log_links=request.user.has_perm("consult.view_outboundemail"),
            )
            extra_context = {
                "problems": email_problems(
                    assessment,
                    [row["booking"] for row in bookings],
                    deliveries=deliveries,
                    may_correct=may_correct,
                ),
                "email_correct_url": reverse(
                    "admin:advisor_assessment_email", args=[assessment.pk]
                )
                if may_correct(assessment)
                else "",
                **self._notes_context(request, assessment, bookings),
                "sheet": prep_sheet(assessment),
                "totals": advice_totals(assessment),
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
                "delivery_rows": deliveries,
                "erase_on": purge_dates(assessment),
                "book_url": reverse(
                    "admin:advisor_assessment_book", args=[assessment.pk]
                )
                if assessment.is_submitted
                and assessment.contact_email
                and assessment_bookable(request, assessment)
                else "",
                **(extra_context or {}),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def _may_correct(self, request: HttpRequest):
        """Whether this member of staff may correct a client address on ``row``."""
        booking_admin = self.admin_site.get_model_admin(Booking)

        def may_correct(row) -> bool:
            if isinstance(row, Booking):
                return booking_admin.has_change_permission(request, row)
            return self.has_change_permission(request, row)

        return may_correct

    # --- notes ------------------------------------------------------------------------

    def _notes_context(self, request, assessment: Assessment, bookings: list[dict]):
        """The assessment's entries and its visible calls' entries, in one timeline."""
        booking_labels = {
            row["booking"].pk: f"on the call of {viewer_time(row['booking'].start)}"
            for row in bookings
        }
        notes = [
            *AssessmentNote.objects.filter(assessment=assessment).select_related(
                "author"
            ),
            *BookingNote.objects.filter(booking_id__in=booking_labels).select_related(
                "author"
            ),
        ]
        notes.sort(key=lambda note: (note.created_at, note.pk))

        def edit_url(note) -> str:
            if isinstance(note, BookingNote):
                name, args = "bookings_booking_note_edit", [note.booking_id, note.pk]
            else:
                name, args = "advisor_assessment_note_edit", [assessment.pk, note.pk]
            return reverse(f"admin:{name}", args=args)

        def about(note) -> str:
            return booking_labels.get(getattr(note, "booking_id", None), "")

        can_write = self.has_change_permission(request, assessment)
        return {
            "note_rows": note_rows(
                notes, user=request.user, edit_url=edit_url, about=about
            ),
            "note_add_url": reverse(
                "admin:advisor_assessment_note_add", args=[assessment.pk]
            )
            if can_write
            else "",
            "take_url": reverse("admin:advisor_assessment_take", args=[assessment.pk])
            if not can_write
            and assessment.assigned_to_id is None
            and super().has_change_permission(request, assessment)
            else "",
        }

    def _writable(self, request: HttpRequest, object_id: str) -> Assessment:
        return changeable(self, request, object_id)

    def note_add_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        assessment = self._writable(request, object_id)
        return note_page(
            self,
            request,
            owner=assessment,
            back_url=reverse("admin:advisor_assessment_change", args=[assessment.pk]),
            add=lambda text: assessment_note_add(
                assessment=assessment, author=request.user, text=text
            ),
        )

    def note_edit_view(
        self, request: HttpRequest, object_id: str, note_id: str
    ) -> HttpResponse:
        assessment = self.get_object(request, object_id)
        if assessment is None or not note_id.isdecimal():
            raise Http404
        note = AssessmentNote.objects.filter(
            pk=int(note_id), assessment=assessment
        ).first()
        if note is None:
            raise Http404
        return note_page(
            self,
            request,
            owner=assessment,
            back_url=reverse("admin:advisor_assessment_change", args=[assessment.pk]),
            note=note,
        )

    def email_correct_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return assessment_email_correct_page(self, request, object_id)

    def take_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """A consultant takes an assessment nobody has yet (POST only)."""
        assessment = self.get_object(request, object_id)
        if assessment is None:
            raise Http404
        if request.method != "POST" or not super().has_change_permission(
            request, assessment
        ):
            raise PermissionDenied
        change_url = reverse("admin:advisor_assessment_change", args=[assessment.pk])
        if assessment_assign(
            assessment=assessment,
            to=request.user,
            by=request.user,
            unassigned_only=True,
        ):
            self.log_change(request, assessment, "Took the assessment.")
            self.message_user(request, "It is yours now.", messages.SUCCESS)
        else:
            self.message_user(
                request,
                "Someone else took it a moment ago.",
                messages.WARNING,
            )
        return HttpResponseRedirect(change_url)

    def book_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return book_for_client_page(self, request, object_id)

    # --- pages of their own ----------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/notes/add/",
                self.admin_site.admin_view(self.note_add_view),
                name="advisor_assessment_note_add",
            ),
            path(
                "<path:object_id>/notes/<str:note_id>/edit/",
                self.admin_site.admin_view(self.note_edit_view),
                name="advisor_assessment_note_edit",
            ),
            path(
                "<path:object_id>/email/",
                self.admin_site.admin_view(self.email_correct_view),
                name="advisor_assessment_email",
            ),
            path(
                "<path:object_id>/book/",
                self.admin_site.admin_view(self.book_view),
                name="advisor_assessment_book",
            ),
            path(
                "<path:object_id>/take/",
                self.admin_site.admin_view(self.take_view),
                name="advisor_assessment_take",
            ),
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


# The email log, each consultant's narrowed to their own clients' emails. Registered
# here, above both apps, because whose emails they are depends on the bookings and
# assessments (``desk.ownership``); the log itself is the outbox's (``consult.admin``).
admin.site.unregister(OutboundEmail)


@admin.register(OutboundEmail)
class EmailLogAdmin(OutboundEmailAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).filter(emails_theirs(request.user))


@admin.register(Agenda)
class AgendaAdmin(admin.ModelAdmin):
    """Today and tomorrow's calls, for a consultant between meetings (often on a phone).

    Open to every consultant and to whoever sees everyone's calls; nothing on it is
    changed here: each call links to its booking, where outcomes are recorded.
    """

    def _may_view(self, request: HttpRequest) -> bool:
        # Whoever may read bookings: a consultant reads their own calls here. From the
        # permissions the admin has loaded already, so every admin page's list of
        # pages costs no query more.
        user = request.user
        return (
            user.is_active and user.is_staff and user.has_perm("bookings.view_booking")
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_view(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is None and self._may_view(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        # The page alone: no call is opened through it, only linked to its booking.
        return [
            path(
                "",
                self.admin_site.admin_view(self.changelist_view),
                name="desk_agenda_changelist",
            )
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if not self._may_view(request):
            raise PermissionDenied
        agenda = agenda_get(user=request.user, team=request.GET.get("team") == "1")
        context = {
            **self.admin_site.each_context(request),
            "title": "Today and tomorrow",
            "opts": self.model._meta,  # noqa: SLF001 -- Django API
            "agenda": agenda,
            **(extra_context or {}),
        }
        response = TemplateResponse(request, "admin/desk/agenda.html", context)
        return private_response(response, referrer_policy=SAME_ORIGIN)
