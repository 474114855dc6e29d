from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count
from django.utils.html import format_html, format_html_join

from advisor.forms import INDUSTRY_LABELS
from advisor.models import Assessment, PriceBook, Recommendation, UseCase
from consult.templatetags.humanize_consult import path_label, usd


@admin.register(PriceBook)
class PriceBookAdmin(admin.ModelAdmin):
    list_display = ["name", "as_of", "is_active", "created_at"]
    list_filter = ["is_active"]
    ordering = ["-as_of"]
    actions = ["activate"]
    readonly_fields = ["is_active", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and Recommendation.objects.filter(price_book=obj).exists():
            # Results already priced with this book must keep showing the same figures.
            fields += ["name", "as_of", "data"]
        return fields

    @admin.action(description="Make the selected price book the active one")
    def activate(self, request, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one price book.", messages.ERROR)
            return
        book = queryset.get()
        with transaction.atomic():
            PriceBook.objects.filter(is_active=True).update(is_active=False)
            PriceBook.objects.filter(pk=book.pk).update(is_active=True)
        self.message_user(
            request, f"{book} is now active; earlier results keep the prices they used."
        )


class UseCaseInline(admin.TabularInline):
    model = UseCase
    extra = 0
    can_delete = False
    fields = [
        "position",
        "name",
        "task",
        "monthly_requests",
        "latency_budget_ms",
        "sensitive_data",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = [
        "company_or_draft",
        "contact_name",
        "verdict",
        "use_case_count",
        "api_spend",
        "submitted_at",
        "review_status",
    ]
    list_filter = [
        "status",
        "review_status",
        "recommendation__stack",
        "industry",
        "submitted_at",
    ]
    search_fields = ["company", "contact_name", "contact_email"]
    list_select_related = ["recommendation"]
    date_hierarchy = "submitted_at"
    inlines = [UseCaseInline]
    fieldsets = [
        ("Review", {"fields": ["review_status", "consultant_notes"]}),
        (
            "Client",
            {
                "fields": [
                    "company",
                    "contact_name",
                    "contact_email",
                    "role",
                    "consent_contact",
                    "consent_at",
                    "industry_label",
                    "ml_engineers",
                    "data_can_leave",
                ]
            },
        ),
        ("Recommendation", {"fields": ["recommendation_summary", "engine_and_prices"]}),
        ("Record", {"fields": ["status", "created_at", "updated_at", "submitted_at"]}),
    ]
    readonly_fields = [
        "company",
        "contact_name",
        "contact_email",
        "role",
        "consent_contact",
        "consent_at",
        "industry_label",
        "ml_engineers",
        "data_can_leave",
        "recommendation_summary",
        "engine_and_prices",
        "status",
        "created_at",
        "updated_at",
        "submitted_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(use_case_total=Count("use_cases"))

    def has_add_permission(self, request) -> bool:
        # Assessments come from clients (or `manage.py advise --save`), never typed in.
        return False

    @admin.display(description="Company", ordering="company")
    def company_or_draft(self, obj: Assessment) -> str:
        return obj.company or "(draft, no company yet)"

    @admin.display(description="Verdict", ordering="recommendation__stack")
    def verdict(self, obj: Assessment) -> str:
        recommendation = getattr(obj, "recommendation", None)
        return path_label(recommendation.stack) if recommendation else "—"

    @admin.display(description="Use cases", ordering="use_case_total")
    def use_case_count(self, obj: Assessment) -> int:
        return obj.use_case_total

    @admin.display(
        description="API spend / month", ordering="recommendation__api_monthly_usd"
    )
    def api_spend(self, obj: Assessment) -> str:
        recommendation = getattr(obj, "recommendation", None)
        return usd(recommendation.api_monthly_usd) if recommendation else "—"

    @admin.display(description="Industry")
    def industry_label(self, obj: Assessment) -> str:
        return INDUSTRY_LABELS.get(obj.industry, obj.industry) or "—"

    @admin.display(description="Per use case")
    def recommendation_summary(self, obj: Assessment) -> str:
        recommendation = getattr(obj, "recommendation", None)
        if recommendation is None:
            return "Not submitted yet."
        output = recommendation.output
        rows = format_html_join(
            "",
            "<li><strong>{}</strong>: {} (confidence {}%)<ul>{}</ul></li>",
            (
                (
                    use_case["name"],
                    path_label(use_case["path"]),
                    round(use_case["confidence"] * 100),
                    format_html_join(
                        "", "<li>{}</li>", ((r["detail"],) for r in use_case["reasons"])
                    ),
                )
                for use_case in output["use_cases"]
            ),
        )
        return format_html(
            "<p><strong>Stack: {}</strong>. {}</p><ul>{}</ul>",
            path_label(output["stack"]),
            output.get("summary", ""),
            rows,
        )

    @admin.display(description="Engine and prices")
    def engine_and_prices(self, obj: Assessment) -> str:
        recommendation = getattr(obj, "recommendation", None)
        if recommendation is None:
            return "—"
        return f"Engine {recommendation.engine_version}, price book {recommendation.price_book}"
