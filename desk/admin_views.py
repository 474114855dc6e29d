"""The assessment admin's own pages (``desk.admin.AssessmentAdmin``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from advisor.corrections import assessment_email_correct
from bookings.admin_forms import EmailCorrectForm

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin
    from django.http import HttpRequest, HttpResponse


def assessment_email_correct_page(
    model_admin: ModelAdmin, request: HttpRequest, object_id: str
) -> HttpResponse:
    """Correct the client's mistyped address; their last email goes to the new one."""
    assessment = model_admin.get_object(request, object_id)
    if assessment is None:
        raise Http404
    if not model_admin.has_change_permission(request, assessment):
        raise PermissionDenied
    change_url = reverse("admin:advisor_assessment_change", args=[assessment.pk])
    form = EmailCorrectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = assessment_email_correct(
                assessment=assessment,
                email=form.cleaned_data["email"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            resent = (
                f" and sent “{result.resent.subject}” again to it"
                if result.resent is not None
                else ""
            )
            model_admin.log_change(
                request,
                assessment,
                f"Corrected the client's email address from "
                f"{result.previous or '(none)'} to {assessment.contact_email}{resent}.",
            )
            model_admin.message_user(
                request,
                f"The client's address is now {assessment.contact_email}{resent}.",
                messages.SUCCESS,
            )
            return redirect(change_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": assessment,
        "title": "Correct the client's email address",
        "form": form,
        "change_url": change_url,
    }
    response = TemplateResponse(
        request, "admin/advisor/assessment/email_correct.html", context
    )
    if form.errors:
        response.status_code = 400
    return response
