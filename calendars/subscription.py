"""A consultant's Consult calls as their own calendar events: the private subscription feed
(one calendar file) and the objects written into their CalDAV calendar.

Each event is the one the consultant's booking notice carries (``bookings.ics``, same UID
and SEQUENCE, so a calendar that imported the invitation sees the same event), with the
link to the call's prep sheet in the admin. Never a client's private link: the feed is
built for the consultant (``for_consultant``), which leaves out the manage link.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from icalendar import Calendar, Event

from bookings.ics import PRODID, booking_ics
from bookings.meetings import prep_sheet_url

if TYPE_CHECKING:
    from datetime import datetime

    from bookings.models import Booking, Consultant

REFRESH = timedelta(minutes=15)


def consultant_event(booking: Booking, *, now: datetime) -> Event:
    """The booking as the consultant's own event: the invitation's UID and SEQUENCE, no
    client private link, with the prep sheet's link."""
    event: Event = Calendar.from_ical(
        booking_ics(booking, for_consultant=True, publish=True, now=now)
    ).walk("VEVENT")[0]
    if url := prep_sheet_url(booking):
        event["description"] = f"{event['description']}\nPrep sheet: {url}"
    return event


def consultant_event_ics(booking: Booking, *, now: datetime) -> str:
    """One calendar object for a CalDAV server (RFC 4791: no METHOD)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add_component(consultant_event(booking, now=now))
    return calendar.to_ical().decode()


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
        calendar.add_component(consultant_event(booking, now=now))
    return calendar.to_ical()
