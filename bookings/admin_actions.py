"""The bookings admin's actions, on the list and on a booking's own page.

Each calls a service per booking, writes a ``LogEntry`` for every booking it changed,
and tells the user how many changed and how many were left as they were.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings import selectors, services
from bookings.admin_forms import CancelReasonForm, NoShowForm
from bookings.admin_views import cancel_page, no_show_page
from bookings.enums import CancelledBy

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from django.contrib.admin import ModelAdmin
    from django.db.models import QuerySet
    from django.http import HttpRequest, HttpResponse

    from bookings.models import Booking

BOTH = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]


def _mark(  # noqa: PLR0913 -- keyword-only after the action's own three
    model_admin: ModelAdmin,
    request: HttpRequest,
    queryset: Iterable[Booking],
    *,
    service: Callable[..., bool],
    done_label: str,
    told: str = "",
) -> None:
    done = skipped = 0
    for booking in queryset:
        if service(booking=booking):
            model_admin.log_change(request, booking, f"Marked {done_label}{told}.")
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
    description="Mark this call as a no-show…",
    description_plural="Mark selected calls as no-show…",
    permissions=["change"],
    location=BOTH,
)
def mark_no_show(
    model_admin: ModelAdmin, request: HttpRequest, queryset: QuerySet[Booking]
) -> HttpResponse | None:
    """Ask first whether to email the clients a way to book again (yes by default)."""
    bookings = list(queryset)
    if "confirm" not in request.POST:
        return no_show_page(model_admin, request, bookings, NoShowForm())
    form = NoShowForm(request.POST)
    email_client = form.is_valid() and form.cleaned_data["email_client"]
    _mark(
        model_admin,
        request,
        bookings,
        service=partial(services.booking_mark_no_show, email_client=email_client),
        done_label="no-show",
        told=" and emailed the client a link to book again" if email_client else "",
    )
    return None


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
            "private link (the earlier ones keep working until the client revokes them).",
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
            booking=booking,
            reason=reason,
            by=CancelledBy.STAFF,
            by_user=request.user,
            now=now,
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
