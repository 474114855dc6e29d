"""The email log: what was sent to whom, what failed and why, and a resend.

Also the admin site's own name; its index page carries the dashboard
(``templates/admin/index.html``, figures from ``desk.dashboard``).
"""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import truncatechars
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from consult.emails import email_resend
from consult.models import OutboundEmail

admin.site.site_header = "Consult admin"
admin.site.site_title = "Consult admin"
admin.site.index_title = "Dashboard"
# The lists carry several columns and a filter panel; at laptop widths the extra
# navigation column pushed the last columns out of view.
admin.site.enable_nav_sidebar = False


class _EmailLogChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # The bodies can be large and the list never shows them.
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .defer("body_text", "body_html", "attachments")
        )


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "to",
        "status",
        "attempts",
        "last_error_short",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["to"]
    date_hierarchy = "created_at"
    # Counting a large log on every page view costs more than it tells.
    show_full_result_count = False
    actions = ["resend"]
    fields = [
        "kind",
        "to",
        "reply_to",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "bounced_at",
        "caused_by",
        "dedupe_key",
        "attachment_names",
        "body_text",
    ]
    readonly_fields = fields

    def get_changelist(self, request, **kwargs):
        return _EmailLogChangeList

    # The log records what happened; nobody edits or deletes history.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.display(description="last error")
    def last_error_short(self, obj):
        return truncatechars(obj.last_error, 80)

    @admin.display(description="caused by")
    def caused_by(self, obj):
        if not obj.related_model:
            return "-"
        app_label, _, model_name = obj.related_model.partition(".")
        label = f"{obj.related_model} #{obj.related_id}"
        try:
            url = reverse(
                f"admin:{app_label}_{model_name}_change", args=[obj.related_id]
            )
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description="attachments")
    def attachment_names(self, obj):
        return ", ".join(part["filename"] for part in obj.attachments) or "-"

    @admin.action(description="Resend selected failed emails", permissions=["resend"])
    def resend(self, request, queryset):
        resent = 0
        skipped = queryset.exclude(status=OutboundEmail.Status.FAILED).count()
        with transaction.atomic():
            for email in queryset.filter(status=OutboundEmail.Status.FAILED):
                try:
                    email_resend(email=email)
                except ValidationError:
                    # It changed status since the page was loaded.
                    skipped += 1
                else:
                    self.log_change(request, email, "Queued to be sent again.")
                    resent += 1
        if resent:
            self.message_user(
                request, f"{resent} email(s) queued to be sent again.", messages.SUCCESS
            )
        if skipped:
            self.message_user(
                request,
                f"{skipped} email(s) skipped: only failed emails whose content was "
                "not erased can be resent.",
                messages.WARNING,
            )
