"""The emails a booking sends: a booking made at a fixed time, and readers for
the emails it queues and their calendar files."""

import re
from datetime import UTC, datetime, time

from icalendar import Calendar

from bookings import services
from consult.models import OutboundEmail

# Monday 1 March 2027, 08:00 UTC: London is on GMT, Tokyo is UTC+9 all year.
NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


# 09:00 in London, 18:00 in Tokyo.
TUESDAY_9 = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)


OFFICE = {day: [(time(9, 0), time(17, 0))] for day in range(5)}
MEET = "https://meet.example.com/amelia"
MANAGE_LINK = re.compile(r"http://testserver(/book/manage/[A-Za-z0-9_-]{43}/)")


def create(**overrides) -> services.BookingResult:
    arguments = {
        "start": TUESDAY_9,
        "name": "Grace Hopper",
        "email": "grace@example.com",
        "company": "Compilers Inc",
        "topic": "Fine-tuning",
        "client_timezone": "Asia/Tokyo",
        "consent": True,
        "now": NOW,
    } | overrides
    return services.booking_create(**arguments)


def email_to(address: str, kind: str) -> OutboundEmail:
    return OutboundEmail.objects.get(to=address, kind=kind)


def calendar_of(email: OutboundEmail) -> tuple[Calendar, dict]:
    [part] = [a for a in email.attachments if a["filename"] == "consultation.ics"]
    calendar = Calendar.from_ical(part["text"])
    return calendar, part


def event_of(email: OutboundEmail):
    calendar, _ = calendar_of(email)
    [event] = calendar.walk("VEVENT")
    return event
