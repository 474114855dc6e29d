import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from advisor.services import assessment_submit
from bookings import selectors
from bookings.forms import format_start
from bookings.models import Booking, BookingStatus
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.factories.bookings import (
    BookingFactory,
    ConsultantFactory,
    TimeOffFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
TOKYO = ZoneInfo("Asia/Tokyo")
KEY = "form-key-0123456789-abcdefghijklmnopqrstuvw"
IN_PROGRESS = (
    "This consultation is in progress, so it can no longer be moved or cancelled."
)


def free_starts(consultant=None) -> list[datetime]:
    found = selectors.availability_get(
        consultant_id=consultant.pk if consultant else None
    )
    return [slot.start for slot in found.slots]


def slot_label(start: datetime, zone=TOKYO, name="Asia/Tokyo") -> str:
    local = start.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M} ({name})"


def when(start: datetime, zone=TOKYO, name="Asia/Tokyo") -> str:
    local, end = (
        start.astimezone(zone),
        (start + timedelta(minutes=30)).astimezone(zone),
    )
    return (
        f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M}\u2013{end:%H:%M} ({name})"
    )


def monday(day):
    return day - timedelta(days=day.weekday())


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


def token_from(response) -> str:
    match = re.fullmatch(r"/book/confirmed/([A-Za-z0-9_-]{43})/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


# --- /book/ --------------------------------------------------------------------------


def test_book_page_without_htmx_is_the_full_page_and_varies_on_htmx(client):
    ConsultantFactory()

    response = client.get("/book/?tz=Asia/Tokyo")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Book a free 30-minute consultation</h1>" in html
    assert html.startswith("<!doctype html>")
    assert '<h2 id="week-heading">' in html
    assert "HX-Request" in response["Vary"]


def test_book_page_with_htmx_returns_only_the_slots_partial(client):
    ConsultantFactory()

    response = client.get("/book/?tz=Asia/Tokyo", **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "<h1>" not in html
    assert '<h2 id="week-heading">' in html
    assert "HX-Request" in response["Vary"]


def test_book_page_history_restore_gets_the_full_page(client):
    ConsultantFactory()

    response = client.get(
        "/book/?tz=Asia/Tokyo", **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )

    assert "<h1>Book a free 30-minute consultation</h1>" in response.content.decode()


def test_book_page_shows_slots_in_the_clients_zone_with_full_accessible_names(client):
    consultant = ConsultantFactory(timezone="Europe/London")
    first = free_starts(consultant)[0]

    response = client.get("/book/?tz=Asia/Tokyo")

    html = response.content.decode()
    expected = (
        f'<a class="slot" href="/book/details/?start={format_start(first)}'
        f'&amp;consultant=any&amp;tz=Asia/Tokyo" aria-label="{slot_label(first)}">'
        f"{first.astimezone(TOKYO):%H:%M}</a>"
    )
    assert expected in html
    assert '<p class="hint">Times in Asia/Tokyo</p>' in html


def test_book_page_without_a_zone_shows_utc_says_so_and_asks_the_browser(client):
    ConsultantFactory()

    response = client.get("/book/")

    html = response.content.decode()
    assert (
        "Times are shown in UTC. Enter your time zone above to see them in your "
        "local time." in html
    )
    assert '<input type="text" id="tz" name="tz" value=""' in html
    nonce = response.wsgi_request._csp_nonce
    assert f'<script nonce="{nonce}">' in html
    assert "Intl.DateTimeFormat().resolvedOptions().timeZone" in html


def test_book_page_invalid_zone_falls_back_to_utc_with_a_message(client):
    consultant = ConsultantFactory()
    first = free_starts(consultant)[0]

    response = client.get("/book/?tz=Mars/Olympus_Mons")

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<p class="notice notice--warning" role="alert">We don&#x27;t recognise the '
        "time zone \u201cMars/Olympus_Mons\u201d, so times are shown in UTC.</p>"
    ) in html
    assert f'aria-label="{slot_label(first, UTC, "UTC")}"' in html
    assert "<script nonce=" not in html


def test_book_page_days_without_slots_are_visibly_unavailable(client):
    ConsultantFactory(hours={2: [(time(9, 0), time(10, 0))]})  # Wednesdays only

    response = client.get("/book/?tz=Europe/London")

    html = response.content.decode()
    assert html.count('class="day day--none"') == 6
    assert html.count('<p class="day__none">No free times</p>') == 6
    assert html.count('class="slot"') == 2


def test_book_page_offers_the_next_available_day_when_the_week_is_empty(client):
    consultant = ConsultantFactory(timezone="UTC")
    now = timezone.now()
    TimeOffFactory(consultant=consultant, start=now, end=now + timedelta(days=8))
    first = free_starts(consultant)[0]
    this_week = monday(now.date())

    response = client.get(f"/book/?tz=UTC&week={this_week.isoformat()}")

    html = response.content.decode()
    assert "There are no free times this week. The next one is" in html
    assert f"The next one is {slot_label(first, UTC, 'UTC')}." in html
    assert (
        f'href="/book/?consultant=any&amp;tz=UTC&amp;week={monday(first.date())}"'
        in html
    )


def test_book_page_week_navigation_moves_by_a_week_within_the_horizon(client):
    ConsultantFactory(timezone="UTC")
    today = timezone.now().date()
    this_week, next_week = monday(today), monday(today) + timedelta(days=7)

    first = client.get(f"/book/?tz=UTC&week={this_week}", **HTMX).content.decode()
    second = client.get(f"/book/?tz=UTC&week={next_week}", **HTMX).content.decode()
    far = client.get("/book/?tz=UTC&week=2099-01-05", **HTMX).content.decode()

    assert "Previous week" not in first
    assert f'hx-get="/book/?consultant=any&amp;tz=UTC&amp;week={next_week}"' in first
    assert f'hx-get="/book/?consultant=any&amp;tz=UTC&amp;week={this_week}"' in second
    assert f'id="day-{next_week}"' in second
    last_week = monday((timezone.now() + timedelta(days=30)).date())
    assert f'id="day-{last_week}"' in far
    assert "Next week" not in far


def test_book_page_tells_apart_the_times_repeated_when_clocks_go_back(
    client, monkeypatch
):
    # New York falls back at 06:00 UTC on Sunday 7 November 2027: 01:00-02:00 twice.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2027, 11, 1, 12, tzinfo=UTC))
    ConsultantFactory(timezone="Europe/London", hours={6: [(time(5), time(8))]})

    html = client.get("/book/?tz=America/New_York&week=2027-11-01").content.decode()

    slots = re.findall(r'class="slot" href="[^"]+" aria-label="([^"]+)">([^<]+)<', html)
    day = "Sunday 7 November"
    assert slots == [
        (f"{day}, 01:00 EDT (America/New_York)", "01:00 EDT"),
        (f"{day}, 01:30 EDT (America/New_York)", "01:30 EDT"),
        (f"{day}, 01:00 EST (America/New_York)", "01:00 EST"),
        (f"{day}, 01:30 EST (America/New_York)", "01:30 EST"),
        (f"{day}, 02:00 (America/New_York)", "02:00"),
        (f"{day}, 02:30 (America/New_York)", "02:30"),
    ]


def test_book_page_named_consultant_shows_only_their_times(client):
    ConsultantFactory(
        timezone="UTC", hours={d: [(time(9), time(10))] for d in range(7)}
    )
    evening = ConsultantFactory(
        timezone="UTC", hours={d: [(time(18), time(19))] for d in range(7)}
    )

    html = client.get(f"/book/?tz=UTC&consultant={evening.pk}").content.decode()

    times = set(re.findall(r'class="slot"[^>]*>(\d\d:\d\d)</a>', html))
    assert times == {"18:00", "18:30"}
    assert f'value="{evening.pk}" checked' in html


def test_book_page_unknown_consultant_shows_everyone_with_a_notice(client):
    ConsultantFactory()

    html = client.get("/book/?tz=UTC&consultant=999").content.decode()

    assert "isn&#x27;t taking bookings at the moment" in html
    assert 'value="any" checked' in html


def test_book_page_lists_consultants_with_bio_and_expertise(client):
    ConsultantFactory(
        display_name="Amelia Hart", bio="Ships language products.", expertise=["api"]
    )

    html = client.get("/book/?tz=UTC").content.decode()

    assert "<strong>Amelia Hart</strong>" in html
    assert '<span class="badge badge--api">Foundation-model APIs</span>' in html
    assert "Ships language products." in html


# --- /book/details/ ------------------------------------------------------------------


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
        ("2027-11-07T05:30:00Z", "01:30 EDT\u201301:00 EST"),
        ("2027-11-07T06:00:00Z", "01:00 EST\u201301:30 EST"),
        ("2027-11-07T04:30:00Z", "00:30\u201301:00 EDT"),
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

    assert (
        f"<strong>Sunday 7 November 2027, {summary} (America/New_York)</strong>" in html
    )


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
    assert "We don&#x27;t recognise that time zone." in html
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
    assert '<li><a href="#id_timezone">We don&#x27;t recognise that time zone.' in html
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
        "There&#x27;s already an upcoming consultation booked with this email address."
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


# --- confirmation, calendar file, manage -----------------------------------------------


def test_confirmation_shows_the_time_the_consultant_and_the_private_links(client):
    booking = BookingFactory(
        consultant__display_name="Amelia Hart", email="ada+calls@example.com"
    )

    response = client.get(f"/book/confirmed/{booking.token}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>You're booked</h1>" in html
    assert f"<strong>{when(booking.start)}</strong>" in html
    assert "with Amelia Hart" in html
    assert "a calendar invitation to <strong>ada+calls@example.com</strong>" in html
    assert f'href="/book/manage/{booking.token}/consultation.ics"' in html
    assert (
        f'<a href="/book/manage/{booking.token}/">http://testserver/book/manage/{booking.token}/</a>'
        in html
    )
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


def test_calendar_file_has_a_stable_uid_sequence_request_and_utc_times(client):
    booking = BookingFactory(sequence=2)

    response = client.get(f"/book/manage/{booking.token}/consultation.ics")

    calendar = Calendar.from_ical(response.content)
    event = calendar.walk("VEVENT")[0]
    assert response["Content-Type"] == "text/calendar; charset=utf-8; method=REQUEST"
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == f"{booking.uid}@consult"
    assert event["SEQUENCE"] == 2
    assert event["STATUS"] == "CONFIRMED"
    assert event.decoded("DTSTART") == booking.start
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert f"DTSTART:{booking.start:%Y%m%dT%H%M%S}Z" in response.content.decode()
    assert event["ORGANIZER"] == f"mailto:{booking.consultant.user.email}"
    assert booking.email not in response.content.decode()


def test_calendar_file_of_a_cancelled_booking_cancels_the_event(client):
    booking = BookingFactory(status=BookingStatus.CANCELLED, sequence=3)

    response = client.get(f"/book/manage/{booking.token}/consultation.ics")

    calendar = Calendar.from_ical(response.content)
    event = calendar.walk("VEVENT")[0]
    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 3


@pytest.mark.parametrize(
    "path",
    [
        "confirmed/{}/",
        "manage/{}/",
        "manage/{}/reschedule/",
        "manage/{}/cancel/",
        "manage/{}/consultation.ics",
    ],
)
def test_private_pages_with_a_wrong_token_are_not_found(client, path):
    BookingFactory()

    response = client.get("/book/" + path.format("x" * 43))

    assert response.status_code == 404


def test_manage_shows_the_booking_without_the_clients_email(client):
    booking = BookingFactory(email="secret@example.com", name="Grace Hopper")

    response = client.get(f"/book/manage/{booking.token}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f"<strong>{when(booking.start)}</strong>" in html
    assert "secret@example.com" not in html
    assert "Grace Hopper" not in html
    assert response["Referrer-Policy"] == "no-referrer"


def test_manage_during_the_call_says_it_is_in_progress_and_keeps_the_call_link(
    client,
):
    consultant = ConsultantFactory(meeting_url="https://meet.example/grace")
    booking = BookingFactory(
        consultant=consultant, start=timezone.now() - timedelta(minutes=10)
    )

    html = client.get(f"/book/manage/{booking.token}/").content.decode()

    assert "This consultation is in progress" in html
    assert "Join the call" in html
    assert "time has passed" not in html


def test_manage_after_the_call_says_its_time_has_passed(client):
    booking = BookingFactory(start=timezone.now() - timedelta(minutes=30))

    html = client.get(f"/book/manage/{booking.token}/").content.decode()

    assert "This consultation's time has passed." in html
    assert "in progress" not in html


def test_reschedule_during_the_call_says_it_is_in_progress(client):
    starts = free_starts(ConsultantFactory())
    booking = BookingFactory(start=timezone.now() - timedelta(minutes=10))
    url = f"/book/manage/{booking.token}/reschedule/"

    page = client.get(url).content.decode()
    moved = client.post(url, {"start": format_start(starts[3])}, follow=True)

    booking.refresh_from_db()
    after = moved.content.decode()
    assert IN_PROGRESS in page
    assert "time has passed" not in page
    assert "Book a new consultation" not in page
    assert 'class="slot"' not in page
    assert "This consultation has already started, so it can&#x27;t be moved." in after
    assert "taken place" not in after
    assert booking.sequence == 0


def test_cancel_during_the_call_says_it_is_in_progress(client):
    booking = BookingFactory(start=timezone.now() - timedelta(minutes=10))
    url = f"/book/manage/{booking.token}/cancel/"

    page = client.get(url).content.decode()
    cancelled = client.post(url, {"reason": ""}, follow=True)

    booking.refresh_from_db()
    assert IN_PROGRESS in page
    assert "Yes, cancel it" not in page
    assert (
        "This consultation has already started, so it can&#x27;t be cancelled here."
        in cancelled.content.decode()
    )
    assert booking.status == BookingStatus.CONFIRMED


def test_opening_the_cancel_page_changes_nothing(client):
    booking = BookingFactory()

    response = client.get(f"/book/manage/{booking.token}/cancel/")

    booking.refresh_from_db()
    assert response.status_code == 200
    assert "<h1>Cancel your consultation?</h1>" in response.content.decode()
    assert booking.status == BookingStatus.CONFIRMED
    # A form page: no-referrer would make browsers post "Origin: null" (CSRF refuses).
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_cancel_then_cancel_again_says_it_was_already_cancelled(client):
    booking = BookingFactory()
    url = f"/book/manage/{booking.token}/cancel/"

    first = client.post(url, {"reason": "Found the answer"}, follow=True)
    second = client.post(url, {"reason": ""}, follow=True)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason == "Found the answer"
    assert booking.sequence == 1
    assert "Your consultation is cancelled." in first.content.decode()
    assert (
        "This consultation was already cancelled; nothing has changed."
        in second.content.decode()
    )
    assert first.redirect_chain == [(f"/book/manage/{booking.token}/", 302)]


def test_reschedule_moves_the_same_booking_and_the_old_link_shows_the_new_time(client):
    consultant = ConsultantFactory()
    starts = free_starts(consultant)
    booking = BookingFactory(consultant=consultant, start=starts[0])
    new_start = starts[5]
    url = f"/book/manage/{booking.token}/reschedule/"

    picker = client.get(url).content.decode()
    confirm = client.get(f"{url}?start={format_start(new_start)}").content.decode()
    moved = client.post(url, {"start": format_start(new_start), "tz": "Asia/Tokyo"})
    later = client.get(f"/book/manage/{booking.token}/").content.decode()

    booking.refresh_from_db()
    assert f'aria-label="{slot_label(new_start)}"' in picker
    assert f"Move your consultation to {when(new_start)}?" in confirm
    assert moved.status_code == 302
    assert booking.start == new_start
    assert booking.sequence == 1
    assert Booking.objects.count() == 1
    assert f"Your consultation has moved to {when(new_start)}." in later
    assert f"<strong>{when(new_start)}</strong>" in later


def test_reschedule_shows_the_times_in_a_zone_the_client_chooses(client):
    consultant = ConsultantFactory()
    starts = free_starts(consultant)
    booking = BookingFactory(consultant=consultant, start=starts[0])
    url = f"/book/manage/{booking.token}/reschedule/"
    new_york = ZoneInfo("America/New_York")

    travelled = client.get(f"{url}?tz=America/New_York").content.decode()
    mistyped = client.get(f"{url}?tz=Mars/Olympus").content.decode()

    assert 'name="tz" value="America/New_York"' in travelled
    assert f'aria-label="{slot_label(starts[5], new_york, "America/New_York")}"' in (
        travelled
    )
    assert '<datalist id="timezone-names">' in travelled
    assert 'name="tz" value="Mars/Olympus"' in mistyped
    assert '<span class="field-error" id="tz-error">' in mistyped
    assert "Mars/Olympus”, so times are shown in Asia/Tokyo.</span>" in mistyped
    assert 'aria-describedby="tz-help tz-error" aria-invalid="true"' in mistyped


def test_reschedule_into_a_taken_slot_is_refused_with_alternatives(client):
    consultant = ConsultantFactory()
    starts = free_starts(consultant)
    booking = BookingFactory(consultant=consultant, start=starts[0])
    BookingFactory(consultant=consultant, start=starts[6])

    response = client.post(
        f"/book/manage/{booking.token}/reschedule/", {"start": format_start(starts[6])}
    )

    booking.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 409
    assert "Sorry, that time is no longer free." in html
    assert f'aria-label="{slot_label(starts[5])}"' in html
    assert booking.start == starts[0]
    assert booking.sequence == 0


def test_reschedule_of_a_cancelled_booking_is_refused(client):
    consultant = ConsultantFactory()
    starts = free_starts(consultant)
    booking = BookingFactory(
        consultant=consultant, start=starts[0], status=BookingStatus.CANCELLED
    )
    url = f"/book/manage/{booking.token}/reschedule/"

    page = client.get(url).content.decode()
    response = client.post(url, {"start": format_start(starts[3])}, follow=True)

    booking.refresh_from_db()
    assert "This consultation can't be moved: it was cancelled." in page
    assert 'class="slot"' not in page
    assert "This consultation can&#x27;t be moved any more" in response.content.decode()
    assert booking.start == starts[0]
    assert booking.status == BookingStatus.CANCELLED
