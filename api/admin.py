"""API tokens in the admin: made by superusers and Managers (migration 0002 grants
Managers the permissions; Consultants have none) for any active member of staff, the
token shown once; revoked, never edited; last use shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.template.response import TemplateResponse
from django.urls import reverse

from api.models import ApiToken
from api.services import api_token_revoke, api_token_secret_give
from consult.http import private_response

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest, HttpResponse


@admin.action(description="Revoke the selected tokens", permissions=["change"])
def revoke(
    model_admin: ApiTokenAdmin, request: HttpRequest, queryset: QuerySet[ApiToken]
) -> None:
    done = 0
    for token in queryset:
        if api_token_revoke(token=token):
            model_admin.log_change(request, token, "Revoked.")
            done += 1
    model_admin.message_user(request, f"{done} token(s) revoked.", messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "owner",
        "scope",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["owner"]
    search_fields = ["name", "prefix", "owner__username"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = [revoke]

    def get_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return ["name", "owner", "scope"]
        return ["name", "owner", "scope", *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # A token's owner and scope are what it was made with: revoke and make another.
        if obj is None:
            return []
        return ["owner", "scope", *self.readonly_fields]

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "owner" and not request.user.is_superuser:
            # A token acts with its owner's rights: a manager cannot mint a superuser's.
            kwargs["queryset"] = get_user_model().objects.filter(is_superuser=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        if not change:
            secret = api_token_secret_give(obj)
            request._api_token_secret = secret  # noqa: SLF001 -- shown by response_add
        super().save_model(request, obj, form, change)

    def response_add(self, request: HttpRequest, obj, post_url_continue=None):
        secret = getattr(request, "_api_token_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        return secret_page(request, token=obj, secret=secret)


def secret_page(request: HttpRequest, *, token: ApiToken, secret: str) -> HttpResponse:
    opts = ApiToken._meta  # noqa: SLF001 -- Django API
    response = TemplateResponse(
        request,
        "admin/secret_once.html",
        {
            **admin.site.each_context(request),
            "title": "New API token",
            "opts": opts,
            "intro": f"The token “{token.name}” ({token.get_scope_display().lower()}, "
            f"acting for {token.owner}). Send it as Authorization: Bearer <token>.",
            "secret": secret,
            "afterwards": "Only its hash is kept; if it is lost, revoke it and make another.",
            "back_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        },
    )
    return private_response(response)
