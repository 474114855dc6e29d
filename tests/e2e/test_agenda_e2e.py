"""Today and tomorrow, and the bookings list, on a phone and on a desk: nothing scrolls
sideways, the call links are there, and the list's filters are near the top."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from advisor.services import assessment_submit
from bookings.enums import BookingStatus
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.factories.bookings import BookingFactory
from tests.helpers.admin_roles import consultant_create, staff_groups_create

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("active_price_book"),
]

PASSWORD = "a-long-consultant-password"
TEMPLATE = "https://meet.jit.si/consult-{room}"
# The filters must be reachable without scrolling through the list first.
FILTER_TOP_MAX = 600


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("width", [390, 1280])
def test_agenda_and_bookings_list_fit_the_screen(
    live_server, page_factory, output_dir, settings, width
):
    settings.MEETING_URL_TEMPLATE = TEMPLATE
    staff_groups_create()
    priya = consultant_create(display_name="Priya Raman", timezone="Asia/Kolkata")
    priya.user.username = "priya"
    priya.user.set_password(PASSWORD)
    priya.user.save()
    assessment = AssessmentFactory(company="Northwind Bank", contact_name="Ada")
    UseCaseFactory(assessment=assessment, name="Support summaries")
    assessment_submit(assessment=assessment)
    now = timezone.now().replace(second=0, microsecond=0)
    soon = BookingFactory(
        consultant=priya,
        assessment=assessment,
        stack="hybrid",
        name="Ada Lovelace",
        company="Northwind Bank International Holdings",
        email="ada.lovelace.with.a.long.address@northwind-bank.example.com",
        topic="Summarising support tickets and routing them to the right team. " * 3,
        start=now + timedelta(minutes=40),
    )
    BookingFactory(
        consultant=priya,
        name="Grace Hopper",
        company="Compilers Incorporated International",
        start=now - timedelta(minutes=90),
        status=BookingStatus.AWAITING_OUTCOME,
    )
    for hours in (3, 20, 26, 40):
        BookingFactory(
            consultant=priya,
            name="Katherine Johnson",
            company="Trajectories Limited",
            start=now + timedelta(hours=hours),
        )

    page = page_factory(width=width, height=844, timezone_id="Asia/Kolkata")
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill("priya")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Today and tomorrow").first.click()
    expect(page.get_by_role("heading", name="Today", exact=False).first).to_be_visible()
    room = TEMPLATE.replace("{room}", soon.room)
    expect(page.locator(f'a[href="{room}"]')).to_have_text("Join the call")
    expect(page.get_by_role("link", name="Record outcome")).to_be_visible()
    expect(page.get_by_role("link", name="Prep sheet").first).to_have_attribute(
        "href", f"/admin/advisor/assessment/{assessment.pk}/change/"
    )
    assert scroll_width(page) <= width
    page.screenshot(path=output_dir / f"agenda-{width}.png", full_page=True)

    page.goto(live_server.url + "/admin/bookings/booking/")
    expect(page.locator("#result_list")).to_contain_text("Ada Lovelace")
    assert scroll_width(page) <= width
    filters = page.locator("#changelist-filter")
    top = filters.evaluate("e => e.getBoundingClientRect().top + window.scrollY")
    assert top <= FILTER_TOP_MAX
    # Every column of every row is on screen, not cut off at the edge.
    cells = page.locator("#result_list tbody td, #result_list tbody th")
    rights = cells.evaluate_all("cs => cs.map(c => c.getBoundingClientRect().right)")
    assert max(rights) <= width
    if width == 390:
        # Folded on a phone; one tap opens it.
        expect(page.get_by_role("link", name="Upcoming")).to_be_hidden()
        filters.locator("summary").first.click()
    page.get_by_role("link", name="Upcoming").click()
    expect(page.locator("#result_list")).not_to_contain_text("Grace Hopper")
    panel = page.locator("#changelist-filter details.filter-panel")
    if width == 390:
        # Folded again, saying a filter is in use, so the rows come first.
        expect(panel).not_to_have_attribute("open", "")
        expect(panel.locator("> summary")).to_contain_text("(in use)")
    else:
        expect(panel).to_have_attribute("open", "")
    assert scroll_width(page) <= width
    page.screenshot(path=output_dir / f"bookings-{width}.png", full_page=True)
    assert page.console_errors == []
