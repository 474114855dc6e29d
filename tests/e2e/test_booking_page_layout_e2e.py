"""The booking page as clients see it: the first free time on the first screen of a
phone, days in a column, no scrolling inside the page, their clock and their zone, with
and without JavaScript."""

import re
from datetime import time

import pytest
from playwright.sync_api import expect

from tests.factories.bookings import ConsultantFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Every day: an early hour (06:00-07:00, left out by default) and a working day.
LOS_ANGELES_HOURS = {day: [(time(6), time(7)), (time(9), time(17))] for day in range(7)}
TWELVE_HOUR = re.compile(r"^(1[0-2]|[1-9]):[0-5]\d (AM|PM)$")
# Elements of the week that scroll on their own (a box inside the page).
INNER_SCROLLERS = """
() => [...document.querySelectorAll('#slots *')].filter((element) => {
  const style = getComputedStyle(element);
  const scrolls = (value) => value === 'auto' || value === 'scroll';
  return (scrolls(style.overflowY) && element.scrollHeight > element.clientHeight)
    || (scrolls(style.overflowX) && element.scrollWidth > element.clientWidth);
}).length
"""


@pytest.fixture
def practice():
    ConsultantFactory(
        display_name="Amelia Hart",
        timezone="America/Los_Angeles",
        hours=LOS_ANGELES_HOURS,
        expertise=["api", "fine_tune"],
        bio="Ten years of shipping ML products; now helps teams choose what to build.",
    )
    ConsultantFactory(
        display_name="Priya Raman", timezone="Asia/Kolkata", expertise=["classical_ml"]
    )


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)])
def test_los_angeles_visitor_sees_daytime_on_a_12_hour_clock_on_the_first_screen(
    live_server, page_factory, output_dir, practice, width, height
):
    page = page_factory(
        width=width, height=height, timezone_id="America/Los_Angeles", locale="en-US"
    )

    page.goto(live_server.url + "/book/")

    expect(page.locator(".week__zone")).to_have_text("Times in America/Los_Angeles")
    first_slot = page.locator(".days .slot").first
    expect(first_slot).to_be_visible()
    page.screenshot(path=output_dir / f"book-los-angeles-{width}.png")
    page.screenshot(
        path=output_dir / f"book-los-angeles-{width}-full.png", full_page=True
    )
    times = page.locator(".days .slot").all_inner_texts()
    assert all(TWELVE_HOUR.match(text) for text in times), times
    assert "9:00 AM" in times
    # 06:00-07:00 is early: counted beside the day, not listed.
    assert "6:00 AM" not in times
    expect(page.locator(".day__hidden").first).to_contain_text("early/late time")
    box = first_slot.bounding_box()
    assert box["y"] + box["height"] <= height, box
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(INNER_SCROLLERS) == 0
    days = page.locator(".days > .day")
    first_day, second_day = days.nth(0).bounding_box(), days.nth(1).bounding_box()
    if width == 390:
        # A list by day: each day below the one before, as wide as the page.
        assert second_day["y"] >= first_day["y"] + first_day["height"]
        assert first_day["width"] >= 300
    else:
        # Columns side by side.
        assert second_day["x"] > first_day["x"]
        assert second_day["y"] == first_day["y"]
    assert page.console_errors == []


def test_show_all_times_and_the_24_hour_clock_swap_in_place_and_are_kept(
    live_server, page_factory, practice
):
    page = page_factory(
        width=390, height=844, timezone_id="America/Los_Angeles", locale="en-US"
    )
    page.goto(live_server.url + "/book/")
    expect(page.locator(".week__zone")).to_have_text("Times in America/Los_Angeles")

    page.get_by_role("link", name="Show all times").click()

    expect(page).to_have_url(re.compile(r"times=all"))
    expect(
        page.locator(".days .slot", has_text=re.compile("^6:00 AM$")).first
    ).to_be_visible()
    expect(page.locator("#week-heading")).to_be_focused()

    page.get_by_role("link", name="24-hour").click()

    expect(page).to_have_url(re.compile(r"clock=24"))
    expect(
        page.locator(".days .slot", has_text=re.compile("^06:00$")).first
    ).to_be_visible()
    page.goto(live_server.url + "/book/?tz=America/Los_Angeles")
    # The clock chosen is remembered; the daytime filter is back to its default.
    expect(
        page.locator(".days .slot", has_text=re.compile("^09:00$")).first
    ).to_be_visible()
    expect(page.locator(".days .slot", has_text=re.compile("^06:00$"))).to_have_count(0)
    assert page.console_errors == []


def test_without_javascript_the_zone_field_takes_a_city_and_a_country(
    live_server, page_factory, output_dir, practice
):
    page = page_factory(width=390, height=844, locale="en-US", javascript=False)
    page.goto(live_server.url + "/book/")

    # en-US names a country of several zones: UTC, said plainly, and a choice.
    expect(page.locator(".zone-prompt")).to_contain_text(
        "Times are shown in UTC until you choose your time zone"
    )
    expect(page.locator(".week__zone")).to_have_text("Times in UTC")
    page.screenshot(path=output_dir / "book-nojs-prompt.png", full_page=True)

    page.get_by_label("Your time zone").fill("los angeles")
    page.get_by_role("button", name="Show times").click()

    expect(page.locator(".week__zone")).to_have_text("Times in America/Los_Angeles")
    expect(page.locator(".zone-note")).to_have_text(
        "Showing times for Los Angeles, United States."
    )
    expect(page.locator(".days .slot", has_text="9:00 AM").first).to_be_visible()

    page.get_by_label("Your time zone").fill("United States")
    page.get_by_role("button", name="Show times").click()

    expect(page.locator("#tz-error")).to_contain_text(
        "United States has several time zones"
    )
    page.screenshot(path=output_dir / "book-nojs-choices.png", full_page=True)
    page.get_by_role("link", name="Chicago", exact=True).click()

    expect(page.locator(".week__zone")).to_have_text("Times in America/Chicago")
    expect(page.get_by_label("Your time zone")).to_have_value("America/Chicago")

    page.get_by_label("Your time zone").fill("Middle Earth")
    page.get_by_role("button", name="Show times").click()

    expect(page.locator("#tz-error")).to_contain_text(
        "We don't know a time zone called “Middle Earth”."
    )
    expect(page.get_by_label("Your time zone")).to_have_attribute(
        "aria-invalid", "true"
    )


def test_with_htmx_a_mistyped_zone_is_marked_beside_the_field(
    live_server, page_factory, practice
):
    page = page_factory(
        width=1280, height=900, timezone_id="America/Los_Angeles", locale="en-US"
    )
    page.goto(live_server.url + "/book/")
    expect(page.locator(".week__zone")).to_have_text("Times in America/Los_Angeles")

    page.get_by_label("Your time zone").fill("tokyp")
    page.get_by_role("button", name="Show times").click()

    expect(page.locator("#tz-error")).to_contain_text("We don't know a time zone")
    expect(page.get_by_label("Your time zone")).to_have_attribute(
        "aria-invalid", "true"
    )
    page.get_by_role("link", name="Tokyo, Japan").click()

    expect(page.locator(".week__zone")).to_have_text("Times in Asia/Tokyo")
    expect(page.get_by_label("Your time zone")).to_have_value("Asia/Tokyo")
    expect(page.locator("#tz-error")).to_have_count(0)
    assert page.get_by_label("Your time zone").get_attribute("aria-invalid") is None
    assert page.console_errors == []


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)])
def test_reschedule_page_shows_the_same_week_in_the_clients_clock(
    live_server, page_factory, output_dir, practice, width, height
):
    from bookings import selectors  # noqa: PLC0415
    from tests.factories.bookings import BookingFactory  # noqa: PLC0415

    last = selectors.availability_get().slots[-1]
    booking = BookingFactory(
        consultant_id=last.consultant_keys[0],
        start=last.start,
        client_timezone="America/Los_Angeles",
    )
    page = page_factory(
        width=width, height=height, timezone_id="America/Los_Angeles", locale="en-US"
    )

    page.goto(f"{live_server.url}/book/manage/{booking.token}/reschedule/")

    expect(page.locator(".week__zone")).to_have_text("Times in America/Los_Angeles")
    page.screenshot(path=output_dir / f"reschedule-{width}.png", full_page=True)
    times = page.locator(".days .slot").all_inner_texts()
    assert times
    assert all(TWELVE_HOUR.match(text) for text in times), times
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(INNER_SCROLLERS) == 0
    assert page.console_errors == []


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)])
@pytest.mark.parametrize(
    ("zone", "language"), [("Asia/Kolkata", "en-IN"), ("Pacific/Chatham", "en-NZ")]
)
def test_visitors_off_the_hour_see_their_first_free_time_on_the_first_screen(
    live_server, page_factory, output_dir, practice, zone, language, width, height
):
    page = page_factory(width=width, height=height, timezone_id=zone, locale=language)

    page.goto(live_server.url + "/book/")

    expect(page.locator(".week__zone")).to_have_text(f"Times in {zone}")
    first_slot = page.locator(".days .slot").first
    expect(first_slot).to_be_visible()
    page.screenshot(path=output_dir / f"book-{width}.png")
    times = page.locator(".days .slot").all_inner_texts()
    assert all(TWELVE_HOUR.match(text) for text in times), times
    box = first_slot.bounding_box()
    assert box["y"] + box["height"] <= height, box
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(INNER_SCROLLERS) == 0
    assert page.console_errors == []
