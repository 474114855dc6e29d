"""/book/: the week of free times in the client's zone, its htmx partial and its
navigation, per consultant."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from bookings.forms import format_start
from tests.factories.bookings import ConsultantFactory, TimeOffFactory
from tests.helpers.booking_pages import TOKYO, free_starts, slot_label

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def monday(day):
    return day - timedelta(days=day.weekday())


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
