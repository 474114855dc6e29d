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


def day_html(html, day):
    """The markup of ``day`` in the week shown."""
    return re.search(rf'id="day-{day}">(.*?)(?=<li class="day|</ol>)', html, re.DOTALL)[
        1
    ]


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

    response = client.get("/book/?tz=Asia/Tokyo&times=all")

    html = response.content.decode()
    expected = (
        f'<a class="slot" href="/book/details/?start={format_start(first)}'
        f'&amp;consultant=any&amp;tz=Asia/Tokyo" aria-label="{slot_label(first)}">'
        f"{first.astimezone(TOKYO):%H:%M}</a>"
    )
    assert expected in html
    assert '<p class="week__zone">Times in <strong>Asia/Tokyo</strong></p>' in html


def test_book_page_without_a_zone_or_language_shows_utc_and_asks_to_choose(client):
    ConsultantFactory()

    response = client.get("/book/")

    html = response.content.decode()
    assert (
        '<p class="zone-prompt">Times are shown in UTC until you choose your time '
        "zone.</p>" in html
    )
    assert '<input type="text" id="tz" name="tz" value=""' in html
    assert '<p class="week__zone">Times in <strong>UTC</strong></p>' in html
    nonce = response.wsgi_request._csp_nonce
    assert f'<script nonce="{nonce}">' in html
    assert "Intl.DateTimeFormat().resolvedOptions().timeZone" in html


def test_book_page_without_a_zone_guesses_it_from_a_one_zone_language_region(client):
    ConsultantFactory()

    html = client.get("/book/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8").content.decode()

    assert '<p class="week__zone">Times in <strong>Europe/London</strong></p>' in html
    assert (
        '<p class="zone-note">Showing United Kingdom time (Europe/London), from your '
        "browser's language. Not right? Type yours.</p>" in html
    )
    assert 'value="Europe/London"' in html
    # The browser's own zone still replaces the guess when JavaScript runs.
    assert "data-replace-timezone" in html


def test_book_page_without_a_zone_lists_the_zones_of_a_many_zone_region(client):
    ConsultantFactory()

    html = client.get("/book/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()

    assert "Times are shown in UTC until you choose your time zone (United States" in (
        html
    )
    assert '<p class="week__zone">Times in <strong>UTC</strong></p>' in html
    choices = re.findall(r'<li><a href="(/book/\?[^"]+)"[^>]*>([^<]+)</a></li>', html)
    assert (
        "/book/?consultant=any&amp;tz=America/Los_Angeles",
        "Los Angeles",
    ) in choices
    assert (
        "/book/?consultant=any&amp;tz=America/New_York",
        "New York",
    ) in choices


def test_book_page_unknown_zone_says_so_beside_the_field_and_keeps_what_was_typed(
    client,
):
    consultant = ConsultantFactory()
    first = free_starts(consultant)[0]

    response = client.get("/book/?tz=Mars/Olympus_Mons&times=all")

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<p class="field-error" id="tz-error"><span class="visually-hidden">Error:'
        "</span> We don&#x27;t know a time zone called \u201cMars/Olympus_Mons\u201d. "
        "Type a city or country, like Los Angeles or Germany. Times below are in "
        "UTC.</p>"
    ) in html
    assert 'value="Mars/Olympus_Mons"' in html
    assert 'aria-invalid="true"' in html
    assert f'aria-label="{slot_label(first, UTC, "UTC")}"' in html
    assert "<script nonce=" not in html


@pytest.mark.parametrize(
    ("typed", "zone", "place"),
    [
        ("los angeles", "America/Los_Angeles", "Los Angeles, United States"),
        ("Tokyo", "Asia/Tokyo", "Tokyo, Japan"),
        ("germany", "Europe/Berlin", "Germany"),
        ("New York", "America/New_York", "New York, United States"),
        ("ZÜRICH", "Europe/Zurich", "Zurich, Switzerland"),
        ("sao paulo", "America/Sao_Paulo", "S\u00e3o Paulo, Brazil"),
        ("america/los_angeles", "America/Los_Angeles", "Los Angeles, United States"),
        ("San Francisco", "America/Los_Angeles", "San Francisco, United States"),
    ],
)
def test_book_page_zone_field_takes_cities_and_countries(client, typed, zone, place):
    ConsultantFactory()

    html = client.get("/book/", {"tz": typed}).content.decode()

    assert f'<p class="week__zone">Times in <strong>{zone}</strong></p>' in html
    assert f'<p class="zone-note">Showing times for {place}.</p>' in html
    assert f'<input type="text" id="tz" name="tz" value="{zone}"' in html
    assert 'class="field-error"' not in html


def test_book_page_zone_field_asks_which_zone_of_a_many_zone_country(client):
    ConsultantFactory()

    html = client.get("/book/?tz=United+States&clock=12").content.decode()

    assert (
        "United States has several time zones: choose the one you are in. Times "
        "below are in UTC.</p>" in html
    )
    assert '<p class="zone-choices__label" id="tz-choices-label">Choose yours:</p>' in (
        html
    )
    assert (
        '<li><a href="/book/?consultant=any&amp;tz=America/Chicago&amp;clock=12" '
        'hx-get="/book/?consultant=any&amp;tz=America/Chicago&amp;clock=12" '
        'hx-target="#slots" hx-push-url="true">Chicago</a></li>'
    ) in html


def test_book_page_zone_field_suggests_names_close_to_a_misspelt_one(client):
    ConsultantFactory()

    html = client.get("/book/?tz=los+angelas").content.decode()

    assert "We don&#x27;t know a time zone called \u201clos angelas\u201d." in html
    assert '<p class="zone-choices__label" id="tz-choices-label">Did you mean:</p>' in (
        html
    )
    assert ">Los Angeles, United States</a></li>" in html


def test_book_page_htmx_answer_carries_the_zone_feedback_out_of_band(client):
    ConsultantFactory()

    html = client.get("/book/?tz=kolkata", **HTMX).content.decode()

    assert (
        '<div id="tz-feedback" hx-swap-oob="true" aria-live="polite" '
        'data-zone="Asia/Kolkata" data-invalid="false">'
    ) in html
    assert '<p class="zone-note">Showing times for Kolkata, India.</p>' in html


def test_book_page_days_without_slots_are_visibly_unavailable(client):
    ConsultantFactory(hours={2: [(time(9, 0), time(10, 0))]})  # Wednesdays only

    response = client.get("/book/?tz=Europe/London")

    html = response.content.decode()
    assert html.count('class="day day--none"') == 6
    assert html.count('<p class="day__none">No free times</p>') == 6
    assert html.count('class="slot"') == 2


def test_book_page_opens_today_not_on_monday(client):
    ConsultantFactory(timezone="UTC")
    today = timezone.now().date()

    html = client.get("/book/?tz=UTC&times=all").content.decode()

    days = re.findall(r'<li class="day[^"]*" id="day-([\d-]+)">', html)
    assert days == [str(today + timedelta(days=n)) for n in range(7)]


def test_book_page_opens_on_the_first_day_with_a_free_time(client):
    consultant = ConsultantFactory(timezone="UTC")
    now = timezone.now()
    TimeOffFactory(consultant=consultant, start=now, end=now + timedelta(days=9))
    first = free_starts(consultant)[0]

    html = client.get("/book/?tz=UTC&times=all").content.decode()

    days = re.findall(r'<li class="day[^"]*" id="day-([\d-]+)">', html)
    assert days == [str(first.date() + timedelta(days=n)) for n in range(7)]
    assert f'href="/book/details/?start={format_start(first)}&amp;' in html
    assert "No free times in these seven days" not in html


def test_book_page_offers_the_next_free_time_when_the_week_asked_for_is_empty(client):
    consultant = ConsultantFactory(timezone="UTC")
    now = timezone.now()
    TimeOffFactory(consultant=consultant, start=now, end=now + timedelta(days=8))
    first = free_starts(consultant)[0]

    response = client.get(f"/book/?tz=UTC&week={now.date().isoformat()}")

    html = response.content.decode()
    assert f"The next one is {slot_label(first, UTC, 'UTC')}." in html
    assert f'href="/book/?consultant=any&amp;tz=UTC&amp;week={first.date()}"' in html


def test_book_page_week_navigation_moves_by_seven_days_within_the_horizon(client):
    ConsultantFactory(timezone="UTC")
    today = timezone.now().date()
    next_week = today + timedelta(days=7)

    first = client.get(f"/book/?tz=UTC&week={today}", **HTMX).content.decode()
    second = client.get(f"/book/?tz=UTC&week={next_week}", **HTMX).content.decode()
    far = client.get("/book/?tz=UTC&week=2099-01-05", **HTMX).content.decode()

    assert "Earlier" not in first
    assert f'hx-get="/book/?consultant=any&amp;tz=UTC&amp;week={next_week}"' in first
    assert f'hx-get="/book/?consultant=any&amp;tz=UTC&amp;week={today}"' in second
    assert f'id="day-{next_week}"' in second
    last_day = (timezone.now() + timedelta(days=30)).date()
    assert f'id="day-{last_day}"' in far
    assert f'id="day-{last_day + timedelta(days=1)}"' not in far
    assert "Later" not in far


def test_book_page_tells_apart_the_times_repeated_when_clocks_go_back(
    client, monkeypatch
):
    # New York falls back at 06:00 UTC on Sunday 7 November 2027: 01:00-02:00 twice.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2027, 11, 1, 12, tzinfo=UTC))
    ConsultantFactory(timezone="Europe/London", hours={6: [(time(5), time(8))]})

    html = client.get(
        "/book/?tz=America/New_York&week=2027-11-01&times=all"
    ).content.decode()

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


def test_book_page_shows_only_daytime_by_default_and_counts_the_rest(client):
    # 05:00-08:00 and 20:00-23:00 London every day: 07:00-07:30 and 20:00-20:30
    # are daytime; the rest early or late.
    ConsultantFactory(
        timezone="Europe/London",
        hours={d: [(time(5), time(8)), (time(20), time(23))] for d in range(7)},
    )
    # Two days on: beyond the 12 hours of notice whatever the hour of the run.
    later = timezone.now().date() + timedelta(days=2)

    html = client.get(f"/book/?tz=Europe/London&week={later}").content.decode()

    day = day_html(html, later)
    times = re.findall(r'class="slot"[^>]*>([^<]+)</a>', day)
    assert times == ["07:00", "07:30", "20:00", "20:30"]
    assert (
        f'<p class="day__hidden"><a href="/book/?consultant=any&amp;tz=Europe/London'
        f'&amp;week={later}&amp;times=all#day-{later}"'
    ) in day
    assert ">+ 8 early/late times</a></p>" in day
    assert "Showing 07:00\u201321:00." in html


def test_book_page_show_all_times_lists_early_and_late_ones(client):
    ConsultantFactory(
        timezone="Europe/London",
        hours={d: [(time(5), time(8)), (time(20), time(23))] for d in range(7)},
    )
    # Two days on: beyond the 12 hours of notice whatever the hour of the run.
    later = timezone.now().date() + timedelta(days=2)

    html = client.get(
        f"/book/?tz=Europe/London&week={later}&times=all", **HTMX
    ).content.decode()

    day = day_html(html, later)
    times = re.findall(r'class="slot"[^>]*>([^<]+)</a>', day)
    assert times == [
        "05:00", "05:30", "06:00", "06:30", "07:00", "07:30",
        "20:00", "20:30", "21:00", "21:30", "22:00", "22:30",
    ]  # fmt: skip
    assert 'class="day__hidden"' not in day
    assert (
        f'<a href="/book/?consultant=any&amp;tz=Europe/London&amp;week={later}" '
        f'hx-get="/book/?consultant=any&amp;tz=Europe/London&amp;week={later}" '
        'hx-target="#slots" hx-push-url="true">Only 07:00\u201321:00</a>'
    ) in html


def test_book_page_day_with_only_early_or_late_times_says_how_many(client):
    ConsultantFactory(
        timezone="Asia/Tokyo", hours={d: [(time(9), time(10, 30))] for d in range(7)}
    )
    # Two days on: beyond the 12 hours of notice whatever the hour of the run.
    later = timezone.now().date() + timedelta(days=2)

    # 09:00-10:30 in Tokyo is 00:00-01:30 UTC: three early times, none by day.
    html = client.get(f"/book/?tz=UTC&week={later}").content.decode()

    day = day_html(html, later)
    assert 'class="slot"' not in day
    assert "No daytime times. <a href=" in day
    assert ">3 early/late times</a></p>" in day


@pytest.mark.parametrize(
    ("language", "clock"),
    [
        ("en-US,en;q=0.9", "9:00 AM"),
        ("en-CA", "9:00 AM"),
        ("en-AU", "9:00 AM"),
        ("hi-IN", "9:00 AM"),
        ("en-GB,en;q=0.9", "09:00"),
        ("de-DE,de;q=0.9", "09:00"),
        ("fr", "09:00"),
        ("", "09:00"),
    ],
)
def test_book_page_clock_follows_the_browsers_language(client, language, clock):
    ConsultantFactory(
        timezone="America/Los_Angeles",
        hours={d: [(time(9), time(10))] for d in range(7)},
    )
    # Two days on: beyond the 12 hours of notice whatever the hour of the run.
    later = timezone.now().date() + timedelta(days=2)

    html = client.get(
        f"/book/?tz=America/Los_Angeles&week={later}", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    day = day_html(html, later)
    assert re.findall(r'class="slot"[^>]*>([^<]+)</a>', day)[0] == clock


def test_book_page_clock_chosen_is_remembered_over_the_language(client):
    ConsultantFactory(
        timezone="America/Los_Angeles",
        hours={d: [(time(13), time(14))] for d in range(7)},
    )
    # Two days on: beyond the 12 hours of notice whatever the hour of the run.
    later = timezone.now().date() + timedelta(days=2)
    page = f"/book/?tz=America/Los_Angeles&week={later}"

    chosen = client.get(page + "&clock=24", HTTP_ACCEPT_LANGUAGE="en-US")
    again = client.get(page, HTTP_ACCEPT_LANGUAGE="en-US").content.decode()

    assert chosen.cookies["clock"].value == "24"
    assert "Accept-Language" in chosen["Vary"]
    for html in (chosen.content.decode(), again):
        day = day_html(html, later)
        assert re.findall(r'class="slot"[^>]*>([^<]+)</a>', day) == ["13:00", "13:30"]
    assert '<strong aria-current="true">24-hour</strong>' in again
    assert "&amp;clock=12" in again


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


def test_book_page_in_chatham_shows_times_off_the_hour_on_its_clock(
    client, monkeypatch
):
    # 20:00-21:00 UTC is 09:45-10:45 the next day in the Chatham Islands in their
    # summer (UTC+13:45).
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 12, 9, 12, tzinfo=UTC))
    ConsultantFactory(
        timezone="UTC", hours={d: [(time(20), time(21))] for d in range(7)}
    )

    html = client.get(
        "/book/?tz=chatham&week=2026-12-11", HTTP_ACCEPT_LANGUAGE="en-NZ"
    ).content.decode()

    assert '<p class="week__zone">Times in <strong>Pacific/Chatham</strong></p>' in html
    day = day_html(html, "2026-12-12")
    assert re.findall(r'class="slot"[^>]*>([^<]+)</a>', day) == ["9:45 AM", "10:15 AM"]


def test_book_page_in_kolkata_shows_its_half_hour_offset(client):
    # 03:00-04:00 UTC is 08:30-09:30 in Kolkata (UTC+05:30).
    ConsultantFactory(timezone="UTC", hours={d: [(time(3), time(4))] for d in range(7)})
    # Two days on: beyond the 12 hours of notice whatever the hour of the run.
    later = datetime.now(UTC).date() + timedelta(days=2)

    html = client.get(
        f"/book/?tz=Kolkata&week={later}", HTTP_ACCEPT_LANGUAGE="en-IN"
    ).content.decode()

    day = day_html(html, later)
    assert re.findall(r'class="slot"[^>]*>([^<]+)</a>', day) == ["8:30 AM", "9:00 AM"]


def test_book_page_daytime_follows_the_clients_clock_across_a_dst_change(
    client, monkeypatch
):
    # Los Angeles springs forward on Sunday 14 March 2027: 14:00 UTC is 06:00 on
    # the Saturday (early) and 07:00 on the Monday (daytime).
    monkeypatch.setattr(timezone, "now", lambda: datetime(2027, 3, 10, 12, tzinfo=UTC))
    ConsultantFactory(
        timezone="UTC", hours={d: [(time(14), time(14, 30))] for d in range(7)}
    )

    html = client.get("/book/?tz=America/Los_Angeles&week=2027-03-13").content.decode()

    saturday = day_html(html, "2027-03-13")
    monday_ = day_html(html, "2027-03-15")
    assert 'class="slot"' not in saturday
    assert ">1 early/late time</a></p>" in saturday
    assert re.findall(r'class="slot"[^>]*>([^<]+)</a>', monday_) == ["07:00"]
