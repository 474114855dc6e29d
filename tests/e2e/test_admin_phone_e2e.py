"""The consultant's working day on a phone: the admin at 390 px never scrolls
sideways, from the dashboard to a booking's notes and emails and the prep sheet."""

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
WIDTH = 390


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_consultant_admin_on_a_phone_never_scrolls_sideways(
    live_server, page_factory, output_dir
):
    staff_groups_create()
    priya = consultant_create(display_name="Priya Raman", timezone="Asia/Kolkata")
    priya.user.username = "priya"
    priya.user.set_password(PASSWORD)
    priya.user.save()
    now = timezone.now().replace(second=0, microsecond=0)
    assessment = AssessmentFactory(
        company="Northwind Bank", contact_name="Ada Lovelace"
    )
    UseCaseFactory(assessment=assessment, name="Support summaries")
    assessment_submit(assessment=assessment)
    upcoming = BookingFactory(
        consultant=priya,
        assessment=assessment,
        name="Ada Lovelace",
        company="Northwind Bank",
        email="ada.lovelace.with.a.long.address@northwind-bank.example.com",
        start=now + timedelta(days=1),
    )
    for hours in (2, 26, 50):
        BookingFactory(
            consultant=priya,
            name="Grace Hopper",
            company="Compilers Incorporated International",
            start=now - timedelta(hours=hours),
            status=BookingStatus.AWAITING_OUTCOME,
        )

    page = page_factory(width=WIDTH, height=844, timezone_id="Asia/Kolkata")
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill("priya")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Awaiting an outcome")).to_be_visible()
    no_sideways_scroll(page)
    page.screenshot(path=output_dir / "1-dashboard-390.png", full_page=True)

    page.goto(live_server.url + "/admin/bookings/booking/")
    expect(page.locator("#result_list")).to_contain_text("Ada Lovelace")
    no_sideways_scroll(page)
    # The filters come first on a phone, folded; one tap opens them.
    expect(page.locator("#changelist-filter")).to_be_in_viewport()
    page.locator("#changelist-filter summary").first.click()
    expect(page.get_by_role("link", name="Upcoming")).to_be_visible()
    page.screenshot(path=output_dir / "2-bookings-390.png", full_page=True)

    page.goto(live_server.url + f"/admin/bookings/booking/{upcoming.pk}/change/")
    page.get_by_label("Add a note").fill("Bring the GPU cost sheet.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#notes")).to_contain_text("Bring the GPU cost sheet.")
    expect(page.locator("#emails")).to_be_visible()
    no_sideways_scroll(page)
    page.screenshot(path=output_dir / "3-booking-390.png", full_page=True)

    # Moving the call: a day at a time, both clocks, nothing chosen, then a check.
    page.goto(live_server.url + f"/admin/bookings/booking/{upcoming.pk}/move/")
    expect(page.locator("input[name=start]:checked")).to_have_count(0)
    no_sideways_scroll(page)
    page.screenshot(path=output_dir / "4-move-390.png", full_page=True)
    page.locator("details.move-day[open] input[name=start]").first.check()
    page.get_by_role("button", name="Review the move").click()
    expect(
        page.get_by_role("heading", name="Move the call to this time?")
    ).to_be_visible()
    no_sideways_scroll(page)
    page.get_by_role("button", name="Move and email the client").click()
    expect(page.locator(".messagelist")).to_contain_text("the client is told by email")
    upcoming.refresh_from_db()
    assert upcoming.sequence == 1

    page.goto(live_server.url + f"/admin/advisor/assessment/{assessment.pk}/change/")
    expect(page.locator("#notes")).to_contain_text("Bring the GPU cost sheet.")
    no_sideways_scroll(page)
    page.screenshot(path=output_dir / "5-prep-sheet-390.png", full_page=True)
    assert page.console_errors == []
