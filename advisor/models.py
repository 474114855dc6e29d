from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from advisor.engine import PriceBookError, Prices
from advisor.engine.contract import TASK_TOKEN_DEFAULTS, TASKS
from advisor.enums import (
    REGULATION_LABELS,
    TASK_LABELS,
    USER_FACING_TASKS,
    AccuracyLift,
    AssessmentStatus,
    FormatConsistency,
    LinkKind,
    LinkOrigin,
    ProprietaryData,
    ReviewStatus,
)
from consult.notes import NoteBase
from consult.templatetags.humanize_consult import duration_ms

assert set(TASK_LABELS) == set(TASKS)  # noqa: S101 -- the contract and the labels must agree
assert set(TASK_TOKEN_DEFAULTS) >= USER_FACING_TASKS  # noqa: S101 -- language tasks only


def regulations_validate(value: object) -> None:
    """A list of known regulation codes, each at most once."""
    if not isinstance(value, list):
        raise ValidationError("Regulations must be a list.", code="invalid")
    unknown = [code for code in value if code not in REGULATION_LABELS]
    if unknown:
        raise ValidationError(
            "Unknown regulation: %(codes)s. Known: %(known)s.",
            code="invalid_choice",
            params={
                "codes": ", ".join(map(str, unknown)),
                "known": ", ".join(REGULATION_LABELS),
            },
        )
    if len(set(value)) != len(value):
        raise ValidationError("Each regulation may be listed once.", code="duplicate")


def latency_words(ms: int | None, batch_ok: bool) -> str:
    """A use case's answer to "how fast?" in words."""
    if batch_ok:
        return "It can wait hours (an overnight job)"
    if ms is None:
        return "No hard limit"
    return f"Within {duration_ms(ms)}"


class PriceBook(models.Model):
    """Dated prices the engine costs with. Data, not code: edited in the admin."""

    name = models.SlugField(max_length=100, unique=True)
    as_of = models.DateField(help_text="The date the figures were checked.")
    data = models.JSONField(
        help_text="The full price book: every figure with its source and date."
    )
    is_active = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_of", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="advisor_one_active_price_book",
                violation_error_message="Only one price book can be active.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (as of {self.as_of:%Y-%m-%d})"

    def prices(self) -> Prices:
        return Prices.from_dict({**self.data, "name": self.name})

    def clean(self) -> None:
        try:
            self.prices()
        except PriceBookError as exc:
            raise ValidationError(
                {"data": [str(error) for error in exc.errors]}
            ) from None


class Assessment(models.Model):
    Status = AssessmentStatus

    Review = ReviewStatus

    status = models.CharField(max_length=12, choices=Status, default=Status.DRAFT)
    # Raised on every saved step; a form posted from an older copy of the page
    # (another tab) is refused instead of overwriting newer answers.
    version = models.PositiveIntegerField(default=0, editable=False)

    contact_name = models.CharField("name", max_length=120, blank=True)
    contact_email = models.EmailField("work email", blank=True)
    company = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=120, blank=True)
    consent_contact = models.BooleanField(default=False)
    consent_at = models.DateTimeField(null=True, blank=True)

    industry = models.CharField(max_length=80, blank=True)
    ml_engineers = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100_000)]
    )
    data_can_leave = models.BooleanField(null=True, blank=True)
    regulations = models.JSONField(
        default=list,
        blank=True,
        validators=[regulations_validate],
        help_text="Codes of the rules the company's data or product falls under.",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    review_status = models.CharField(max_length=12, choices=Review, default=Review.NEW)
    # The consultant who follows this client up. A consultant also works on an
    # assessment a call was booked with them from (see ``desk.ownership``).
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"is_staff": True},
        verbose_name="assigned consultant",
    )

    summary_pdf = models.FileField(upload_to="summaries/", blank=True, editable=False)
    # The same summary without the client's private links, for staff: the
    # consultant's booking notice and the admin. A consultant holding the
    # client's link could open, change or delete their assessment.
    staff_summary_pdf = models.FileField(
        upload_to="summaries/", blank=True, editable=False
    )
    summary_pdf_built_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-submitted_at", "-created_at"]
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["status", "updated_at"]),
        ]

    def __str__(self) -> str:
        return self.company or self.contact_name or f"Draft assessment {self.pk}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def regulation_labels(self) -> list[str]:
        return [REGULATION_LABELS.get(code, code) for code in self.regulations]


class UseCase(models.Model):
    ProprietaryData = ProprietaryData

    FormatConsistency = FormatConsistency

    AccuracyLift = AccuracyLift

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="use_cases"
    )
    position = models.PositiveSmallIntegerField()
    version = models.PositiveIntegerField(default=0, editable=False)

    name = models.CharField(max_length=120)
    task = models.CharField(max_length=32, choices=list(TASK_LABELS.items()))
    monthly_requests = models.PositiveBigIntegerField(
        validators=[MaxValueValidator(10_000_000_000)]
    )
    input_tokens = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(2_000_000)],
    )
    output_tokens = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(200_000)],
    )
    latency_budget_ms = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600_000)],
    )
    value_per_request_usd = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    proprietary_data = models.CharField(
        max_length=12, choices=ProprietaryData, default=ProprietaryData.NONE
    )
    format_consistency = models.CharField(
        max_length=12, choices=FormatConsistency, default=FormatConsistency.FLEXIBLE
    )
    sensitive_data = models.BooleanField(default=False)
    accuracy_lift_value = models.CharField(
        max_length=8, choices=AccuracyLift, default=AccuracyLift.LOW
    )
    # People read its answers as they come (a chatbot, an assistant); asked only
    # for the USER_FACING_TASKS, false for every other task.
    user_facing = models.BooleanField(default=False)
    # Results may take hours (a nightly job), so batch prices apply; such a use
    # case has no latency budget.
    batch_ok = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "position"],
                name="advisor_use_case_position_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_language(self) -> bool:
        return self.task in TASK_TOKEN_DEFAULTS

    @property
    def latency_words(self) -> str:
        return latency_words(self.latency_budget_ms, self.batch_ok)

    @property
    def may_be_user_facing(self) -> bool:
        """Whether the wizard asks if people read this use case's answers directly."""
        return self.task in USER_FACING_TASKS

    def contract(self) -> dict:
        """This use case in the engine's contract (blank answers left out)."""
        data = {
            "name": self.name,
            "task": self.task,
            "monthly_requests": self.monthly_requests,
            "proprietary_data": self.proprietary_data,
            "format_consistency": self.format_consistency,
            "sensitive_data": self.sensitive_data,
            "accuracy_lift_value": self.accuracy_lift_value,
            "user_facing": self.user_facing,
            "batch_ok": self.batch_ok,
        }
        if self.is_language:
            if self.input_tokens is not None:
                data["input_tokens"] = self.input_tokens
            if self.output_tokens is not None:
                data["output_tokens"] = self.output_tokens
        # A batch job has no latency budget.
        if self.latency_budget_ms is not None and not self.batch_ok:
            data["latency_budget_ms"] = self.latency_budget_ms
        if self.value_per_request_usd is not None:
            data["value_per_request_usd"] = float(self.value_per_request_usd)
        return data


class Recommendation(models.Model):
    """What the engine answered, frozen with the engine version and prices it used."""

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="recommendation"
    )
    engine_version = models.CharField(max_length=20)
    price_book = models.ForeignKey(
        PriceBook, on_delete=models.PROTECT, related_name="+"
    )
    input = models.JSONField(help_text="The assessment exactly as the engine read it.")
    output = models.JSONField(help_text="The engine's answer.")
    stack = models.CharField(max_length=16, db_index=True)
    api_monthly_usd = models.DecimalField(
        "estimated monthly API spend", max_digits=16, decimal_places=2, null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.stack} for {self.assessment}"


class AssessmentLink(models.Model):
    """One link to an assessment: private (the client's) or a read-only share link.

    Only the token's SHA-256 is stored. A client may hold several private links at
    once (the first, one from each "Lost your link?"); each works until the client
    revokes it on their links page, so a fresh link never takes an old one away.
    """

    Kind = LinkKind

    Origin = LinkOrigin

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="links"
    )
    kind = models.CharField(max_length=8, choices=Kind, default=Kind.PRIVATE)
    origin = models.CharField(max_length=12, choices=Origin)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # For a share link sent to a colleague, their address: the client sees whom
    # each share link went to before revoking it. Erased with the assessment.
    note = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["assessment", "kind"], name="advisor_link_assessment_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} of assessment {self.assessment_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AssessmentNote(NoteBase):
    """A consultant's entry on an assessment, or a change of its review status."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="notes"
    )

    class Meta(NoteBase.Meta):
        verbose_name = "assessment note"
        indexes = [models.Index(fields=["assessment", "created_at"])]
