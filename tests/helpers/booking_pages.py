"""The public booking pages: the free times they offer, the labels they give them,
and the form they post."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bookings import selectors
from bookings.forms import format_start

TOKYO = ZoneInfo("Asia/Tokyo")
KEY = "form-key-0123456789-abcdefghijklmnopqrstuvw"


def free_starts(consultant=None) -> list[datetime]:
    found = selectors.availability_get(
        consultant_id=consultant.pk if consultant else None
    )
    return [slot.start for slot in found.slots]


def slot_label(start: datetime, zone=TOKYO, name="Asia/Tokyo") -> str:
    local = start.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M} ({name})"


def when(start: datetime, zone=TOKYO, name="Tokyo time (JST)") -> str:
    """A booking's time as its pages write it, the zone named after it (Tokyo has no
    clock change, so "JST" holds all year)."""
    local, end = (
        start.astimezone(zone),
        (start + timedelta(minutes=30)).astimezone(zone),
    )
    return (
        f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M}\u2013{end:%H:%M} {name}"
    )


def form_data(start: datetime, **overrides) -> dict:
    return {
        "start": format_start(start),
        "consultant": "any",
        "assessment": "",
        "key": KEY,
        "name": "Grace Hopper",
        "email": "grace@example.com",
        "company": "Compilers Inc",
        "topic": "Should we fine-tune?",
        "timezone": "Asia/Tokyo",
        "consent": "on",
    } | overrides
