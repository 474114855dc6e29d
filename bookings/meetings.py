"""Where a call happens, and what the consultant prepares from.

Every place that shows the call link (the calendar file and its Google and Outlook links,
the confirmation and manage pages, every email and reminder, the consultant's
subscription feed and CalDAV calendar) asks ``meeting_url`` at the moment it renders. The
link therefore follows the booking's consultant: a call handed to a colleague carries the
colleague's link from the next email on, without rewriting anything.

A consultant's own link (``Consultant.meeting_url``) wins. Without one, and with
``MEETING_URL_TEMPLATE`` set (``https://meet.jit.si/consult-{room}``), the call gets a
room of its own: the booking's ``room``, a random name drawn once when the booking is
made, so the link never changes for that booking, through reschedules and re-renders.
Nothing set: no link, and the emails say the consultant will send one.

Bookings made before rooms existed got theirs from migration 0012, not lazily on first
use: the link is read on GET pages and in calendar feeds, which should not write, and
two first reads racing could hand out two different rooms for one call.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse

if TYPE_CHECKING:
    from bookings.models import Booking

ROOM_PLACEHOLDER = "{room}"
# 16 random bytes: 22 URL-safe characters, 128 bits. A room on a public service such as
# meet.jit.si is open to whoever knows its name, so the name must not be guessable.
ROOM_BYTES = 16
ROOM_MAX_LENGTH = 40


def room_new() -> str:
    """A fresh room name for a new booking (the model field's default)."""
    return secrets.token_urlsafe(ROOM_BYTES)


def room_url(room: str, template: str | None = None) -> str:
    """The template's link for ``room``; "" when rooms are off or there is no room."""
    template = settings.MEETING_URL_TEMPLATE if template is None else template
    if not template or not room:
        return ""
    # Plain replacement, not str.format: a link may hold other braces of its own.
    return template.replace(ROOM_PLACEHOLDER, room)


def meeting_url(booking: Booking) -> str:
    """The call link of ``booking`` as of now: its consultant's own, else its room's."""
    return booking.consultant.meeting_url or room_url(booking.room)


def prep_sheet_url(booking: Booking) -> str:
    """The absolute admin link of the assessment the call was booked from, if any."""
    if booking.assessment_id is None:
        return ""
    path = reverse("admin:advisor_assessment_change", args=[booking.assessment_id])
    return f"{settings.SITE_URL}{path}"
