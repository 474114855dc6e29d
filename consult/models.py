"""The email outbox: every email the product sends is a row here first.

Services in ``consult/emails.py`` write and move the rows; nothing else
should change ``status``.
"""

from django.db import models
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from consult.enums import EmailStatus

ERASED_SUBJECT = "(deleted)"


def related_key(obj: models.Model) -> tuple[str, str]:
    """How an email names the row that caused it: ``("app_label.model", "pk")``."""
    return obj._meta.label_lower, str(obj.pk)  # noqa: SLF001 -- Django's documented metadata API


class OutboundEmailQuerySet(models.QuerySet):
    def about(self, *objects: models.Model) -> "OutboundEmailQuerySet":
        """The emails caused by any of these rows."""
        if not objects:
            return self.none()
        match = Q()
        for obj in objects:
            model_label, pk = related_key(obj)
            match |= Q(related_model=model_label, related_id=pk)
        return self.filter(match)

    def content_erase(self) -> int:
        """Strip these emails of their recipient and content; keep when and what kind.

        The address becomes one under a reserved domain, so it is still valid for
        the field and can never be delivered.
        """
        return self.update(
            to=Concat(
                Value("deleted-email-"),
                Cast("pk", CharField()),
                Value("@erased.invalid"),
            ),
            reply_to="",
            subject=ERASED_SUBJECT,
            # A mail server's refusal quotes the address it refused; our own words
            # (why an email was withdrawn, say) name none and stay.
            last_error=Case(
                When(last_error__contains="@", then=Value("")),
                default=F("last_error"),
                output_field=models.TextField(),
            ),
            body_text="",
            body_html="",
            attachments=[],
        )


class OutboundEmail(models.Model):
    Status = EmailStatus

    kind = models.SlugField(max_length=64, help_text="Template folder under emails/.")
    to = models.EmailField("recipient")
    reply_to = models.EmailField(blank=True)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField()
    # Small text parts inline ({"filename", "content_type", "text"}) or a file
    # in default storage read at send time ({"filename", "content_type",
    # "storage_name"}), so a PDF is not copied into the table.
    attachments = models.JSONField(default=list, blank=True)
    # Callers derive it from what caused the email (booking + kind + sequence),
    # so queuing the same email twice cannot send it twice.
    dedupe_key = models.CharField(max_length=255, unique=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Who claimed it (the Celery task id), so only that claim is ever put back:
    # by the worker's main process when the child sending it died, or by the
    # task itself when the database failed it before the send.
    claimed_by = models.CharField(max_length=64, blank=True)
    # Set when the relay re-enqueues the row, so a long backlog is not
    # enqueued again on every relay run.
    relayed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When the recipient's server refused it for good; ``last_error`` says why, in
    # the server's words.
    bounced_at = models.DateTimeField(null=True, blank=True)
    related_model = models.CharField(
        max_length=100, blank=True, help_text="app_label.model of what caused it."
    )
    related_id = models.CharField(max_length=64, blank=True)
    # The client deleted their data while this email was still to go (a cancellation
    # notice, say): it goes out, and then its content is erased.
    erase_when_done = models.BooleanField(default=False)
    # Past this, the email would mislead (a reminder once its call has begun): a
    # retry after a mail outage marks it failed instead of sending it.
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = OutboundEmailQuerySet.as_manager()

    class Meta:
        verbose_name = "email"
        verbose_name_plural = "email log"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The relay only ever scans unfinished rows; a partial index stays
            # small while sent rows pile up.
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=Q(status__in=["queued", "sending"]),
                name="outboundemail_relay_idx",
            ),
            models.Index(fields=["-created_at", "-id"], name="outboundemail_log_idx"),
            models.Index(
                fields=["related_model", "related_id"],
                name="outboundemail_related_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["queued", "sending", "sent", "failed", "bounced"]
                ),
                name="outboundemail_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="outboundemail_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="bounced") | Q(bounced_at__isnull=False),
                name="outboundemail_bounced_has_bounced_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to} ({self.status})"
