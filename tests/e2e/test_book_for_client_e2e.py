"""A consultant books a call for a client from the assessment page, on a phone and
on a desktop: a week of free times on both clocks, a confirmation, the booking."""

import pytest
from playwright.sync_api import expect

from advisor.services import assessment_submit
from bookings.models import Booking
from consult.models import OutboundEmail
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.helpers.admin_roles import consultant_create, staff_groups_create

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("active_price_book"),
]

PASSWORD = "a-long-consultant-password"


@pytest.mark.parametrize("width", [390, 1280])
def test_consultant_books_a_call_for_the_client_from_the_assessment(
    live_server, page_factory, output_dir, width
):
    staff_groups_create()
    priya = consultant_create(display_name="Priya Raman", timezone="Europe/Berlin")
    priya.user.username = "priya"
    priya.user.set_password(PASSWORD)
    priya.user.save()
    assessment = AssessmentFactory(
        company="Northwind Bank",
        contact_name="Ada Lovelace",
        contact_email="ada@northwind-bank.example.com",
        assigned_to=priya.user,
    )
    UseCaseFactory(assessment=assessment, name="Support summaries")
    assessment_submit(assessment=assessment)

    page = page_factory(width=width, height=900, timezone_id="Europe/Berlin")
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill("priya")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(live_server.url + f"/admin/advisor/assessment/{assessment.pk}/change/")
    page.get_by_role("link", name="Book a call for this client").click()
    expect(page.get_by_label("Consultant")).to_have_value(str(priya.pk))
    page.get_by_label("The client's time zone").fill("New York")
    page.get_by_role("button", name="Show free times").click()

    # The first day with free times is open; the others one tap away.
    times = page.locator('details[open] input[name="start"]')
    expect(times.first).to_be_visible()
    expect(page.locator('input[name="start"]:checked')).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=output_dir / f"1-week-{width}.png", full_page=True)
    label = page.locator("details[open] ul.move-times label").first.inner_text()
    times.first.check()
    page.get_by_role("button", name="Review the call").click()

    expect(
        page.get_by_role("heading", name="Book this call for Ada Lovelace?")
    ).to_be_visible()
    expect(page.locator(".move-confirm")).to_contain_text("(America/New_York)")
    expect(
        page.get_by_label("Topic, as the consultant and the client see it")
    ).to_contain_text("My assessment recommends")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=output_dir / f"2-confirm-{width}.png", full_page=True)
    page.get_by_role("button", name="Book and email the client").click()

    expect(page.locator(".messagelist")).to_contain_text("Booked with Priya Raman")
    expect(page.locator(".prep-bookings")).to_contain_text("Priya Raman")
    page.screenshot(path=output_dir / f"3-booked-{width}.png", full_page=True)
    booking = Booking.objects.get()
    assert booking.assessment_id == assessment.pk
    assert booking.client_timezone == "America/New_York"
    assert (
        label.split(" · ")[0].strip() == f"{booking.start.astimezone(priya.zone):%H:%M}"
    )
    assert OutboundEmail.objects.filter(
        kind="booking_confirmation", to="ada@northwind-bank.example.com"
    ).exists()
    assert page.console_errors == []
