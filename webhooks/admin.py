"""Webhook endpoints and their deliveries in the admin.

Only superusers and Managers see them (migration 0002 grants Managers the permissions;
Consultants have none): an endpoint receives every client's details.
A new endpoint's secret (and a rotated one) is shown once, on the page that answers
the save; it is never displayed again.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from consult.http import private_response
from consult.outbound import OutboundError, UnsafeURL, url_check
from webhooks.enums import WebhookEvent
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.services import (
    webhook_endpoint_secret_rotate,
    webhook_events_validate,
    webhook_redeliver,
    webhook_secret_new,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest, HttpResponse


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each event is posted to this URL, signed with the endpoint's secret.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "enabled"]

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        try:
            url_check(url)
        except (UnsafeURL, OutboundError) as exc:
            raise ValidationError(str(exc)) from None
        return url

    def clean_events(self) -> list[str]:
        return webhook_events_validate(self.cleaned_data["events"])


def secret_page(
    request: HttpRequest, *, endpoint: WebhookEndpoint, secret: str
) -> HttpResponse:
    opts = WebhookEndpoint._meta  # noqa: SLF001 -- Django API
    response = TemplateResponse(
        request,
        "admin/secret_once.html",
        {
            **admin.site.each_context(request),
            "title": "Signing secret",
            "opts": opts,
            "intro": f"The signing secret of {endpoint}: receivers verify each "
            "delivery's webhook-signature with it.",
            "secret": secret,
            "afterwards": "If it is lost, give the endpoint a new one.",
            "back_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[endpoint.pk]
            ),
        },
    )
    return private_response(response)


@admin.action(
    description="Give the selected endpoint a new secret", permissions=["change"]
)
def rotate_secret(
    model_admin: WebhookEndpointAdmin,
    request: HttpRequest,
    queryset: QuerySet[WebhookEndpoint],
) -> HttpResponse | None:
    endpoints = list(queryset[:2])
    if len(endpoints) != 1:
        model_admin.message_user(
            request,
            "Select one endpoint: its new secret is shown once.",
            messages.WARNING,
        )
        return None
    endpoint = endpoints[0]
    secret = webhook_endpoint_secret_rotate(endpoint=endpoint)
    model_admin.log_change(request, endpoint, "Gave it a new signing secret.")
    return secret_page(request, endpoint=endpoint, secret=secret)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "description", "event_list", "enabled", "created_at"]
    list_filter = ["enabled"]
    search_fields = ["url", "description"]
    actions = [rotate_secret]

    @admin.display(description="events")
    def event_list(self, obj: WebhookEndpoint) -> str:
        return ", ".join(obj.events)

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        if not change:
            obj.secret = webhook_secret_new()
            request._webhook_secret = obj.secret  # noqa: SLF001 -- shown by response_add
        super().save_model(request, obj, form, change)

    def response_add(self, request: HttpRequest, obj, post_url_continue=None):
        secret = getattr(request, "_webhook_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        return secret_page(request, endpoint=obj, secret=secret)


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["number", "started_at", "status_code", "duration_ms", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.action(
    description="Redeliver the selected failed deliveries", permissions=["change"]
)
def redeliver(
    model_admin: WebhookDeliveryAdmin,
    request: HttpRequest,
    queryset: QuerySet[WebhookDelivery],
) -> None:
    done = skipped = 0
    for delivery in queryset:
        try:
            webhook_redeliver(delivery=delivery)
        except ValidationError:
            skipped += 1
        else:
            model_admin.log_change(request, delivery, "Queued for redelivery.")
            done += 1
    if done:
        model_admin.message_user(
            request, f"{done} deliveries queued again.", messages.SUCCESS
        )
    if skipped:
        model_admin.message_user(
            request,
            f"{skipped} left as they were: only a failed delivery whose content "
            "was not erased can be sent again.",
            messages.WARNING,
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
        "delivered_at",
    ]
    list_filter = ["status", "event", "endpoint"]
    list_select_related = ["endpoint"]
    date_hierarchy = "created_at"
    actions = [redeliver]
    inlines = [WebhookAttemptInline]
    fields = [
        "webhook_id",
        "endpoint",
        "event",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "last_status_code",
        "last_error",
        "created_at",
        "body_pretty",
    ]
    readonly_fields = fields

    @admin.display(description="webhook-id")
    def webhook_id(self, obj: WebhookDelivery) -> str:
        return obj.webhook_id

    @admin.display(description="body")
    def body_pretty(self, obj: WebhookDelivery) -> str:
        if not obj.body:
            return "(erased)"
        return format_html(
            "<pre>{}</pre>",
            json.dumps(json.loads(obj.body), indent=2, ensure_ascii=False),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
