"""Consultants, their hours, the booking policy and bookings.

Times of day (weekly hours, date overrides) are wall-clock times in the consultant's own
zone; instants (bookings, time off) are stored in UTC. The rules that turn them into free
slots live in ``bookings.availability``.

PostgreSQL refuses overlapping active bookings of one consultant with an exclusion
constraint over ``[blocked_start, blocked_end)``. Django cannot create that constraint on
SQLite, so it is added by migration 0002 on PostgreSQL only (SQLite serialises writers with
immediate-mode transactions instead; see ``bookings.services``).
"""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from bookings import availability
from bookings.enums import (
    ACTIVE_STATUSES,
    BookingLinkOrigin,
    BookingStatus,
    CancelledBy,
    Expertise,
    Weekday,
)
from bookings.meetings import ROOM_MAX_LENGTH, room_new
from consult.notes import NoteBase
from consult.timezones import Times, utc_range_label, viewer_label, zone_or_none

MIDNIGHT = time(0, 0)


def validate_timezone(value: str) -> None:
    if zone_or_none(value) is None:
        raise ValidationError(
            "%(value)s is not a time zone we know. Use an IANA name such as Europe/London.",
            params={"value": value},
            code="invalid_timezone",
        )


def validate_expertise(value: object) -> None:
    if not isinstance(value, list) or not all(
        item in Expertise.values for item in value
    ):
        raise ValidationError(
            "Expertise must be a list of: %(choices)s.",
            params={"choices": ", ".join(Expertise.values)},
            code="invalid_expertise",
        )


class Consultant(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="consultant",
        limit_choices_to={"is_staff": True},
    )
    display_name = models.CharField(max_length=100)
    bio = models.TextField(blank=True)
    timezone = models.CharField(
        max_length=64,
        validators=[validate_timezone],
        help_text="IANA time zone of the working hours, e.g. Europe/London.",
    )
    # A list of Expertise values: portable to SQLite, unlike ArrayField.
    expertise = models.JSONField(
        default=list, blank=True, validators=[validate_expertise]
    )
    meeting_url = models.URLField(
        blank=True, help_text="Video call link sent with every booking."
    )
    is_active = models.BooleanField(
        default=True, help_text="Inactive consultants are offered no new slots."
    )

    class Meta:
        ordering = ["display_name", "pk"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def times(self) -> Times:
        """How the consultant reads times: their zone, on its country's clock.

        Derived rather than asked: a consultant sets their zone in their profile, and
        the clock of the country they work in is the one their calendar shows.
        """
        return Times.of(self.timezone)

    def expertise_choices(self) -> list[tuple[str, str]]:
        return [
            (item, Expertise(item).label)
            for item in self.expertise
            if item in Expertise.values
        ]


def _end_after_start() -> Q:
    # An end of 00:00 means midnight at the end of the day (see availability.TimeRange).
    return Q(end__gt=F("start")) | Q(end=MIDNIGHT)


class WeeklyHours(models.Model):
    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="weekly_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday)
    start = models.TimeField()
    end = models.TimeField(help_text="00:00 means midnight at the end of the day.")

    class Meta:
        verbose_name = "weekly hours"
        verbose_name_plural = "weekly hours"
        ordering = ["consultant", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=_end_after_start(), name="weekly_hours_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start and self.end and not _ends_after(self.start, self.end):
            raise ValidationError({"end": "The end must be after the start."})


def _ends_after(start: time, end: time) -> bool:
    return end == MIDNIGHT or end > start


class DateOverride(models.Model):
    """Hours for one local date, replacing that weekday's hours.

    Several rows on one date give several ranges; a row without times is a day off.
    """

    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="date_overrides"
    )
    date = models.DateField()
    start = models.TimeField(null=True, blank=True)
    end = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ["consultant", "date", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True, end__isnull=True)
                | (Q(start__isnull=False, end__isnull=False) & _end_after_start()),
                name="date_override_day_off_or_range",
            ),
        ]

    def __str__(self) -> str:
        if self.start is None:
            return f"{self.date}: day off"
        return f"{self.date}: {self.start:%H:%M}-{self.end:%H:%M}"

    def clean(self) -> None:
        if (self.start is None) != (self.end is None):
            raise ValidationError(
                "Give both a start and an end, or neither for a day off."
            )
        if self.start is not None and not _ends_after(self.start, self.end):
            raise ValidationError({"end": "The end must be after the start."})


class TimeOff(models.Model):
    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="time_off"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "time off"
        verbose_name_plural = "time off"
        ordering = ["consultant", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="time_off_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        # Converted, not just labelled: after an admin form save the values are
        # still in the zone they were typed in (the consultant's).
        return utc_range_label(self.start, self.end)

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "The end must be after the start."})


class BusyInterval(models.Model):
    """Time a consultant is busy elsewhere (their own calendars), ``[start, end)`` in UTC.

    Written by the apps above through ``services.busy_intervals_replace``, all rows of one
    ``source`` at once; ``source`` is the writer's opaque key (e.g. one calendar feed).
    Counts like time off: a meeting may not overlap it, buffers aside.
    """

    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="busy_intervals"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    source = models.CharField(max_length=100)

    class Meta:
        ordering = ["consultant", "start"]
        indexes = [
            # The slot queries read one window: end after its start, start before its end.
            models.Index(
                fields=["consultant", "end", "start"], name="busy_interval_window"
            ),
            models.Index(fields=["source"], name="busy_interval_source"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="busy_interval_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return utc_range_label(self.start, self.end)


# The longest meeting the policy allows; the slot queries bound their reads by it.
MAX_MEETING_MINUTES = 240


class BookingPolicy(models.Model):
    """The one row of booking rules; edited in the admin."""

    SINGLETON_ID = 1

    meeting_minutes = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(MAX_MEETING_MINUTES)],
    )
    slot_interval_minutes = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text="Minutes between possible start times.",
    )
    buffer_before_minutes = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(240)]
    )
    buffer_after_minutes = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(240)]
    )
    minimum_notice_minutes = models.PositiveIntegerField(
        default=720,
        validators=[MaxValueValidator(60 * 24 * 30)],
        help_text="How long before a meeting it can still be booked (720 = 12 hours).",
    )
    horizon_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="How many days ahead clients can book.",
    )
    max_per_consultant_per_day = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Leave empty for no limit.",
    )

    class Meta:
        verbose_name = "booking policy"
        verbose_name_plural = "booking policy"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="booking_policy_single_row"),
        ]

    def __str__(self) -> str:
        return "Booking policy"

    def save(self, *args, **kwargs) -> None:
        self.pk = self.SINGLETON_ID
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> BookingPolicy:
        """The saved policy, or the defaults (unsaved) before anyone edited it."""
        return cls.objects.filter(pk=cls.SINGLETON_ID).first() or cls(
            pk=cls.SINGLETON_ID
        )

    def to_policy(self) -> availability.Policy:
        return availability.Policy(
            meeting_minutes=self.meeting_minutes,
            slot_interval_minutes=self.slot_interval_minutes,
            buffer_before_minutes=self.buffer_before_minutes,
            buffer_after_minutes=self.buffer_after_minutes,
            minimum_notice_minutes=self.minimum_notice_minutes,
            horizon_days=self.horizon_days,
            max_per_day=self.max_per_consultant_per_day,
        )

    @property
    def buffer_before(self) -> timedelta:
        return timedelta(minutes=self.buffer_before_minutes)

    @property
    def buffer_after(self) -> timedelta:
        return timedelta(minutes=self.buffer_after_minutes)


# Mail providers that ignore dots in the local part (a.b@gmail.com is ab@gmail.com),
# and their alias domains.
_DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def email_key(address: str) -> str:
    """The mailbox an address reaches, for the one-free-call rule.

    Lowercased (in Python: SQLite's LOWER() folds only ASCII), without a "+tag" in
    the local part (name+2@company.com reaches name@company.com at nearly every
    provider), and for Gmail without dots. Two addresses with the same key are one
    client's; the address itself is stored as typed, and mail goes there.
    """
    local, at, domain = address.strip().lower().rpartition("@")
    if not at:
        return address.strip().lower()
    local = local.split("+", 1)[0] or local
    domain = _DOTLESS_DOMAINS.get(domain, domain)
    if domain == "gmail.com":
        local = local.replace(".", "")
    return f"{local}@{domain}"


class Booking(models.Model):
    # Public, random and stable: the calendar event's UID. Never a sequential id.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="bookings"
    )
    name = models.CharField(max_length=120)
    email = models.EmailField(max_length=254)
    # email_key(email): kept with the address wherever it is written (services, save).
    email_key = models.CharField(max_length=254, editable=False, default="")
    company = models.CharField(max_length=120, blank=True)
    topic = models.TextField(blank=True)
    client_timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone]
    )
    # The name of the call's own room (``bookings.meetings``): drawn once, when the
    # booking is made, so its link stays the same through every change.
    room = models.CharField(
        max_length=ROOM_MAX_LENGTH, default=room_new, editable=False
    )
    # The clock the client read the booking page on ("9:30 AM" or "09:30"), so their
    # emails and manage page use it too. Bookings made before it was kept take their
    # zone's country's clock (migration 0013): the best guess without their browser.
    hour12 = models.BooleanField("12-hour clock", default=False)
    consent = models.BooleanField(default=False)
    consented_at = models.DateTimeField(null=True, blank=True)
    # The client asked for the private manage link in their calendar event. Off by
    # default: calendars are often shared, and the email holds the link anyway.
    manage_link_in_calendar = models.BooleanField(default=False)
    # Which assessment brought the client here, and the stack it recommended
    # (api, fine_tune, classical_ml or hybrid): the consultant prepares from it.
    assessment = models.ForeignKey(
        "advisor.Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
    )
    # The reference as the booking page passed it; kept beside the key because it
    # outlives a deleted assessment.
    assessment_ref = models.CharField(max_length=64, blank=True)
    stack = models.CharField(max_length=20, blank=True)

    start = models.DateTimeField()
    end = models.DateTimeField()
    # The meeting plus the policy's buffers at booking time. The exclusion constraint
    # compares these, so a later policy change does not reinterpret existing rows.
    blocked_start = models.DateTimeField()
    blocked_end = models.DateTimeField()

    status = models.CharField(
        max_length=20, choices=BookingStatus, default=BookingStatus.CONFIRMED
    )
    # Calendar SEQUENCE: rises on every change so calendars update the same event.
    sequence = models.PositiveIntegerField(default=0)
    cancel_reason = models.TextField(blank=True)
    cancelled_by = models.CharField(max_length=10, choices=CancelledBy, blank=True)
    # Which member of staff, when staff cancelled: "cancelled by you" in their admin,
    # "by <name>" to everyone else.
    cancelled_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "pk"]
        indexes = [
            models.Index(
                fields=["consultant", "start"], name="booking_consultant_start"
            ),
            models.Index(fields=["status", "start"], name="booking_status_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start"))
                & Q(blocked_start__lte=F("start"))
                & Q(blocked_end__gte=F("end")),
                name="booking_times_ordered",
            ),
            models.UniqueConstraint(
                "email_key",
                condition=Q(status=BookingStatus.CONFIRMED),
                name="booking_one_active_per_mailbox",
                violation_error_message=(
                    "There is already an upcoming consultation for this email address."
                ),
            ),
        ]

    def __str__(self) -> str:
        # The page headings of the admin: in the viewer's zone, as its bodies are.
        return f"{self.name} with {self.consultant}, {viewer_label(self.start)}"

    def save(self, *args, **kwargs) -> None:
        self.email_key = email_key(self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_key"}
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def client_zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.client_timezone)

    @property
    def client_times(self) -> Times:
        """How the client reads times: their zone, on the clock they booked with."""
        return Times.of(self.client_timezone, hour12=self.hour12)


class BookingLink(models.Model):
    """One private manage link to a booking; only the token's SHA-256 is stored.

    A client may hold several at once (the confirmation's, the calendar invite's, one
    from each "Lost your link?"); each works until the client revokes it on the
    booking's links page, so a fresh link never takes an old one away.
    """

    Origin = BookingLinkOrigin

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="links")
    origin = models.CharField(max_length=12, choices=Origin)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Manage link {self.pk} of booking {self.booking_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class BookingNote(NoteBase):
    """A consultant's entry on a booking: prep for the call, or what came of it."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="notes")

    class Meta(NoteBase.Meta):
        verbose_name = "booking note"
        indexes = [models.Index(fields=["booking", "created_at"])]
