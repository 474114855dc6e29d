"""The API's domain enums and their labels. A leaf module: it imports nothing of the
project."""

from django.db import models


class TokenScope(models.TextChoices):
    READ = "read", "Read only"
    WRITE = "write", "Read and write"


class Outcome(models.TextChoices):
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "No-show"
