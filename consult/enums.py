"""The shared plumbing's enums and their labels: a leaf module."""

from django.db import models


class EmailStatus(models.TextChoices):
    """Where an outbox row is on its way (``OutboundEmail.Status``)."""

    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # The recipient's mail server refused it for good: while sending (a 5xx to the
    # recipient) or later, in a bounce message (``consult.bounces``).
    BOUNCED = "bounced", "Bounced"


class NoteKind(models.TextChoices):
    """An entry on an assessment's or a booking's notes (``consult.notes``)."""

    NOTE = "note", "Note"
    # Written by the service that changed a status: who changed it and when.
    STATUS = "status", "Status change"
