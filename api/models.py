"""Staff API tokens: the token is shown once, the row keeps its hash.

A token acts for its owner: it reads what the owner may read in the admin (a
consultant, their own bookings), and a read-write token changes what the owner may
change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from api.enums import TokenScope


class ApiToken(models.Model):
    Scope = TokenScope

    name = models.CharField(
        max_length=100, help_text="What uses it, e.g. “HubSpot sync”."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        limit_choices_to={"is_staff": True, "is_active": True},
        help_text="The token reads and changes what this person may in the admin: "
        "a consultant's token sees their own bookings only.",
    )
    scope = models.CharField(max_length=8, choices=TokenScope, default=TokenScope.READ)
    # The first characters, to recognise a token in a list; not enough to use it.
    prefix = models.CharField(max_length=16, editable=False)
    # sha256 of the token; the token itself is never stored.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
