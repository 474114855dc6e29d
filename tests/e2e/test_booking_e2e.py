import re
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from bookings import selectors
from bookings.enums import BookingStatus
from bookings.forms import format_start
from bookings.models import Booking
from tests.factories.bookings import ConsultantFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TOKYO = ZoneInfo("Asia/Tokyo")
LONDON_OFFICE = {day: [(time(9, 0), time(17, 0))] for day in range(5)}


def slot_label(start) -> str:
    local = start.astimezone(TOKYO)
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M} (Asia/Tokyo)"


def when(start) -> str:
    local = start.astimezone(TOKYO)
    end = (start + timedelta(minutes=30)).astimezone(TOKYO)
    return (
        f"{local:%A} {local.day} {local:%B %Y}, "
        f"{local:%H:%M}\u2013{end:%H:%M} Tokyo time (JST)"
    )


def reschedule_choice(slots, now):
    """A daytime time on the reschedule page as it opens: the seven days from today
    in Tokyo, or from the first day with a free time when those have none."""
    today = now.astimezone(TOKYO).date()
    first_day = slots[0].astimezone(TOKYO).date()
    start = today if first_day < today + timedelta(days=7) else first_day
    shown = [
        s
        for s in slots[1:]
        if start <= s.astimezone(TOKYO).date() < start + timedelta(days=7)
        and 7 <= s.astimezone(TOKYO).hour < 21
    ]
    return shown[min(3, len(shown) - 1)]


def test_client_in_tokyo_books_reschedules_and_cancels_with_a_london_consultant(
    live_server, page_factory, output_dir
):
    consultant = ConsultantFactory(
        display_name="Amelia Hart", timezone="Europe/London", hours=LONDON_OFFICE
    )
    found = selectors.availability_get()
    slots = [s.start for s in found.slots]
    # 09:00 in London is 18:00 in Tokyo: within the daytime the page shows first.
    first = slots[0]
    new_start = reschedule_choice(slots, found.now)

    # British English: the 24-hour clock the labels below are written in.
    page = page_factory(timezone_id="Asia/Tokyo", locale="en-GB")
    page.goto(live_server.url + "/book/")

    # The browser's zone is filled in and the week is fetched again in it.
    expect(page.locator(".week__zone")).to_have_text("Times in Asia/Tokyo")
    expect(page.locator("#tz")).to_have_value("Asia/Tokyo")
    page.get_by_role("link", name=slot_label(first)).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    expect(page.locator(".booking-summary__when")).to_have_text(when(first))
    page.get_by_label("Your name").fill("Haruki Tanaka")
    page.get_by_label("Email address").fill("haruki@example.jp")
    page.get_by_label("Company (optional)").fill("Tanaka Logistics")
    page.get_by_label("What would you like to discuss? (optional)").fill(
        "Routing forecasts: fine-tune or classical ML?"
    )
    page.get_by_label("I agree that Consult keeps these details").check()
    page.get_by_role("button", name="Book this time").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You're booked")
    expect(page.locator(".booking-summary__when")).to_have_text(when(first))
    expect(page.locator(".booking-summary")).to_contain_text("with Amelia Hart")
    page.screenshot(path=output_dir / "confirmation-desktop.png", full_page=True)
    booking = Booking.objects.get()
    assert (booking.start, booking.consultant, booking.client_timezone) == (
        first,
        consultant,
        "Asia/Tokyo",
    )

    page.locator(".private-link a").click()
    page.get_by_role("link", name="Choose a new time").click()
    page.get_by_role("link", name=slot_label(new_start)).click()
    expect(page.get_by_role("heading", level=2)).to_have_text(
        f"Move your consultation to {when(new_start)}?"
    )
    page.get_by_role("button", name="Confirm new time").click()

    expect(page.locator(".messages")).to_have_text(
        f"Your consultation has moved to {when(new_start)}."
    )
    expect(page.locator(".booking-summary__when")).to_have_text(when(new_start))
    booking.refresh_from_db()
    assert (booking.start, booking.sequence) == (new_start, 1)

    page.get_by_role("link", name="Cancel consultation").click()
    page.get_by_role("button", name="Yes, cancel it").click()

    expect(page.locator(".messages")).to_have_text(
        "Your consultation is cancelled. We hope to talk another time."
    )
    expect(page.get_by_role("link", name="Choose a new time")).to_have_count(0)
    page.screenshot(path=output_dir / "cancelled-desktop.png", full_page=True)
    booking.refresh_from_db()
    assert (booking.status, booking.sequence) == (BookingStatus.CANCELLED, 2)
    assert page.console_errors == []


@pytest.mark.parametrize(("width", "label"), [(390, "phone"), (1280, "desktop")])
def test_booking_page_fits_the_screen_and_renders_without_errors(
    live_server, page_factory, output_dir, width, label
):
    ConsultantFactory(
        display_name="Amelia Hart",
        timezone="Europe/London",
        hours=LONDON_OFFICE,
        expertise=["api", "fine_tune"],
    )
    ConsultantFactory(
        display_name="Priya Raman", timezone="Asia/Kolkata", expertise=["classical_ml"]
    )
    page = page_factory(
        width=width,
        height=844 if width == 390 else 900,
        timezone_id="Asia/Tokyo",
        locale="en-GB",
    )

    page.goto(live_server.url + "/book/")

    expect(page.locator(".week__zone")).to_have_text("Times in Asia/Tokyo")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator(".week__nav--end").get_by_role("link", name="Later").click()
    expect(page).to_have_url(
        re.compile(r".*/book/\?consultant=any&tz=Asia/Tokyo&week=.*")
    )
    # Focus moves to the new week's heading after the swap.
    expect(page.locator("#week-heading")).to_be_focused()
    page.screenshot(path=output_dir / f"book-{label}.png", full_page=True)
    assert page.console_errors == []


def test_choosing_a_consultant_with_the_arrow_keys_keeps_focus_in_the_list(
    live_server, page_factory
):
    amelia = ConsultantFactory(
        display_name="Amelia Hart", timezone="Europe/London", hours=LONDON_OFFICE
    )
    priya = ConsultantFactory(display_name="Priya Raman", timezone="Asia/Kolkata")
    page = page_factory(width=390, height=844, timezone_id="Asia/Tokyo", locale="en-GB")
    page.goto(live_server.url + "/book/")
    expect(page.locator(".week__zone")).to_have_text("Times in Asia/Tokyo")
    radios = page.locator("input[name=consultant]")
    values = [radios.nth(i).get_attribute("value") for i in range(radios.count())]
    assert values == ["any", str(amelia.pk), str(priya.pk)]

    # The choice of consultant folds away on the page; open it first.
    page.get_by_text("Consultant: any").click()
    page.get_by_role("radio", name=re.compile("Any consultant")).focus()
    # Each arrow press loads that consultant's week; the next press must still
    # move along the radio group.
    page.keyboard.press("ArrowDown")
    expect(page).to_have_url(re.compile(rf"consultant={amelia.pk}&"))
    expect(radios.nth(1)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page).to_have_url(re.compile(rf"consultant={priya.pk}&"))
    expect(radios.nth(2)).to_be_checked()
    expect(radios.nth(2)).to_be_focused()
    page.wait_for_function(
        "document.getElementById('announcer').textContent"
        " === document.getElementById('week-heading').textContent.trim()"
    )
    assert page.console_errors == []


def test_details_with_a_mistyped_zone_keeps_the_slot_and_focuses_the_errors(
    live_server, page_factory, output_dir
):
    ConsultantFactory(display_name="Amelia Hart", hours=LONDON_OFFICE)
    start = selectors.availability_get().slots[0].start
    page = page_factory(width=390, height=844, timezone_id="Asia/Tokyo", locale="en-GB")
    page.goto(
        f"{live_server.url}/book/details/?start={format_start(start)}&tz=Asia/Tokyo"
    )
    expect(page.locator(".booking-summary__when")).to_have_text(when(start))

    page.get_by_label("Your name").fill("Haruki Tanaka")
    page.get_by_label("Email address").fill("haruki@example.jp")
    page.get_by_label("Your time zone").fill("Nowhere/Place")
    page.get_by_label("I agree that Consult keeps these details").check()
    page.get_by_role("button", name="Book this time").click()

    error_summary = page.locator(".error-summary")
    expect(error_summary).to_contain_text("We don't know that time zone.")
    expect(error_summary).to_be_focused()
    expect(error_summary).to_be_in_viewport()
    expect(page.locator(".booking-summary__when")).to_have_text(when(start))
    expect(page.get_by_label("Your time zone")).to_have_value("Nowhere/Place")
    page.screenshot(path=output_dir / "details-zone-error-phone.png", full_page=True)
    assert Booking.objects.count() == 0
