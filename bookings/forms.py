from __future__ import annotations

import re
from datetime import UTC, datetime

from django import forms

from consult.forms import HoneypotMixin
from consult.zone_names import zone_lookup

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

# No booking can lie outside these; near the ends of the calendar, adding the margins
# and weeks the availability search needs would overflow.
EARLIEST_START = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_START = datetime(3000, 1, 1, tzinfo=UTC)


def parse_start(value: str | None) -> datetime | None:
    """An aware ISO 8601 instant (``2026-12-03T00:30:00Z``) in UTC, or None.

    None too for an instant outside ``[EARLIEST_START, LATEST_START)``.
    """
    if not value or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None or not EARLIEST_START <= parsed < LATEST_START:
        return None
    return parsed.astimezone(UTC)


def parse_consultant_id(value: str) -> int | None:
    """A consultant's primary key as the page writes it, or None."""
    # ASCII only: "²" counts as a digit but int() refuses it, and int() would read
    # other scripts' digits. Under 19 digits always fits the database's bigint.
    if value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def format_start(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class BookingForm(HoneypotMixin, forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=120,
        error_messages={"required": "Enter your name."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We send the confirmation and the call link here.",
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    company = forms.CharField(
        label="Company (optional)",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    topic = forms.CharField(
        label="What would you like to discuss? (optional)",
        max_length=2000,
        required=False,
        help_text="A few lines help your consultant prepare.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    timezone = forms.CharField(
        label="Your time zone",
        max_length=64,
        help_text=(
            "We show times in this zone: a city, country or zone name, "
            "e.g. Los Angeles, Germany or Europe/London."
        ),
        error_messages={"required": "Enter your time zone, e.g. Los Angeles."},
        widget=forms.TextInput(
            attrs={
                "list": "timezone-names",
                "autocomplete": "off",
                "spellcheck": "false",
                "data-detect-timezone": "",
            }
        ),
    )
    consent = forms.BooleanField(
        label=(
            "I agree that Consult keeps these details to arrange and prepare this call."
        ),
        error_messages={
            "required": "Tick the box so we can keep your details for the call."
        },
    )
    manage_link_in_calendar = forms.BooleanField(
        required=False,
        label="Also put the link to reschedule or cancel in my calendar event",
        help_text=(
            "Off by default: anyone who can see your calendar could use the link. "
            "It is always in your confirmation email."
        ),
    )
    # Carried from the slot picker; the service checks the time is still free.
    start = forms.CharField(
        widget=forms.HiddenInput,
        error_messages={"required": "Choose a time for your call."},
    )
    consultant = forms.CharField(widget=forms.HiddenInput, required=False)
    assessment = forms.CharField(widget=forms.HiddenInput, required=False)
    # The zone the time was picked in: the page keeps showing the time in it while
    # the visitor corrects the zone field. Only for display, never validated.
    tz = forms.CharField(widget=forms.HiddenInput, required=False)
    # One random key per rendered form: submitting it twice books once.
    key = forms.CharField(widget=forms.HiddenInput, required=False)

    field_order = [
        "name",
        "email",
        "company",
        "topic",
        "timezone",
        "consent",
        "manage_link_in_calendar",
    ]

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_timezone(self) -> str:
        """The IANA name of the zone typed: a city, country, abbreviation or name."""
        typed = self.cleaned_data["timezone"].strip()
        found = zone_lookup(typed)
        if found.zone is not None:
            return found.zone
        choices = "; ".join(choice.label for choice in found.choices[:6])
        if found.ambiguous:
            raise forms.ValidationError(
                f"{found.place} has several time zones. Type your city, "
                f"e.g. one of: {choices}."
            )
        raise forms.ValidationError(
            "We don't know that time zone. Type a city or country, like Los Angeles"
            + (f". Did you mean: {choices}?" if choices else " or Germany.")
        )

    def clean_start(self) -> datetime:
        start = parse_start(self.cleaned_data["start"])
        if start is None:
            raise forms.ValidationError("Choose a time for your call.")
        return start

    def clean_consultant(self) -> int | None:
        value = self.cleaned_data["consultant"]
        if value in {"", "any"}:
            return None
        consultant_id = parse_consultant_id(value)
        if consultant_id is None:
            raise forms.ValidationError("Choose a consultant from the list.")
        return consultant_id

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        return key if KEY_PATTERN.match(key) else ""


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Anything you'd like to tell us? (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RescheduleForm(forms.Form):
    start = forms.CharField(
        widget=forms.HiddenInput,
        error_messages={"required": "Choose a new time."},
    )

    def clean_start(self) -> datetime:
        start = parse_start(self.cleaned_data["start"])
        if start is None:
            raise forms.ValidationError("Choose a new time.")
        return start
