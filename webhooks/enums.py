"""Webhooks' domain enums and their labels: the events an endpoint can subscribe to and
a delivery's status.

A leaf module: it imports nothing of the project.
"""

from django.db import models


class WebhookEvent(models.TextChoices):
    ASSESSMENT_SUBMITTED = "assessment.submitted", "An assessment was submitted"
    BOOKING_CREATED = "booking.created", "A call was booked"
    BOOKING_RESCHEDULED = "booking.rescheduled", "A call was moved"
    BOOKING_CANCELLED = "booking.cancelled", "A call was cancelled"
    BOOKING_REASSIGNED = (
        "booking.reassigned",
        "A call was handed to another consultant",
    )
    BOOKING_OUTCOME_RECORDED = (
        "booking.outcome_recorded",
        "A call was marked completed or no-show",
    )
    CLIENT_ERASED = "client.erased", "A client deleted their data"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    # The client deleted their data before it went out: never sent.
    WITHDRAWN = "withdrawn", "Withdrawn"
