"""The admin's page to correct a client's mistyped address, shared by the booking's
and the assessment's admin: the form, the log line and the message are the same;
each passes the correction of its own row (``bookings.corrections``,
``advisor.corrections``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.contrib.admin import ModelAdmin
    from django.db import models
    from django.http import HttpRequest, HttpResponse

    from consult.corrections import EmailCorrection


class EmailCorrectForm(forms.Form):
    email = forms.EmailField(
        label="The client's correct email address",
        max_length=254,
        error_messages={"required": "Type the address the client gave you."},
    )


def email_correct_page(  # noqa: PLR0913 -- keyword-only, what differs per row
    model_admin: ModelAdmin,
    request: HttpRequest,
    obj: models.Model,
    *,
    correct: Callable[[str], EmailCorrection],
    current: str,
    title: str,
    explanation: str,
    change_url: str,
) -> HttpResponse:
    """Show the address ``obj`` has now; on a valid POST, ``correct(new address)``
    (which sends the last email again), log it and go back to ``change_url``."""
    form = EmailCorrectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = correct(form.cleaned_data["email"])
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
                obj,
                f"Corrected the client's email address from "
                f"{result.previous or '(none)'} to {result.to}{resent}.",
            )
            model_admin.message_user(
                request,
                f"The client's address is now {result.to}{resent}.",
                messages.SUCCESS,
            )
            return redirect(change_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": obj,
        "title": title,
        "current": current,
        "explanation": explanation,
        "form": form,
        "change_url": change_url,
    }
    response = TemplateResponse(request, "admin/email_correct.html", context)
    if form.errors:
        response.status_code = 400
    return response
