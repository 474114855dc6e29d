"""/book/details/: the chosen time, the client's details, and what a refused
booking offers instead."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from advisor.services import assessment_submit
from bookings import selectors
from bookings.forms import format_start
from bookings.models import Booking
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.factories.bookings import BookingFactory, ConsultantFactory
from tests.helpers.booking_pages import form_data, free_starts, when

pytestmark = pytest.mark.django_db


def token_from(response) -> str:
    match = re.fullmatch(r"/book/confirmed/([A-Za-z0-9_-]{43})/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def test_details_shows_the_chosen_time_in_the_clients_zone_and_a_fresh_key(client):
    consultant = ConsultantFactory(display_name="Amelia Hart")
    start = free_starts(consultant)[0]

    response = client.get(
        f"/book/details/?start={format_start(start)}&consultant={consultant.pk}"
        "&tz=Asia/Tokyo"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert f"<strong>{when(start)}</strong>" in html
    assert "with Amelia Hart" in html
    key = re.search(r'name="key" value="([^"]+)"', html).group(1)
    assert len(key) == 43
    assert 'name="timezone" value="Asia/Tokyo"' in html
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("start", "summary"),
    [
        ("2027-11-07T05:30:00Z", "01:30 EDT\u201301:00 EST New York time (EDT)"),
        ("2027-11-07T06:00:00Z", "01:00 EST\u201301:30 EST New York time (EST)"),
        ("2027-11-07T04:30:00Z", "00:30\u201301:00 EDT New York time (EDT)"),
    ],
)
def test_details_says_which_time_it_means_when_clocks_go_back(
    client, monkeypatch, start, summary
):
    monkeypatch.setattr(timezone, "now", lambda: datetime(2027, 11, 1, 12, tzinfo=UTC))
    ConsultantFactory(timezone="Europe/London")

    html = client.get(
        f"/book/details/?start={start}&tz=America/New_York"
    ).content.decode()

    assert f"<strong>Sunday 7 November 2027, {summary}</strong>" in html


def test_details_without_a_time_goes_back_to_the_week(client):
    response = client.get("/book/details/?tz=Asia/Tokyo&start=soon")

    assert response.status_code == 302
    assert response["Location"] == "/book/?tz=Asia/Tokyo"


def test_details_for_a_time_no_longer_free_offers_the_nearest(client):
    consultant = ConsultantFactory(timezone="UTC")
    taken = free_starts(consultant)[2]
    BookingFactory(consultant=consultant, start=taken)

    html = client.get(
        f"/book/details/?start={format_start(taken)}&tz=UTC"
    ).content.decode()

    assert "That time is no longer free. Choose another" in html
    assert html.count('<input type="radio" name="start"') == 3


def test_details_post_valid_books_and_redirects_to_the_confirmation(client):
    consultant = ConsultantFactory()
    start = free_starts(consultant)[0]

    response = client.post("/book/details/", form_data(start))

    booking = Booking.objects.get()
    assert response.status_code == 302
    token = token_from(response)
    assert selectors.booking_get_by_token(token) == booking
    assert booking.start == start
    assert booking.consultant == consultant
    assert booking.name == "Grace Hopper"
    assert booking.email == "grace@example.com"
    assert booking.company == "Compilers Inc"
    assert booking.topic == "Should we fine-tune?"
    assert booking.client_timezone == "Asia/Tokyo"
    assert booking.consent is True


def test_details_post_invalid_shows_errors_beside_fields_and_a_summary(client):
    consultant = ConsultantFactory()
    start = free_starts(consultant)[0]

    response = client.post(
        "/book/details/",
        form_data(start, name="", email="not-an-email", timezone="Nowhere", consent=""),
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert Booking.objects.count() == 0
    assert '<h2 id="error-summary-title">Please check these</h2>' in html
    assert '<li><a href="#id_name">Enter your name.</a></li>' in html
    assert (
        '<span class="field-error" id="id_email_error"><span class="visually-hidden">'
        "Error:</span> Enter an email address like name@example.com.</span>" in html
    )
    assert 'aria-invalid="true"' in html
    assert "We don&#x27;t know that time zone. Type a city or country" in html
    assert "Tick the box so we can keep your details for the call." in html
    # The chosen time is kept for the next try.
    assert f'name="start" value="{format_start(start)}"' in html


def test_details_post_with_a_mistyped_zone_keeps_the_time_in_the_zone_it_was_picked(
    client,
):
    consultant = ConsultantFactory()
    start = free_starts(consultant)[0]
    page = client.get(f"/book/details/?start={format_start(start)}&tz=Asia/Tokyo")
    assert '<input type="hidden" name="tz" value="Asia/Tokyo"' in page.content.decode()

    response = client.post(
        "/book/details/",
        form_data(start, tz="Asia/Tokyo", timezone="Nowhere/Place", consent=""),
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert f"<strong>{when(start)}</strong>" in html
    assert '<li><a href="#id_timezone">We don&#x27;t know that time zone.' in html
    assert 'value="Nowhere/Place"' in html
    assert "tz=Asia/Tokyo" in html  # "Choose another time" keeps the zone too
    # Without a script to move it, focus starts on the list of what to fix.
    summary = re.search(r'<div class="error-summary"[^>]*>', html).group(0)
    assert " autofocus" in summary


def test_details_post_twice_books_once_and_lands_on_the_same_confirmation(client):
    consultant = ConsultantFactory()
    start = free_starts(consultant)[0]

    first = client.post("/book/details/", form_data(start))
    second = client.post("/book/details/", form_data(start))

    assert Booking.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]


def test_the_form_sent_again_after_its_link_was_revoked_says_so_and_books_nothing(
    client,
):
    consultant = ConsultantFactory()
    start = free_starts(consultant)[0]
    client.post("/book/details/", form_data(start))
    booking = Booking.objects.get()
    # Revoked from the links page, through another link of the booking's.
    booking.links.update(revoked_at=timezone.now())

    again = client.post("/book/details/", form_data(start))

    html = again.content.decode()
    assert again.status_code == 409
    assert "the link it made has since been revoked" in html
    assert Booking.objects.count() == 1


def test_details_post_for_a_slot_just_taken_explains_and_offers_alternatives(client):
    consultant = ConsultantFactory(timezone="UTC")
    start = free_starts(consultant)[3]
    BookingFactory(consultant=consultant, start=start)

    response = client.post("/book/details/", form_data(start, timezone="UTC"))

    html = response.content.decode()
    assert response.status_code == 409
    assert "Sorry, someone booked that time a moment ago." in html
    assert html.count('<input type="radio" name="start"') == 3
    assert (
        f'<input type="radio" name="start" value="{format_start(start - timedelta(minutes=30))}">'
        in html
    )
    assert 'value="Grace Hopper"' in html
    assert Booking.objects.count() == 1


def test_details_post_without_ticking_an_offered_time_offers_the_same_times_again(
    client,
):
    consultant = ConsultantFactory(timezone="UTC")
    start = free_starts(consultant)[3]
    BookingFactory(consultant=consultant, start=start)
    radios = re.compile(r'<input type="radio" name="start" value="([^"]+)">')
    taken = client.post("/book/details/", form_data(start, timezone="UTC"))
    offered = radios.findall(taken.content.decode())
    # What the browser sends back when no offered time is ticked.
    data = form_data(start, timezone="UTC", wanted=format_start(start))
    del data["start"]

    response = client.post("/book/details/", data)

    html = response.content.decode()
    choices = html[html.index('id="start-choices"') : html.index("</fieldset>")]
    assert f'name="wanted" value="{format_start(start)}"' in taken.content.decode()
    assert response.status_code == 422
    assert len(offered) == 3
    assert radios.findall(html) == offered
    assert "That time is no longer free. Choose another" in choices
    assert "Choose a time for your call." in choices
    assert 'value="Grace Hopper"' in html
    assert "Should we fine-tune?" in html
    assert Booking.objects.count() == 1


def test_details_post_with_an_email_that_has_a_booking_is_refused_kindly(client):
    consultant = ConsultantFactory()
    starts = free_starts(consultant)
    BookingFactory(consultant=consultant, start=starts[0], email="grace@example.com")

    response = client.post(
        "/book/details/", form_data(starts[4], email="GRACE@example.com")
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert (
        "There&#x27;s already an upcoming consultation booked with this email address "
        in html
    )
    assert Booking.objects.count() == 1


@pytest.mark.usefixtures("active_price_book")
def test_details_prefills_from_the_assessment_and_records_it(client):
    consultant = ConsultantFactory(expertise=["fine_tune"])
    start = free_starts(consultant)[0]
    assessment = AssessmentFactory(
        contact_name="Ada Lovelace",
        contact_email="ada@example.com",
        company="Engines Ltd",
    )
    UseCaseFactory(
        assessment=assessment, name="Invoice fields", format_consistency="critical"
    )
    assessment_submit(assessment=assessment)
    token = assessment.token

    html = client.get(
        f"/book/details/?start={format_start(start)}&assessment={token}"
    ).content.decode()
    client.post(
        "/book/details/",
        form_data(
            start, assessment=token, name="Ada Lovelace", email="ada@example.com"
        ),
    )

    assert 'value="Ada Lovelace"' in html
    assert 'value="ada@example.com"' in html
    assert 'value="Engines Ltd"' in html
    assert (
        "My assessment recommends a fine-tune stack for: Invoice fields.</textarea>"
        in html
    )
    booking = Booking.objects.get()
    assert (booking.assessment_ref, booking.stack) == (str(assessment.pk), "fine_tune")


def test_details_with_an_unknown_assessment_link_starts_empty(client):
    consultant = ConsultantFactory()
    start = free_starts(consultant)[0]

    response = client.get(
        f"/book/details/?start={format_start(start)}&assessment={'x' * 43}"
    )

    assert response.status_code == 200
    assert 'value="Ada Lovelace"' not in response.content.decode()


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("grace@example.com", "Grace@Example.COM"),
        ("grace@example.com", "grace+2@example.com"),
        ("grace+work@example.com", "grace+home@example.com"),
        ("grace.hopper@gmail.com", "gracehopper+x@googlemail.com"),
    ],
)
def test_one_free_call_per_mailbox_counts_case_plus_tags_and_gmail_dots(
    client, first, second
):
    consultant = ConsultantFactory()
    starts = free_starts(consultant)

    booked = client.post("/book/details/", form_data(starts[0], email=first))
    again = client.post(
        "/book/details/",
        form_data(starts[3], email=second, key="form-key-second-0123456789-abcdefghij"),
    )

    assert booked.status_code == 302
    assert again.status_code == 409
    assert "we count name+anything@ as name@" in again.content.decode()
    assert Booking.objects.count() == 1


def test_different_mailboxes_at_one_company_each_get_their_call(client):
    consultant = ConsultantFactory()
    starts = free_starts(consultant)

    first = client.post("/book/details/", form_data(starts[0], email="ada@example.com"))
    second = client.post(
        "/book/details/",
        form_data(
            starts[3],
            email="grace@example.com",
            key="form-key-second-0123456789-abcdefghij",
        ),
    )

    assert (first.status_code, second.status_code) == (302, 302)


def test_the_client_can_ask_for_the_manage_link_in_their_calendar(client):
    consultant = ConsultantFactory()
    starts = free_starts(consultant)

    page = client.get(f"/book/details/?start={format_start(starts[0])}")
    client.post("/book/details/", form_data(starts[0], manage_link_in_calendar="on"))

    assert "link to reschedule or cancel in my calendar event" in page.content.decode()
    assert Booking.objects.get().manage_link_in_calendar is True


def test_the_manage_link_stays_out_of_the_calendar_by_default(client):
    consultant = ConsultantFactory()

    client.post("/book/details/", form_data(free_starts(consultant)[0]))

    assert Booking.objects.get().manage_link_in_calendar is False


@pytest.mark.parametrize(
    ("language", "summary"),
    [
        ("en-US,en;q=0.9", "1:30 AM EDT\u20131:00 AM EST New York time (EDT)"),
        ("en-GB,en;q=0.9", "01:30 EDT\u201301:00 EST New York time (EDT)"),
    ],
)
def test_details_writes_the_time_on_the_visitors_clock(
    client, monkeypatch, language, summary
):
    monkeypatch.setattr(timezone, "now", lambda: datetime(2027, 11, 1, 12, tzinfo=UTC))
    ConsultantFactory(timezone="Europe/London")

    html = client.get(
        "/book/details/?start=2027-11-07T05:30:00Z&tz=America/New_York",
        HTTP_ACCEPT_LANGUAGE=language,
    ).content.decode()

    assert f"<strong>Sunday 7 November 2027, {summary}</strong>" in html
