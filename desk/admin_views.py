"""The assessment admin's own pages (``desk.admin.AssessmentAdmin``): correct the
client's address, and book a call for the client, on their behalf.

To book, choose the consultant and the client's time zone, pick a free time from one week of
the consultant's (the move page's picker, ``bookings.admin_picker``), or any start
outside the usual rules with a reason, then confirm with the topic. The booking is
made by ``bookings.services.booking_create`` like the client's own, linked to the
assessment, signed in the call's notes, and the client is emailed the confirmation
with their private manage link. Who may book is ``desk.ownership.assessment_bookable``.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from advisor.corrections import assessment_email_correct
from advisor.selectors import assessment_booking_topic
from bookings import selectors as booking_selectors
from bookings import services as booking_services
from bookings.admin_picker import (
    BUSY_MESSAGE,
    chosen_review,
    pick_forms,
    picked_start,
    picker_week,
    week_links,
)
from bookings.admin_views import consultant_time
from bookings.models import Booking, Consultant
from consult import admin_corrections, admin_views
from consult.staff import staff_sees_everyone
from consult.timezones import zone_or_none
from desk.forms import BookForClientForm
from desk.ownership import assessment_bookable

if TYPE_CHECKING:
    from datetime import datetime

    from django.contrib.admin import ModelAdmin
    from django.http import HttpRequest, HttpResponse

    from advisor.models import Assessment

Outcome = booking_services.Outcome

NOT_BOOKED = {
    Outcome.SLOT_TAKEN: "That time is no longer free for this consultant "
    "(or overlaps another of their calls). Pick another time.",
    Outcome.EMAIL_HAS_BOOKING: "The client already has an upcoming consultation: "
    "one at a time per email address. Move that one instead.",
    Outcome.BUSY: BUSY_MESSAGE,
}


class ConfirmForm(forms.Form):
    topic = forms.CharField(
        label="Topic, as the consultant and the client see it",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )
    key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, extra_call: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if extra_call:
            # Their one free consultation is booked already: another beside it is
            # staff's decision, and says why.
            self.fields["extra_call_reason"] = forms.CharField(
                label="The client already has an upcoming call. Why book another "
                "beside it? (kept in the call's notes)",
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
                error_messages={
                    "required": "Say why this client gets a second upcoming call."
                },
            )


def bookable(
    model_admin: ModelAdmin, request: HttpRequest, object_id: str
) -> Assessment:
    assessment = model_admin.get_object(request, object_id)
    if assessment is None:
        raise Http404
    if not assessment_bookable(request, assessment):
        raise PermissionDenied
    return assessment


def _default_consultant(request: HttpRequest, assessment: Assessment) -> int | None:
    for user_id in (assessment.assigned_to_id, request.user.pk):
        if consultant_id := booking_selectors.consultant_id_for_user(user_id):
            return consultant_id
    return None


def _default_zone(assessment: Assessment) -> str:
    # The assessment keeps no zone; a call booked from it before knows the client's.
    earlier = (
        Booking.objects.filter(assessment_id=assessment.pk)
        .order_by("-created_at")
        .values_list("client_timezone", flat=True)
        .first()
    )
    return earlier or ""


def book_for_client_page(
    model_admin: ModelAdmin, request: HttpRequest, object_id: str
) -> HttpResponse:
    """Choose whose week and the client's zone, pick a time, confirm; then book."""
    assessment = bookable(model_admin, request, object_id)
    change_url = reverse("admin:advisor_assessment_change", args=[assessment.pk])
    posted = request.POST if request.method == "POST" else None
    source = posted or request.GET
    setup = BookForClientForm(
        source if "consultant" in source else None,
        initial={
            "consultant": _default_consultant(request, assessment),
            "tz": _default_zone(assessment),
        },
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": assessment,
        "title": f"Book a call for {assessment.contact_name or assessment}",
        "setup": setup,
        "change_url": change_url,
        "assessment": assessment,
    }
    if not assessment.is_submitted or not assessment.contact_email:
        context["not_ready"] = True
        return TemplateResponse(request, "admin/advisor/assessment/book.html", context)
    if not setup.is_bound or not setup.is_valid():
        response = TemplateResponse(
            request, "admin/advisor/assessment/book.html", context
        )
        if setup.is_bound:
            response.status_code = 400
        return response

    return _pick_and_book(
        model_admin,
        request,
        assessment=assessment,
        consultant=setup.cleaned_data["consultant"],
        tz_name=setup.cleaned_data["tz"],
        context=context,
    )


def _pick_and_book(  # noqa: PLR0913 -- keyword-only; the page so far
    model_admin: ModelAdmin,
    request: HttpRequest,
    *,
    assessment: Assessment,
    consultant: Consultant,
    tz_name: str,
    context: dict,
) -> HttpResponse:
    """The week of free times, the confirmation, and the booking."""
    change_url = context["change_url"]
    posted = request.POST if request.method == "POST" else None
    source = posted or request.GET
    client_zone = zone_or_none(tz_name)
    if client_zone is None:  # zone_lookup gives known names only
        raise Http404
    # Outside the usual rules a call can land in time off or at night: the consultant
    # decides that for their own calendar, a manager for anyone's. A colleague's
    # calendar takes a call for the client only where they offer times.
    may_override = staff_sees_everyone(request.user) or (
        consultant.user_id == request.user.pk
    )
    outside = may_override and posted is not None and "outside_rules" in posted
    picker = picker_week(
        consultant=consultant,
        client_zone=client_zone,
        client_tz=tz_name,
        week=source.get("week", ""),
        week_url=week_links(request, consultant=str(consultant.pk), tz=tz_name),
    )
    carry = [("consultant", str(consultant.pk)), ("tz", tz_name)]
    form, staff_form = pick_forms(
        posted, outside=outside, choices=picker.choices, consultant=consultant
    )
    chosen = None
    # Confirmed through ConfirmForm below, not the picker's own field; a confirmed
    # free time is not checked against the week again (see picked_start).
    picked = picked_start(
        posted,
        outside=outside,
        form=form,
        staff_form=staff_form,
        week=picker.week,
        recheck_confirmed=False,
    )
    confirm = None
    status = 200
    if picked is not None:
        fields = picked.fields
        confirming = posted is not None and bool(posted.get("confirm"))
        # Decided when the time is reviewed and carried to the last step, so that a
        # second click still finds the booking the first made. A call the client
        # booked in between is refused by the service.
        extra_call = (
            posted.get("extra_call") == "True"
            if confirming
            else booking_selectors.client_has_upcoming_call(
                email=assessment.contact_email
            )
        )
        if extra_call:
            fields = [*fields, ("extra_call", "True")]
        confirm = ConfirmForm(
            posted if confirming else None,
            extra_call=extra_call,
            initial={
                "topic": assessment_booking_topic(assessment),
                "key": secrets.token_urlsafe(24),
            },
        )
        if confirm.is_bound and confirm.is_valid():
            result = _book(
                request,
                assessment=assessment,
                consultant=consultant,
                tz_name=tz_name,
                start=picked.start,
                confirmed=confirm.cleaned_data,
                reason=picked.reason,
            )
            if result.outcome == Outcome.CREATED and result.booking is not None:
                return _booked(model_admin, request, assessment, result.booking)
            if result.outcome == Outcome.DUPLICATE:
                # Sent twice: the first made the booking and said so.
                return redirect(change_url)
            message = NOT_BOOKED.get(result.outcome, "Not booked. Pick another time.")
            if outside:
                staff_form.add_error("when", message)
            else:
                model_admin.message_user(request, message, messages.ERROR)
            status = 409
        else:
            if confirm.is_bound:
                status = 400
            chosen = chosen_review(
                picked,
                consultant=consultant,
                client_zone=client_zone,
                client_tz=tz_name,
                fields=[*carry, *fields],
            )
    context.update(
        {
            "consultant": consultant,
            "tz_name": tz_name,
            "picker": picker,
            "form": form,
            "staff_form": staff_form,
            "confirm_form": confirm,
            "carry": carry,
            "picked": posted.get("start", "") if posted and chosen is None else "",
            "chosen": chosen,
            "again_url": week_links(request, consultant=str(consultant.pk), tz=tz_name)(
                picker.week
            ),
            "may_override": may_override,
        }
    )
    response = TemplateResponse(request, "admin/advisor/assessment/book.html", context)
    if status == 200 and (form.errors or staff_form.errors):
        status = 400
    response.status_code = status
    return response


def _book(  # noqa: PLR0913 -- keyword-only; what the confirmation carries
    request: HttpRequest,
    *,
    assessment: Assessment,
    consultant: Consultant,
    tz_name: str,
    start: datetime,
    confirmed: dict,
    reason: str,
) -> booking_services.BookingResult:
    recommendation = getattr(assessment, "recommendation", None)
    return booking_services.booking_create(
        start=start,
        consultant=consultant,
        name=assessment.contact_name or assessment.contact_email,
        email=assessment.contact_email,
        company=assessment.company,
        topic=confirmed["topic"],
        client_timezone=tz_name,
        # The client gave their details with the assessment they submitted; staff
        # book at their request.
        consent=True,
        assessment=booking_services.AssessmentLink(
            reference=str(assessment.pk),
            stack=recommendation.stack if recommendation else "",
        ),
        # Staff-scoped, so a double click books once and another page never
        # collides with it.
        idempotency_key=f"staff:{request.user.pk}:{confirmed['key']}",
        staff=booking_services.StaffBooking(
            by=request.user,
            outside_rules_reason=reason,
            extra_call_reason=confirmed.get("extra_call_reason", ""),
        ),
    )


def _booked(
    model_admin: ModelAdmin,
    request: HttpRequest,
    assessment: Assessment,
    booking: Booking,
) -> HttpResponse:
    when = consultant_time(booking, booking.start)
    model_admin.log_change(
        request,
        assessment,
        f"Booked a call for the client with {booking.consultant} for {when}.",
    )
    model_admin.message_user(
        request,
        f"Booked with {booking.consultant} for {when}; the client is emailed the "
        "confirmation with their link to manage it.",
        messages.SUCCESS,
    )
    return redirect(reverse("admin:advisor_assessment_change", args=[assessment.pk]))


def assessment_email_correct_page(
    model_admin: ModelAdmin, request: HttpRequest, object_id: str
) -> HttpResponse:
    """Correct the client's mistyped address; their last email goes to the new one."""
    assessment = admin_views.changeable(model_admin, request, object_id)
    return admin_corrections.email_correct_page(
        model_admin,
        request,
        assessment,
        correct=lambda email: assessment_email_correct(
            assessment=assessment, email=email, by=request.user
        ),
        current=assessment.contact_email,
        title="Correct the client's email address",
        explanation="The last email the client was sent about this assessment "
        "(their result and its PDF, or their private link) goes again to the new "
        "address, as it was. The change is logged in the notes. The address on the "
        "calls they booked is corrected on each call.",
        change_url=reverse("admin:advisor_assessment_change", args=[assessment.pk]),
    )
