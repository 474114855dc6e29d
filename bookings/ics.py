"""The calendar file for a booking (RFC 5545/5546), in UTC, and links that add it to
Google Calendar and Outlook on the web.

The UID stays the same for the life of a booking and SEQUENCE rises with every change, so a
calendar that imported the first file updates the same event when it gets a later one (a
moved time, or METHOD:CANCEL). Emailed invitations are METHOD:REQUEST (or CANCEL) with the
client as ATTENDEE, as RFC 5546 wants; a file downloaded from the site is METHOD:PUBLISH,
an event to copy into a calendar, with no attendee.

The event carries the private manage link only if the client asked for it
(``Booking.manage_link_in_calendar``): calendars are often shared.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parseaddr
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from bookings.enums import BookingStatus
from bookings.meetings import meeting_url

if TYPE_CHECKING:
    from bookings.models import Booking

PRODID = "-//Consult//Bookings//EN"


def booking_uid(booking: Booking) -> str:
    return f"{booking.uid}@consult"


def booking_ics_method(booking: Booking) -> str:
    return "CANCEL" if booking.status == BookingStatus.CANCELLED else "REQUEST"


def booking_ics(  # noqa: PLR0913 -- keyword-only options of one file
    booking: Booking,
    *,
    manage_url: str = "",
    attendee: bool = False,
    for_consultant: bool = False,
    publish: bool = False,
    now: datetime | None = None,
) -> bytes:
    """The .ics for ``booking``: METHOD:REQUEST while it stands, METHOD:CANCEL once cancelled,
    or METHOD:PUBLISH (``publish``) for a download.

    ``attendee`` adds the client's address (an invitation); a published file has none.
    ``manage_url`` goes into the description only if the client opted in.
    ``for_consultant`` titles the event after the client instead of the consultant; the
    consultant's file never carries the client's manage link.
    """
    cancelled = booking.status == BookingStatus.CANCELLED
    consultant = booking.consultant
    attendee = attendee and not publish

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH" if publish else booking_ics_method(booking))

    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC))
    event.add("dtstart", booking.start.astimezone(UTC))
    event.add("dtend", booking.end.astimezone(UTC))
    event.add("sequence", booking.sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    minutes = int((booking.end - booking.start).total_seconds() // 60)
    if for_consultant:
        client = (
            f"{booking.name} ({booking.company})" if booking.company else booking.name
        )
        event.add("summary", f"Free consultation: {client}")
        lines = [f"Free {minutes}-minute consultation booked through Consult."]
    else:
        event.add("summary", f"Free consultation with {consultant.display_name}")
        lines = [f"Your free {minutes}-minute consultation with Consult."]
    if link := meeting_url(booking):
        lines.append(f"Join: {link}")
        event.add("location", vText(link))
        event.add("url", link)
    if manage_url and not for_consultant and booking.manage_link_in_calendar:
        lines.append(f"Reschedule or cancel: {manage_url}")
    event.add("description", "\n".join(lines))

    address = consultant.user.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(consultant.display_name)
    event.add("organizer", organizer)
    if attendee:
        guest = vCalAddress(f"mailto:{booking.email}")
        guest.params["cn"] = vText(booking.name)
        guest.params["role"] = vText("REQ-PARTICIPANT")
        # The client chose this time themselves: nothing to accept, nothing to answer.
        guest.params["partstat"] = vText("ACCEPTED")
        guest.params["rsvp"] = vText("FALSE")
        event.add("attendee", guest)

    calendar.add_component(event)
    return calendar.to_ical()


class CalendarLinks(NamedTuple):
    google: str
    outlook: str


def _event_text(booking: Booking) -> tuple[str, str]:
    consultant = booking.consultant
    minutes = int((booking.end - booking.start).total_seconds() // 60)
    details = f"Your free {minutes}-minute consultation with Consult."
    if link := meeting_url(booking):
        details += f"\nJoin: {link}"
    return f"Free consultation with {consultant.display_name}", details


def calendar_links(booking: Booking) -> CalendarLinks:
    """Links that open the event in Google Calendar or Outlook on the web, prefilled.

    They carry the time, title, meeting link and description, never the private manage
    link: the event lives in a calendar the client may share.
    """
    title, details = _event_text(booking)
    start, end = booking.start.astimezone(UTC), booking.end.astimezone(UTC)
    location = meeting_url(booking)
    google = "https://calendar.google.com/calendar/render?" + urlencode(
        {
            "action": "TEMPLATE",
            "text": title,
            "dates": f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}",
            "details": details,
            "location": location,
        }
    )
    outlook = "https://outlook.office.com/calendar/0/deeplink/compose?" + urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": title,
            "startdt": start.isoformat().replace("+00:00", "Z"),
            "enddt": end.isoformat().replace("+00:00", "Z"),
            "body": details,
            "location": location,
        }
    )
    return CalendarLinks(google, outlook)
