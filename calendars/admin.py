"""The calendars admin: each consultant connects their own calendars and sees how their
reads go; managers (and superusers) work on everyone's.

Rows are scoped like the bookings admin (``bookings.admin_scope.OwnRowsMixin``); a
consultant never picks whose calendar it is, it is theirs. Every change goes through
``calendars.services``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from bookings import selectors as booking_selectors
from bookings.admin_scope import OwnRowsMixin
from calendars import services
from calendars.admin_forms import CalDAVAccountForm, CalendarFeedForm
from calendars.enums import WriteStatus
from calendars.models import (
    CalDAVAccount,
    CalendarFeed,
    CalendarSubscription,
    CalendarWrite,
)
from consult.staff import staff_sees_everyone
from consult.timezones import viewer_label

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest
    from django.utils.safestring import SafeString

SYNC_FIELDS = (
    "sync_status",
    "last_success_at",
    "last_attempt_at",
    "last_error",
    "failures",
    "next_sync_at",
    "busy_count",
)


class ConsultantOwnedAdmin(OwnRowsMixin, admin.ModelAdmin):
    """A consultant's rows: the consultant field only for those who see everyone."""

    def get_exclude(self, request: HttpRequest, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if not staff_sees_everyone(request.user):
            excluded.append("consultant")
        return excluded

    def get_list_display(self, request: HttpRequest):
        shown = super().get_list_display(request)
        if staff_sees_everyone(request.user):
            return shown
        return tuple(name for name in shown if name != "consultant")

    def add_view(self, request: HttpRequest, form_url="", extra_context=None):
        # Asked here, not in has_add_permission, which every admin page's menu calls.
        if not staff_sees_everyone(request.user) and (
            booking_selectors.consultant_id_for_user(request.user.pk) is None
        ):
            raise PermissionDenied("Only a consultant has calendars to connect.")
        return super().add_view(request, form_url, extra_context)

    def own_consultant_set(self, request: HttpRequest, obj) -> None:
        if not staff_sees_everyone(request.user) and obj.pk is None:
            obj.consultant_id = booking_selectors.consultant_id_for_user(
                request.user.pk
            )


class SyncedSourceAdmin(ConsultantOwnedAdmin):
    """Feeds and CalDAV accounts alike: deleted through the service, read again on
    "Sync now", with how their reads go in words."""

    actions = ("sync_now",)
    # What one row is, in the message after "Sync now".
    sync_noun = ""

    def source_delete(self, obj) -> None:
        raise NotImplementedError

    def source_sync_now(self, obj) -> None:
        raise NotImplementedError

    def delete_model(self, request: HttpRequest, obj) -> None:
        self.source_delete(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for row in queryset:
            self.source_delete(row)

    @admin.action(description="Sync now")
    def sync_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for row in queryset.filter(is_active=True):
            self.source_sync_now(row)
            self.log_change(request, row, "Asked to sync now.")
            count += 1
        self.message_user(
            request,
            f"{count} {self.sync_noun}(s) will be read within a minute; refresh to "
            "see the result.",
            messages.SUCCESS,
        )

    @admin.display(description="status")
    def sync_status(self, obj) -> SafeString:
        return sync_status(obj)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(SyncedSourceAdmin):
    form = CalendarFeedForm
    list_display = (
        "name",
        "consultant",
        "url_hint",
        "sync_status",
        "last_success_at",
        "busy_count",
        "is_active",
    )
    list_select_related = ("consultant",)
    readonly_fields = ("url_hint", *SYNC_FIELDS)
    sync_noun = "calendar"

    def save_model(self, request: HttpRequest, obj, form, change) -> None:
        self.own_consultant_set(request, obj)
        services.feed_save(feed=obj, url=form.cleaned_data.get("url") or None)
        if not change:
            services.feed_sync_now(feed=obj)

    def source_delete(self, obj: CalendarFeed) -> None:
        services.feed_delete(feed=obj)

    def source_sync_now(self, obj: CalendarFeed) -> None:
        services.feed_sync_now(feed=obj)


def sync_status(obj) -> SafeString:
    """How the calendar's reads go, in words: what the consultant needs to act on."""
    if not obj.is_active:
        return format_html("{}", "Off")
    if obj.last_error:
        since = (
            f" (last read {viewer_label(obj.last_success_at)})"
            if obj.last_success_at
            else " (never read)"
        )
        return format_html(
            '<span class="calendar-warning">Failing{}: the busy times last read are '
            "kept.</span>",
            since,
        )
    if obj.is_stale(timezone.now()):
        return format_html('<span class="calendar-warning">{}</span>', "Stale")
    if obj.last_success_at is None:
        return format_html("{}", "Waiting for the first read")
    return format_html("{}", "OK")


def subscription_links(token: str) -> tuple[str, str]:
    """The subscription's webcal:// address (calendar apps) and its https:// one."""
    path = reverse("calendars:subscription_feed", args=[token])
    https = f"{settings.SITE_URL}{path}"
    return "webcal://" + https.split("://", 1)[1], https


@admin.register(CalendarSubscription)
class CalendarSubscriptionAdmin(ConsultantOwnedAdmin):
    """One private address per consultant; shown once, when made or rotated."""

    list_display = ("consultant", "created_at")
    list_select_related = ("consultant",)
    fields = ("consultant",)
    actions = ("rotate",)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # Nothing to edit: the address is rotated by the action.
        return False

    def save_model(self, request: HttpRequest, obj, form, change) -> None:
        self.own_consultant_set(request, obj)
        token = services.subscription_rotate(consultant=obj.consultant)
        obj.pk = CalendarSubscription.objects.get(consultant=obj.consultant).pk
        self._show_links(request, token)

    @admin.action(description="New subscription address (the old one stops working)")
    def rotate(self, request: HttpRequest, queryset: QuerySet) -> None:
        for subscription in queryset.select_related("consultant"):
            token = services.subscription_rotate(consultant=subscription.consultant)
            self.log_change(request, subscription, "Rotated the subscription address.")
            self._show_links(request, token, who=str(subscription.consultant))

    def _show_links(self, request: HttpRequest, token: str, who: str = "") -> None:
        webcal, https = subscription_links(token)
        self.message_user(
            request,
            format_html(
                'Subscribe{} in your calendar app to <a href="{}">{}</a> '
                "(or add {} by URL). Copy it now: it is not shown again, and anyone "
                "with it sees your calls.",
                f" ({who})" if who else "",
                webcal,
                webcal,
                https,
            ),
            messages.SUCCESS,
        )


@admin.register(CalDAVAccount)
class CalDAVAccountAdmin(SyncedSourceAdmin):
    form = CalDAVAccountForm
    list_display = (
        "name",
        "consultant",
        "username",
        "sync_status",
        "last_success_at",
        "busy_count",
        "writes_failed",
        "is_active",
    )
    list_select_related = ("consultant",)
    readonly_fields = ("calendars_found", *SYNC_FIELDS)
    sync_noun = "account"

    def save_model(self, request: HttpRequest, obj, form, change) -> None:
        self.own_consultant_set(request, obj)
        services.account_save(
            account=obj, password=form.cleaned_data.get("password") or None
        )
        services.account_sync_now(account=obj)

    def source_delete(self, obj: CalDAVAccount) -> None:
        services.account_delete(account=obj)

    def source_sync_now(self, obj: CalDAVAccount) -> None:
        services.account_sync_now(account=obj)

    @admin.display(description="calendars found (name: address)")
    def calendars_found(self, obj: CalDAVAccount) -> SafeString:
        found = obj.calendar_state.get("calendars") or {}
        if not found:
            return format_html("{}", "None yet: they are listed after the first read.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", "<li>{}: <code>{}</code></li>", ((n, u) for u, n in found.items())
            ),
        )

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .annotate(
                failed_writes=Count(
                    "writes", filter=Q(writes__status=WriteStatus.FAILED)
                )
            )
        )

    @admin.display(description="failed writes", ordering="failed_writes")
    def writes_failed(self, obj: CalDAVAccount) -> int:
        return obj.failed_writes


@admin.register(CalendarWrite)
class CalendarWriteAdmin(OwnRowsMixin, admin.ModelAdmin):
    """Bookings written into consultants' calendars: what failed, and why."""

    owner_path = "account__consultant__user"
    list_display = (
        "booking",
        "account",
        "status",
        "attempts",
        "last_error",
        "updated_at",
    )
    list_filter = ("status",)
    list_select_related = ("booking", "account")
    readonly_fields = (
        "booking",
        "account",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "written_sequence",
        "updated_at",
    )
    fields = readonly_fields
    actions = ("retry",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def is_own(self, request: HttpRequest, obj) -> bool:
        if staff_sees_everyone(request.user):
            return True
        mine = booking_selectors.consultant_id_for_user(request.user.pk)
        return mine is not None and obj.account.consultant_id == mine

    @admin.action(description="Try again")
    def retry(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for write in queryset.exclude(status=WriteStatus.DONE):
            services.write_retry(write=write)
            self.log_change(request, write, "Asked to try again.")
            count += 1
        self.message_user(request, f"{count} write(s) queued again.", messages.SUCCESS)
