"""The client's manage pages on the clock they booked with, the zone named once."""

from datetime import UTC, datetime, timedelta

import pytest

from bookings.models import BookingLink
from tests.factories.bookings import BookingFactory

pytestmark = pytest.mark.django_db

# Tuesday 2 March 2027, 16:00 UTC: 08:00 in Los Angeles, 17:00 in Berlin.
START = datetime(2027, 3, 2, 16, 0, tzinfo=UTC)
CLIENTS = {
    "en-US": (
        "America/Los_Angeles",
        True,
        "Tuesday 2 March 2027, 8:00 AM\u20138:30 AM Los Angeles time (PST)",
    ),
    "de-DE": (
        "Europe/Berlin",
        False,
        "Tuesday 2 March 2027, 17:00\u201317:30 Berlin time (CET)",
    ),
}


def _booking(language):
    zone, hour12, _when = CLIENTS[language]
    return BookingFactory(
        client_timezone=zone,
        hour12=hour12,
        start=START,
        end=START + timedelta(minutes=30),
    )


@pytest.mark.parametrize("language", CLIENTS)
@pytest.mark.parametrize(
    "page",
    ["manage/{}/", "manage/{}/cancel/", "manage/{}/reschedule/", "confirmed/{}/"],
)
def test_manage_page_is_on_the_booked_clock_whatever_this_browser_speaks(
    client, language, page
):
    booking = _booking(language)
    when = CLIENTS[language][2]
    # Opened on another computer, in the other language.
    other = "de-DE" if language == "en-US" else "en-US"

    html = client.get(
        "/book/" + page.format(booking.token), HTTP_ACCEPT_LANGUAGE=other
    ).content.decode()

    assert f"<strong>{when}</strong>" in html
    city = "Los Angeles time" if language == "en-US" else "Berlin time"
    assert html.count(city) == 1


def test_a_clock_chosen_since_wins_over_the_booked_one(client):
    booking = _booking("de-DE")
    client.cookies["clock"] = "12"

    html = client.get(f"/book/manage/{booking.token}/").content.decode()

    assert (
        "<strong>Tuesday 2 March 2027, 5:00 PM\u20135:30 PM Berlin time (CET)</strong>"
    ) in html


@pytest.mark.parametrize(
    ("language", "made"),
    [
        ("en-US", "Monday 1 March 2027, 4:00 PM"),
        ("de-DE", "Tuesday 2 March 2027, 01:00"),
    ],
)
def test_links_page_is_on_the_booked_clock_with_one_zone_line(client, language, made):
    booking = _booking(language)
    BookingLink.objects.filter(booking=booking).update(
        created_at=datetime(2027, 3, 2, 0, 0, tzinfo=UTC)
    )

    html = client.get(f"/book/manage/{booking.token}/links/").content.decode()

    city = "Los Angeles time" if language == "en-US" else "Berlin time"
    assert f'<td data-label="Made">{made}</td>' in html
    assert f"All times in {city}." in html
    assert html.count(city) == 1
