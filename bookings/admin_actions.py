"""The bookings admin's actions, on the list and on a booking's own page.

Each calls a service per booking, writes a ``LogEntry`` for every booking it changed,
and tells the user how many changed and how many were left as they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings import selectors, services
from bookings.admin_forms import CancelReasonForm
from bookings.admin_views import cancel_page
from bookings.enums import CancelledBy

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.contrib.admin import ModelAdmin
    from django.db.models import QuerySet
    from django.http import HttpRequest, HttpResponse

    from bookings.models import Booking

BOTH = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]


def _mark(
    model_admin: ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Booking],
    *,
    service: Callable[..., bool],
    done_label: str,
) -> None:
    done = skipped = 0
    for booking in queryset:
        if service(booking=booking):
            model_admin.log_change(request, booking, f"Marked {done_label}.")
            done += 1
        else:
            skipped += 1
    if done:
        model_admin.message_user(
            request, f"Marked {done} booking(s) {done_label}.", messages.SUCCESS
        )
    if skipped:
        model_admin.message_user(
            request,
            f"{skipped} booking(s) left as they were: only a call that has begun "
            "and was not cancelled can be marked.",
            messages.WARNING,
        )


@admin.action(
    description="Mark this call completed",
    description_plural="Mark selected calls completed",
    permissions=["change"],
    location=BOTH,
)
def mark_completed(
    model_admin: ModelAdmin, request: HttpRequest, queryset: QuerySet[Booking]
) -> None:
    _mark(
        model_admin,
        request,
        queryset,
        service=services.booking_mark_completed,
        done_label="completed",
    )


@admin.action(
    description="Mark this call as a no-show",
    description_plural="Mark selected calls as no-show",
    permissions=["change"],
    location=BOTH,
)
def mark_no_show(
    model_admin: ModelAdmin, request: HttpRequest, queryset: QuerySet[Booking]
) -> None:
    _mark(
        model_admin,
        request,
        queryset,
        service=services.booking_mark_no_show,
        done_label="no-show",
    )


@admin.action(
    description="Resend the confirmation to the client",
    description_plural="Resend the confirmation to the selected clients",
    permissions=["change"],
    location=BOTH,
)
def resend_confirmation(
    model_admin: ModelAdmin, request: HttpRequest, queryset: QuerySet[Booking]
) -> None:
    now = timezone.now()
    sent = skipped = 0
    for booking in queryset:
        if not selectors.booking_can_resend_confirmation(booking, now=now):
            skipped += 1
            continue
        try:
            services.booking_confirmation_resend(booking=booking)
        except ValidationError:
            # Cancelled or moved on since the page was loaded.
            skipped += 1
            continue
        model_admin.log_change(
            request, booking, "Resent the confirmation to the client."
        )
        sent += 1
    if sent:
        model_admin.message_user(
            request,
            f"Confirmation sent again for {sent} booking(s), each with a new "
            "private link (the old one stops working).",
            messages.SUCCESS,
        )
    if skipped:
        model_admin.message_user(
            request,
            f"{skipped} booking(s) skipped: only an upcoming confirmed call has a "
            "confirmation to resend.",
            messages.WARNING,
        )


@admin.action(
    description="Cancel this booking…",
    description_plural="Cancel selected bookings…",
    permissions=["change"],
    location=BOTH,
)
def cancel_bookings(
    model_admin: ModelAdmin, request: HttpRequest, queryset: QuerySet[Booking]
) -> HttpResponse | None:
    """Ask for the reason on a page of its own, then cancel with it."""
    form = CancelReasonForm(request.POST if "confirm" in request.POST else None)
    bookings = list(queryset)
    if not form.is_valid():
        return cancel_page(model_admin, request, bookings, form)
    reason = form.cleaned_data["reason"]
    now = timezone.now()
    done = emailed = 0
    for booking in bookings:
        result = services.booking_cancel(
            booking=booking, reason=reason, by=CancelledBy.STAFF, now=now
        )
        if result.outcome == services.Outcome.CANCELLED:
            model_admin.log_change(request, booking, f"Cancelled: {reason}")
            done += 1
            emailed += result.emailed
    if done:
        told = f"; {emailed} client(s) told by email" if emailed else ""
        model_admin.message_user(
            request, f"Cancelled {done} booking(s){told}.", messages.SUCCESS
        )
    if skipped := len(bookings) - done:
        model_admin.message_user(
            request,
            f"{skipped} booking(s) were not active and stay as they were.",
            messages.WARNING,
        )
    return None
