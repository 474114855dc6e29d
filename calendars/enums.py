"""The calendars app's choices and their labels."""

from django.db import models


class WriteStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    DONE = "done", "Written"
    FAILED = "failed", "Failed"
