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
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from bookings import selectors, services
from bookings.admin_forms import HandoverForm
from bookings.admin_picker import (
    BUSY_MESSAGE,
    chosen_review,
    pick_forms,
    picked_start,
    picker_week,
    week_links,
)
from bookings.conflicts import bookings_in_conflict, handover_fit
from bookings.corrections import booking_email_correct
from bookings.enums import STAFF_CANCELLABLE_STATUSES
from consult import admin_corrections, admin_views
from consult.timezones import (
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
    return admin_views.changeable(model_admin, request, object_id)


# What each refused move tells staff.
NOT_MOVED = {
    services.Outcome.SLOT_TAKEN: "That time overlaps another of the consultant's "
    "calls (with its buffers). Pick another time.",
    services.Outcome.TOO_LATE: "The call has begun or that time has passed.",
    services.Outcome.NOT_ACTIVE: "The call is no longer confirmed, so it cannot move.",
    services.Outcome.UNCHANGED: "The call is already at that time.",
    services.Outcome.BUSY: BUSY_MESSAGE,
}


def move_page(
    model_admin: ModelAdmin, request: HttpRequest, object_id: str
) -> HttpResponse:
    """Pick a free time of one week, see it in both zones, then confirm the move.

    Only the week shown is read (``admin_picker.picker_week``); nothing is chosen
    beforehand, and choosing only shows the move; the second step moves the call
    and emails the client. Staff may instead type any start outside the usual
    rules, with a reason kept in the call's notes.
    """
    booking = changeable(model_admin, request, object_id)
    consultant = booking.consultant
    change_url = reverse("admin:bookings_booking_change", args=[booking.pk])
    posted = request.POST if request.method == "POST" else None
    outside = posted is not None and "outside_rules" in posted
    picker = picker_week(
        consultant=consultant,
        client_zone=booking.client_zone,
        client_tz=booking.client_timezone,
        week=(posted or request.GET).get("week", ""),
        week_url=week_links(request),
        moving=booking,
    )
    form, staff_form = pick_forms(
        posted, outside=outside, choices=picker.choices, consultant=consultant
    )
    picked = picked_start(
        posted, outside=outside, form=form, staff_form=staff_form, week=picker.week
    )
    chosen = None
    status = 200
    if picked is not None and not picked.confirming:
        chosen = chosen_review(
            picked,
            consultant=consultant,
            client_zone=booking.client_zone,
            client_tz=booking.client_timezone,
        )
    elif picked is not None and outside:
        result = services.booking_move_by_staff(
            booking=booking,
            new_start=picked.start,
            by=request.user,
            reason=picked.reason,
        )
        if result.outcome == services.Outcome.MOVED:
            return _moved(model_admin, request, result.booking, reason=picked.reason)
        staff_form.add_error("when", NOT_MOVED[result.outcome])
        status = 409
    elif picked is not None:
        result = services.booking_reschedule(booking=booking, new_start=picked.start)
        if result.outcome == services.Outcome.MOVED:
            return _moved(model_admin, request, result.booking)
        model_admin.message_user(
            request, f"Not moved. {NOT_MOVED[result.outcome]}", messages.ERROR
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": booking,
        "title": f"Move {booking}",
        "form": form,
        "staff_form": staff_form,
        "picker": picker,
        "picked": posted.get("start", "") if posted and chosen is None else "",
        "chosen": chosen,
        "again_url": week_links(request)(picker.week),
        "current": consultant_time(booking, booking.start),
        "current_client": short_label(
            booking.start, booking.client_zone, booking.client_timezone
        ),
        "change_url": change_url,
    }
    response = TemplateResponse(request, "admin/bookings/booking/move.html", context)
    if form.errors or staff_form.errors:
        response.status_code = 400 if status == 200 else status
    return response


def _moved(
    model_admin: ModelAdmin, request: HttpRequest, booking: Booking, *, reason: str = ""
) -> HttpResponse:
    moved_to = consultant_time(booking, booking.start)
    outside = f" outside the usual rules: {reason}" if reason else "."
    model_admin.log_change(request, booking, f"Moved to {moved_to}{outside}")
    model_admin.message_user(
        request,
        f"Moved to {moved_to}; the client is told by email.",
        messages.SUCCESS,
    )
    return redirect(reverse("admin:bookings_booking_change", args=[booking.pk]))


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
    return admin_corrections.email_correct_page(
        model_admin,
        request,
        booking,
        correct=lambda email: booking_email_correct(
            booking=booking, email=email, by=request.user
        ),
        current=booking.email,
        title=f"Correct the email address of {booking.name}",
        explanation="The last email the client was sent about this booking goes "
        "again to the new address (a confirmation is made afresh, with its "
        "invitation made out to the new address). The change is logged on the "
        "booking.",
        change_url=reverse("admin:bookings_booking_change", args=[booking.pk]),
    )


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
