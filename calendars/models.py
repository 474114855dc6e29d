"""Consultants' own calendars: feeds and CalDAV accounts read for busy time, the outbox of
writes into their CalDAV calendar, and the private subscription feed of their calls.

The busy time read from a calendar is stored by bookings (``bookings.models.BusyInterval``,
under the calendar's ``source``), so the slot computation never reaches this app.
Secrets (feed addresses, app passwords) are stored encrypted (``calendars.crypto``).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models

from bookings.models import Booking, Consultant
from calendars.enums import WriteStatus


class SyncState(models.Model):
    """When a calendar was last read, what went wrong, and when it is read next."""

    is_active = models.BooleanField(
        "read this calendar",
        default=True,
        help_text="Calendars not read block no time.",
    )
    next_sync_at = models.DateTimeField(
        "next read", null=True, blank=True, editable=False
    )
    # Set while a worker reads the calendar, so two never read it at once.
    syncing_since = models.DateTimeField(null=True, blank=True, editable=False)
    last_attempt_at = models.DateTimeField(
        "last tried", null=True, blank=True, editable=False
    )
    last_success_at = models.DateTimeField(
        "last read", null=True, blank=True, editable=False
    )
    last_error = models.TextField(blank=True, editable=False)
    failures = models.PositiveIntegerField(
        "failures in a row", default=0, editable=False
    )
    busy_count = models.PositiveIntegerField(
        "busy stretches",
        default=0,
        editable=False,
        help_text="Busy stretches in the booking horizon from the last read.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def is_stale(self, now) -> bool:
        """Not read successfully for longer than ``CALENDAR_STALE_MINUTES``."""
        since = self.last_success_at or self.created_at
        if since is None:  # not saved yet
            return False
        return since < now - timedelta(minutes=settings.CALENDAR_STALE_MINUTES)


class CalendarFeed(SyncState):
    """An ICS address (Google's secret address, Outlook's published calendar, webcal)."""

    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    name = models.CharField(max_length=100, help_text="For you, e.g. Work (Google).")
    url_encrypted = models.TextField(editable=False)
    # Enough of the address to recognise it (scheme and host), never the secret part.
    url_hint = models.CharField("address", max_length=200, editable=False)
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    # The end of the window the stored busy time was computed for: a "not modified"
    # answer keeps it only while it still covers the booking horizon.
    covered_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "calendar feed"
        ordering = ["consultant", "name", "pk"]
        indexes = [models.Index(fields=["is_active", "next_sync_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.url_hint})"

    @property
    def source(self) -> str:
        return f"calendars.feed:{self.pk}"


class CalDAVAccount(SyncState):
    """A CalDAV account (iCloud, Fastmail, Nextcloud, Radicale...) with an app password."""

    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="caldav_accounts"
    )
    name = models.CharField(max_length=100)
    server_url = models.URLField(max_length=500)
    username = models.CharField(max_length=200)
    password_encrypted = models.TextField(editable=False)
    read_calendars = models.JSONField(
        default=list,
        blank=True,
        help_text="Addresses of the calendars to read for busy time; empty reads all.",
    )
    write_calendar_url = models.CharField(
        max_length=500,
        blank=True,
        help_text="The calendar bookings are written into; empty writes none.",
    )
    # Each calendar's ctag at the last read, with the busy time read then.
    calendar_state = models.JSONField(default=dict, blank=True, editable=False)
    covered_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "CalDAV account"
        ordering = ["consultant", "name", "pk"]
        indexes = [models.Index(fields=["is_active", "next_sync_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.username})"

    @property
    def source(self) -> str:
        return f"calendars.caldav:{self.pk}"


class CalendarWrite(models.Model):
    """Outbox: a booking to bring up to date in an account's calendar.

    One row per booking and account. A change to the booking puts it back in the queue;
    the worker writes the booking as it then is (the event, or its removal once
    cancelled), so repeated or reordered deliveries end in the same state.
    """

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="calendar_writes"
    )
    account = models.ForeignKey(
        CalDAVAccount, on_delete=models.CASCADE, related_name="writes"
    )
    status = models.CharField(
        max_length=10, choices=WriteStatus, default=WriteStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # The booking's SEQUENCE last written: a delivery whose booking has not changed
    # since is done already.
    written_sequence = models.IntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "calendar write"
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "account"], name="calendar_write_one_per_account"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"Booking {self.booking_id} in {self.account}"


class CalendarSubscription(models.Model):
    """The private address a consultant subscribes to for their Consult calls.

    Only the token's hash is stored: the address is shown once, when made or rotated.
    """

    consultant = models.OneToOneField(
        Consultant, on_delete=models.CASCADE, related_name="calendar_subscription"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "calendar subscription"

    def __str__(self) -> str:
        return f"Subscription of {self.consultant}"
