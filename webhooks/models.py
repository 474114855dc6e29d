"""Webhook endpoints, the outbox of deliveries to them, and each delivery's attempts.

A delivery is one event for one endpoint: its body is written once, with the change
that caused it, and sent byte for byte on every attempt under the same ``webhook-id``
(``message_id``), so a receiver can recognise a repeat. Deliveries name the rows they
are about by id only (``assessment_id``, ``booking_id``; no foreign key, since an
erased assessment is deleted) so that an erasure finds them.
"""

from __future__ import annotations

import uuid

from django.db import models

from webhooks.enums import DeliveryStatus, WebhookEvent

ERASED_BODY = ""


class WebhookEndpoint(models.Model):
    url = models.URLField("URL", max_length=500)
    description = models.CharField(max_length=200, blank=True)
    # A list of WebhookEvent values.
    events = models.JSONField(default=list)
    # Standard Webhooks' "whsec_" + base64 key. Kept, since every delivery is signed
    # with it; shown once, when it is made, and never again.
    secret = models.CharField(max_length=100, editable=False)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["url", "pk"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.description or self.url

    def event_labels(self) -> list[str]:
        return [WebhookEvent(value).label for value in self.events]


class WebhookDeliveryQuerySet(models.QuerySet["WebhookDelivery"]):
    def about(
        self, *, assessment_ids: list[int], booking_ids: list[int]
    ) -> WebhookDeliveryQuerySet:
        return self.filter(
            models.Q(assessment_id__in=assessment_ids)
            | models.Q(booking_id__in=booking_ids)
        )


class WebhookDelivery(models.Model):
    Status = DeliveryStatus

    # The webhook-id header: the same on every attempt.
    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=WebhookEvent)
    # The JSON body exactly as signed and sent.
    body = models.TextField()
    assessment_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    booking_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    status = models.CharField(
        max_length=12, choices=DeliveryStatus, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    relayed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # The client deleted their data while it was being sent: erase the body once done.
    erase_when_done = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"], name="webhook_delivery_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint}"

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.message_id.hex}"


class WebhookAttempt(models.Model):
    """One try of a delivery: what the receiver answered, and how long it took."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["delivery", "number", "pk"]

    def __str__(self) -> str:
        outcome = self.status_code or self.error[:40] or "no answer"
        return f"attempt {self.number}: {outcome}"
