"""The bookings admin's own pages: cancel with a reason, move to another time, hand to
a colleague.

Templates ``admin/bookings/booking/cancel.html``, ``move.html`` and ``handover.html``. The cancel page
asks for the reason before the ``cancel_bookings`` action (``bookings.admin_actions``)
cancels; the move page has an address of its own (``admin:bookings_booking_move``).
Both change bookings only through the services, and log each change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from bookings import selectors, services
from bookings.admin_forms import EmailCorrectForm, HandoverForm, MoveForm
from bookings.conflicts import bookings_in_conflict, handover_fit
from bookings.corrections import booking_email_correct
from bookings.enums import STAFF_CANCELLABLE_STATUSES
from bookings.forms import format_start, parse_start
from consult.timezones import (
    clock_label,
    day_label,
    short_date_label,
    short_label,
)

if TYPE_CHECKING:
    from datetime import datetime

    from django.contrib.admin import ModelAdmin
    from django.http import HttpRequest, HttpResponse

    from bookings.admin_forms import CancelReasonForm, NoShowForm
    from bookings.models import Booking


def consultant_time(booking: Booking, value: datetime) -> str:
    """``value`` on the consultant's clock, as the admin's columns and pages show it."""
    return short_label(value, booking.consultant.zone, booking.consultant.timezone)


def cancel_page(
    model_admin: ModelAdmin,
    request: HttpRequest,
    bookings: list[Booking],
    form: CancelReasonForm,
) -> HttpResponse:
    """Which bookings will be cancelled, and a box for the reason the client is sent."""
    now = timezone.now()
    rows = [
        (booking, booking.status in STAFF_CANCELLABLE_STATUSES) for booking in bookings
    ]
    # The page posts the same action again (from the list or the booking's own page),
    # now with the reason.
    hidden = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in {"csrfmiddlewaretoken", "confirm", "reason"}
        for value in values
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Cancel bookings" if len(bookings) != 1 else f"Cancel {bookings[0]}",
        "form": form,
        "rows": [
            (booking, consultant_time(booking, booking.start), cancellable)
            for booking, cancellable in rows
        ],
        "active": sum(cancellable for _, cancellable in rows),
        # Calls already over are cancelled without an email (``booking_cancel``).
        "emailed": sum(
            cancellable and booking.end > now for booking, cancellable in rows
        ),
        "hidden": hidden,
        "back_url": request.get_full_path(),
    }
    return TemplateResponse(request, "admin/bookings/booking/cancel.html", context)


def no_show_page(
    model_admin: ModelAdmin,
    request: HttpRequest,
    bookings: list[Booking],
    form: NoShowForm,
) -> HttpResponse:
    """Which calls will be marked no-show, and whether to email the clients."""
    hidden = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in {"csrfmiddlewaretoken", "confirm", "email_client"}
        for value in values
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Mark as no-show"
        if len(bookings) != 1
        else f"Mark {bookings[0]} as no-show",
        "form": form,
        "rows": [
            (booking, consultant_time(booking, booking.start)) for booking in bookings
        ],
        "hidden": hidden,
        "back_url": request.get_full_path(),
    }
    return TemplateResponse(request, "admin/bookings/booking/no_show.html", context)


def changeable(
    model_admin: ModelAdmin, request: HttpRequest, object_id: str
) -> Booking:
    booking = model_admin.get_object(request, object_id)
    if booking is None:
        raise Http404
    if not model_admin.has_change_permission(request, booking):
        raise PermissionDenied
    return booking


def _move_choices(booking: Booking, slots) -> list[tuple[str, list[tuple[str, str]]]]:
    """Free times by the consultant's day, each with the client's time beside it."""
    consultant = booking.consultant
    days: dict[str, list[tuple[str, str]]] = {}
    for slot in slots:
        local = slot.start.astimezone(consultant.zone)
        client = slot.start.astimezone(booking.client_zone)
        client_day = (
            f" {short_date_label(client.date())}"
            if client.date() != local.date()
            else ""
        )
        label = f"{clock_label(local)} · client {clock_label(client)}{client_day}"
        day = day_label(local.date(), year=True)
        days.setdefault(day, []).append((format_start(slot.start), label))
    return list(days.items())


def move_page(
    model_admin: ModelAdmin, request: HttpRequest, object_id: str
) -> HttpResponse:
    """Pick a day and a free time, see it in both zones, then confirm the move.

    Nothing is chosen beforehand, and choosing only shows the move; the second
    step moves the call and emails the client.
    """
    booking = changeable(model_admin, request, object_id)
    change_url = reverse("admin:bookings_booking_change", args=[booking.pk])
    choices = _move_choices(booking, selectors.booking_move_slots(booking=booking))
    form = MoveForm(request.POST if request.method == "POST" else None, choices=choices)
    chosen = None
    if request.method == "POST" and form.is_valid():
        new_start = parse_start(form.cleaned_data["start"])
        if not form.cleaned_data["confirm"]:
            chosen = {
                "value": form.cleaned_data["start"],
                "consultant": consultant_time(booking, new_start),
                "client": short_label(
                    new_start, booking.client_zone, booking.client_timezone
                ),
            }
        else:
            result = services.booking_reschedule(booking=booking, new_start=new_start)
            if result.outcome == services.Outcome.MOVED:
                moved_to = consultant_time(result.booking, result.booking.start)
                model_admin.log_change(request, result.booking, f"Moved to {moved_to}.")
                model_admin.message_user(
                    request,
                    f"Moved to {moved_to}; the client is told by email.",
                    messages.SUCCESS,
                )
                return redirect(change_url)
            model_admin.message_user(
                request,
                f"Not moved ({result.outcome.replace('_', ' ')}). Pick another time.",
                messages.ERROR,
            )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": booking,
        "title": f"Move {booking}",
        "form": form,
        "days": choices,
        "picked": request.POST.get("start", "") if chosen is None else "",
        "chosen": chosen,
        "current": consultant_time(booking, booking.start),
        "current_client": short_label(
            booking.start, booking.client_zone, booking.client_timezone
        ),
        "change_url": change_url,
    }
    response = TemplateResponse(request, "admin/bookings/booking/move.html", context)
    if form.errors:
        response.status_code = 400
    return response


def handover_page(
    model_admin: ModelAdmin, request: HttpRequest, object_id: str
) -> HttpResponse:
    """Pick a colleague free at the call's time (the others shown busy, with why), an
    optional reason, then confirm: the call is theirs, and everyone is told.

    For the booking's own consultant and for those who see everyone (``changeable``).
    """
    booking = changeable(model_admin, request, object_id)
    change_url = reverse("admin:bookings_booking_change", args=[booking.pk])
    if not selectors.booking_can_move(booking, now=timezone.now()):
        model_admin.message_user(
            request,
            "Only a confirmed call still to come can be handed to a colleague.",
            messages.ERROR,
        )
        return redirect(change_url)
    colleagues = [
        c for c in selectors.consultants_active() if c.pk != booking.consultant_id
    ]
    why_not = handover_fit(booking=booking, consultants=colleagues)
    free = [c for c in colleagues if not why_not[c.pk]]
    busy = [(c, why_not[c.pk]) for c in colleagues if why_not[c.pk]]
    form = HandoverForm(
        request.POST if request.method == "POST" else None,
        choices=[(c.pk, c.display_name) for c in free],
    )
    chosen = None
    status = 200
    if request.method == "POST" and form.is_valid():
        target = next(c for c in free if c.pk == form.cleaned_data["consultant"])
        reason = form.cleaned_data["reason"]
        if not form.cleaned_data["confirm"]:
            chosen = target
        else:
            result = services.booking_reassign(
                booking=booking,
                to_consultant=target,
                by_user=request.user,
                reason=reason,
            )
            if result.ok:
                model_admin.log_change(
                    request,
                    result.booking,
                    f"Handed from {booking.consultant} to {target}"
                    + (f": {reason}" if reason else "."),
                )
                model_admin.message_user(
                    request,
                    f"The call is now {target}'s; the client and both consultants "
                    "are told by email.",
                    messages.SUCCESS,
                )
                # Handed away by its own consultant: no longer theirs to open.
                if model_admin.has_view_permission(request, result.booking):
                    return redirect(change_url)
                return redirect(reverse("admin:bookings_booking_changelist"))
            form.add_error(None, result.message or "Not handed over; try again.")
            status = 409
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": booking,
        "title": f"Hand {booking} to a colleague",
        "form": form,
        # The call on each colleague's own clock: the hour they will be asked to keep.
        "free": [(c, short_label(booking.start, c.zone, c.timezone)) for c in free],
        "busy": busy,
        "chosen": chosen,
        "reason": form.cleaned_data["reason"] if chosen is not None else "",
        "current": consultant_time(booking, booking.start),
        "change_url": change_url,
    }
    response = TemplateResponse(
        request, "admin/bookings/booking/handover.html", context
    )
    if form.errors:
        response.status_code = 400 if status == 200 else status
    return response


def email_correct_page(
    model_admin: ModelAdmin, request: HttpRequest, object_id: str
) -> HttpResponse:
    """Correct a mistyped client address; the last email goes again to the new one."""
    booking = changeable(model_admin, request, object_id)
    change_url = reverse("admin:bookings_booking_change", args=[booking.pk])
    form = EmailCorrectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = booking_email_correct(
                booking=booking, email=form.cleaned_data["email"], by=request.user
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
                booking,
                f"Corrected the client's email address from {result.previous} "
                f"to {booking.email}{resent}.",
            )
            model_admin.message_user(
                request,
                f"The client's address is now {booking.email}{resent}.",
                messages.SUCCESS,
            )
            return redirect(change_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": booking,
        "title": f"Correct the email address of {booking.name}",
        "form": form,
        "change_url": change_url,
    }
    response = TemplateResponse(
        request, "admin/bookings/booking/email_correct.html", context
    )
    if form.errors:
        response.status_code = 400
    return response


def conflicts_page(
    model_admin: ModelAdmin, request: HttpRequest, object_id: str
) -> HttpResponse:
    """The consultant's calls their hours no longer cover, each to move or cancel."""
    consultant = model_admin.get_object(request, object_id)
    if consultant is None:
        raise Http404
    if not model_admin.has_view_permission(request, consultant):
        raise PermissionDenied
    rows = [
        {
            "booking": conflict.booking,
            "reason": conflict.reason,
            "when": consultant_time(conflict.booking, conflict.booking.start),
            "client_time": short_label(
                conflict.booking.start,
                conflict.booking.client_zone,
                conflict.booking.client_timezone,
            ),
            "move_url": reverse(
                "admin:bookings_booking_move", args=[conflict.booking.pk]
            ),
            "handover_url": reverse(
                "admin:bookings_booking_handover", args=[conflict.booking.pk]
            ),
        }
        for conflict in bookings_in_conflict(consultant_ids=[consultant.pk])
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": consultant,
        "title": f"Calls {consultant}'s hours no longer cover",
        "rows": rows,
        "change_url": reverse("admin:bookings_consultant_change", args=[consultant.pk]),
        "cancel_url": reverse("admin:bookings_booking_changelist"),
    }
    return TemplateResponse(
        request, "admin/bookings/consultant/conflicts.html", context
    )
