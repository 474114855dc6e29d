"""The private subscription feed: a consultant's Consult calls as one calendar file.

Each event is the one the consultant's booking notice carries (``bookings.ics``, same UID
and SEQUENCE, so a calendar that imported the invitation sees the same event), with the
link to the call's prep sheet in the admin. Never a client's private link: the feed is
built for the consultant (``for_consultant``), which leaves out the manage link.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar

from bookings.ics import PRODID, booking_ics

if TYPE_CHECKING:
    from datetime import datetime

    from bookings.models import Booking, Consultant

REFRESH = timedelta(minutes=15)


def prep_sheet_url(booking: Booking) -> str:
    if booking.assessment_id is None:
        return ""
    path = reverse("admin:advisor_assessment_change", args=[booking.assessment_id])
    return f"{settings.SITE_URL}{path}"


def subscription_ics(
    *, consultant: Consultant, bookings: list[Booking], now: datetime
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Consult calls: {consultant.display_name}")
    # Clients that honour it read the feed again after this long.
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    for booking in bookings:
        event = Calendar.from_ical(
            booking_ics(booking, for_consultant=True, publish=True, now=now)
        ).walk("VEVENT")[0]
        if url := prep_sheet_url(booking):
            event["description"] = f"{event['description']}\nPrep sheet: {url}"
        calendar.add_component(event)
    return calendar.to_ical()
