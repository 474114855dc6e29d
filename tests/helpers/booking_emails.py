"""Readers for the emails a booking queues, and their calendar files."""

import re

from icalendar import Calendar

from consult.models import OutboundEmail

MEET = "https://meet.example.com/amelia"
MANAGE_LINK = re.compile(r"http://testserver(/book/manage/[A-Za-z0-9_-]{43}/)")


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
