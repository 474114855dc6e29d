"""Every booking email on its reader's clock, the zone named once in its body.

A client in Los Angeles who booked on an American English browser reads "8:00 AM"; a
client in Berlin on a German one reads "17:00". The consultant (London) reads their
own country's clock whatever the client's.
"""

import re
from datetime import timedelta

import pytest

from bookings import emails
from bookings.emails import Reminder
from bookings.models import Booking
from consult.models import OutboundEmail
from tests.factories.bookings import ConsultantFactory
from tests.helpers.booking_pages import form_data, free_starts
from tests.helpers.booking_service import NOW, TUESDAY_9, create

pytestmark = pytest.mark.django_db

# Tuesday 2 March 2027, 16:00 UTC: 08:00 in Los Angeles (PST), 17:00 in Berlin (CET),
# 16:00 in London (GMT).
START = TUESDAY_9 + timedelta(hours=7)
PREVIOUS = START - timedelta(hours=1)

CLIENTS = {
    "en-US": (
        "America/Los_Angeles",
        True,
        "Tuesday 2 March 2027, 8:00 AM\u20138:30 AM",
        "Los Angeles time (PST)",
        "Tuesday 2 March 2027, 7:00 AM\u20137:30 AM",
    ),
    "de-DE": (
        "Europe/Berlin",
        False,
        "Tuesday 2 March 2027, 17:00\u201317:30",
        "Berlin time (CET)",
        "Tuesday 2 March 2027, 16:00\u201316:30",
    ),
}
CONSULTANT_WHEN = "Tuesday 2 March 2027, 16:00\u201316:30"
CLIENT_KINDS = (
    "booking_confirmation",
    "booking_moved",
    "booking_cancelled",
    "booking_reminder",
    "booking_missed",
)
CONSULTANT_KINDS = (
    "booking_consultant_new",
    "booking_consultant_moved",
    "booking_consultant_cancelled",
    "booking_consultant_reminder",
)
TWENTY_FOUR_HOUR = re.compile(r"\b(?:[01]\d|2[0-3]):[0-5]\d\b(?! ?[AP]M)")
TWELVE_HOUR = re.compile(r"\b\d{1,2}:[0-5]\d [AP]M\b")


def _every_email(consultant, language: str) -> Booking:
    zone, hour12, *_ = CLIENTS[language]
    booking = create(
        consultant=consultant, start=START, client_timezone=zone, hour12=hour12
    ).booking
    emails.moved_emails_queue(
        booking=booking,
        previous_start=PREVIOUS,
        previous_end=PREVIOUS + timedelta(minutes=30),
        now=NOW,
    )
    emails.missed_email_queue(booking=booking, now=NOW)
    emails.cancelled_emails_queue(booking=booking, now=NOW)
    # Last: a move or a cancellation withdraws the reminders queued before it.
    emails.reminder_emails_queue(booking=booking, reminder=Reminder.DAY)
    return booking


def _visible(html: str) -> str:
    """The text a reader sees: tags, and the head's styles, left out."""
    body = html.split("<body", 1)[1]
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.parametrize("language", CLIENTS)
@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_client_email_is_on_the_clock_they_booked_with_and_names_the_zone_once(
    consultant, language, kind
):
    _zone, hour12, when, zone_name, previous = CLIENTS[language]
    _every_email(consultant, language)

    email = OutboundEmail.objects.get(to="grace@example.com", kind=kind)

    for body in (email.body_text, _visible(email.body_html)):
        assert body.count(zone_name.split(" (")[0]) == 1, body
        assert f"{when} {zone_name}" in body
        if kind == "booking_moved":
            assert previous in body
        clocks = TWELVE_HOUR if hour12 else TWENTY_FOUR_HOUR
        other = TWENTY_FOUR_HOUR if hour12 else TWELVE_HOUR
        assert clocks.search(body)
        assert not other.search(body), other.findall(body)
    # Read alone in an inbox, the subject names the zone too.
    if kind != "booking_missed":
        assert email.subject.endswith(zone_name)


@pytest.mark.parametrize("language", CLIENTS)
@pytest.mark.parametrize("kind", CONSULTANT_KINDS)
def test_consultant_email_is_on_their_clock_with_the_clients_time_named_once(
    consultant, language, kind
):
    _zone, _hour12, client_when, client_zone, _previous = CLIENTS[language]
    _every_email(consultant, language)

    email = OutboundEmail.objects.get(to="amelia@consult.example", kind=kind)

    text = email.body_text
    assert text.count("London time") == 1
    assert f"{CONSULTANT_WHEN} London time (GMT)" in text
    assert text.count(client_zone) == 1
    assert f"For the client: {client_when} {client_zone}\n" in text
    assert text.count(client_zone.split(" (")[0]) == 1


def test_consultant_in_new_york_reads_the_12_hour_clock(consultant):
    new_york = ConsultantFactory(
        timezone="America/New_York", user__email="ny@consult.example"
    )
    create(consultant=new_york, start=START, client_timezone="Europe/Berlin")

    email = OutboundEmail.objects.get(
        to="ny@consult.example", kind="booking_consultant_new"
    )

    assert (
        "When: Tuesday 2 March 2027, 11:00 AM\u201311:30 AM New York time (EST)\n"
    ) in email.body_text
    assert (
        "For the client: Tuesday 2 March 2027, 17:00\u201317:30 Berlin time (CET)\n"
    ) in email.body_text


@pytest.mark.parametrize(
    ("headers", "cookies", "hour12"),
    [
        ({"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}, {}, True),
        ({"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9"}, {}, False),
        # The visitor's own choice on the booking page wins over their language.
        ({"HTTP_ACCEPT_LANGUAGE": "en-US"}, {"clock": "24"}, False),
        ({"HTTP_ACCEPT_LANGUAGE": "de-DE"}, {"clock": "12"}, True),
    ],
    ids=["en-US", "de-DE", "en-US chose 24", "de-DE chose 12"],
)
def test_booking_keeps_the_clock_the_client_booked_on(client, headers, cookies, hour12):
    consultant = ConsultantFactory()
    start = free_starts(consultant)[0]
    for name, value in cookies.items():
        client.cookies[name] = value

    response = client.post("/book/details/", form_data(start), **headers)

    assert response.status_code == 302
    assert Booking.objects.get().hour12 is hour12
