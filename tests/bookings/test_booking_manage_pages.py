"""After booking: the confirmation, the calendar file, and the private manage link's
pages to reschedule or cancel."""

import re
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from bookings.enums import BookingStatus
from bookings.forms import format_start
from bookings.models import Booking
from tests.factories.bookings import BookingFactory, ConsultantFactory
from tests.helpers.booking_pages import free_starts, slot_label, when

pytestmark = pytest.mark.django_db

IN_PROGRESS = (
    "This consultation is in progress, so it can no longer be moved or cancelled."
)


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


def test_calendar_download_is_a_published_event_with_a_stable_uid_in_utc(client):
    booking = BookingFactory(sequence=2)

    response = client.get(f"/book/manage/{booking.token}/consultation.ics")

    calendar = Calendar.from_ical(response.content)
    event = calendar.walk("VEVENT")[0]
    # A download is an event to copy, not an invitation: PUBLISH, no ATTENDEE.
    assert response["Content-Type"] == "text/calendar; charset=utf-8; method=PUBLISH"
    assert calendar["METHOD"] == "PUBLISH"
    assert "ATTENDEE" not in event
    assert booking.token not in response.content.decode()
    assert event["UID"] == f"{booking.uid}@consult"
    assert event["SEQUENCE"] == 2
    assert event["STATUS"] == "CONFIRMED"
    assert event.decoded("DTSTART") == booking.start
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert f"DTSTART:{booking.start:%Y%m%dT%H%M%S}Z" in response.content.decode()
    assert event["ORGANIZER"] == f"mailto:{booking.consultant.user.email}"
    assert booking.email not in response.content.decode()


def test_calendar_download_of_a_cancelled_booking_publishes_it_cancelled(client):
    booking = BookingFactory(status=BookingStatus.CANCELLED, sequence=3)

    response = client.get(f"/book/manage/{booking.token}/consultation.ics")

    calendar = Calendar.from_ical(response.content)
    event = calendar.walk("VEVENT")[0]
    assert calendar["METHOD"] == "PUBLISH"
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


def test_manage_writes_the_time_on_the_clock_of_the_browsers_language(client):
    booking = BookingFactory(client_timezone="America/New_York")
    new_york = ZoneInfo("America/New_York")
    start = booking.start.astimezone(new_york)
    end = booking.end.astimezone(new_york)

    html = client.get(
        f"/book/manage/{booking.token}/", HTTP_ACCEPT_LANGUAGE="en-US"
    ).content.decode()

    def twelve(local):
        return (
            f"{(local.hour % 12) or 12}:{local:%M} {'AM' if local.hour < 12 else 'PM'}"
        )

    assert (
        f"<strong>{start:%A} {start.day} {start:%B %Y}, {twelve(start)}\u2013"
        f"{twelve(end)} New York time ({start:%Z})</strong>"
    ) in html


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

    travelled = client.get(f"{url}?tz=America/New_York&times=all").content.decode()
    mistyped = client.get(f"{url}?tz=Mars/Olympus").content.decode()

    assert 'name="tz" value="America/New_York"' in travelled
    assert f'aria-label="{slot_label(starts[5], new_york, "America/New_York")}"' in (
        travelled
    )
    assert '<datalist id="timezone-names">' in travelled
    assert 'name="tz" value="Mars/Olympus"' in mistyped
    assert '<p class="field-error" id="tz-error">' in mistyped
    assert (
        "We don&#x27;t know a time zone called \u201cMars/Olympus\u201d. Type a city "
        "or country, like Los Angeles or Germany. Times below are in Asia/Tokyo.</p>"
    ) in mistyped
    assert (
        'aria-describedby="tz-help tz-feedback tz-choices" aria-invalid="true"'
        in mistyped
    )


def test_reschedule_takes_a_city_and_shows_the_week_like_the_booking_page(client):
    consultant = ConsultantFactory(
        timezone="America/Los_Angeles",
        hours={d: [(time(6), time(7)), (time(9), time(10))] for d in range(7)},
    )
    # Booked on a browser in American English: the 12-hour clock, kept.
    booking = BookingFactory(
        consultant=consultant,
        start=free_starts(consultant)[-1],
        client_timezone="UTC",
        hour12=True,
    )
    url = f"/book/manage/{booking.token}/reschedule/"
    # Two days on: beyond the 12 hours of notice whatever the hour of the run.
    later = timezone.now().date() + timedelta(days=2)

    html = client.get(
        f"{url}?tz=los+angeles&week={later}", HTTP_ACCEPT_LANGUAGE="en-US"
    ).content.decode()

    day = re.search(
        rf'id="day-{later}">(.*?)(?=<li class="day|</ol>)', html, re.DOTALL
    )[1]
    # 06:00-07:00 is early: counted, not listed, until "show all times".
    assert re.findall(r'class="slot"[^>]*>([^<]+)</a>', day) == ["9:00 AM", "9:30 AM"]
    assert ">+ 2 early/late times</a></p>" in day
    assert (
        '<p class="week__zone">Times in <strong>America/Los_Angeles</strong></p>'
        in (html)
    )
    assert f'href="{url}?tz=America/Los_Angeles&amp;week={later}&amp;times=all"' in html


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


def test_calendar_download_carries_the_manage_link_only_if_the_client_asked(client):
    asked = BookingFactory(manage_link_in_calendar=True)
    default = BookingFactory()

    with_link = client.get(f"/book/manage/{asked.token}/consultation.ics")
    without = client.get(f"/book/manage/{default.token}/consultation.ics")

    assert f"/book/manage/{asked.token}/" in with_link.content.decode().replace(
        "\r\n ", ""
    )
    assert default.token not in without.content.decode().replace("\r\n ", "")


def test_confirmation_offers_google_outlook_and_ics_without_the_private_link(client):
    from urllib.parse import parse_qs, urlparse  # noqa: PLC0415

    booking = BookingFactory()

    page = client.get(f"/book/confirmed/{booking.token}/")

    links = page.context["calendar_links"]
    html = page.content.decode()
    assert "Add to Google Calendar" in html
    assert "Add to Outlook" in html
    assert "Download .ics" in html
    google = parse_qs(urlparse(links.google).query)
    assert google["action"] == ["TEMPLATE"]
    assert google["dates"] == [
        f"{booking.start:%Y%m%dT%H%M%S}Z/{booking.end:%Y%m%dT%H%M%S}Z"
    ]
    outlook = parse_qs(urlparse(links.outlook).query)
    assert outlook["startdt"] == [booking.start.strftime("%Y-%m-%dT%H:%M:%SZ")]
    for link in links:
        assert booking.token not in link
    # The external links leave without a Referer: the page is a private link.
    assert page["Referrer-Policy"] == "no-referrer"


def test_the_call_of_a_consultant_who_stopped_taking_bookings_is_not_moved_online(
    client,
):
    consultant = ConsultantFactory(display_name="Amelia Hart")
    starts = free_starts(consultant)
    booking = BookingFactory(consultant=consultant, start=starts[0])
    consultant.is_active = False
    consultant.save()
    url = f"/book/manage/{booking.token}/reschedule/"

    manage = client.get(f"/book/manage/{booking.token}/").content.decode()
    page = client.get(url).content.decode()
    posted = client.post(url, {"start": format_start(starts[5])})

    booking.refresh_from_db()
    assert url not in manage
    assert f"/book/manage/{booking.token}/cancel/" in manage
    assert "Amelia Hart is no longer taking new times" in page
    assert 'class="slot"' not in page
    assert posted.status_code == 409
    assert "Amelia Hart is no longer taking new times" in posted.content.decode()
    assert booking.start == starts[0]
    assert booking.sequence == 0
