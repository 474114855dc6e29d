"""A consultant's morning in the admin, in Chromium."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone
from playwright.sync_api import expect

from advisor.models import Assessment
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


def prepared_assessment() -> Assessment:
    assessment = AssessmentFactory(
        company="Northwind Bank", contact_name="Ada Lovelace", industry="retail"
    )
    UseCaseFactory(assessment=assessment, name="Support summaries")
    UseCaseFactory(assessment=assessment, name="Card fraud", task="fraud_detection")
    assessment_submit(assessment=assessment)
    return assessment


def test_consultant_filters_their_calls_prepares_and_marks_one_completed(
    live_server, page_factory, output_dir
):
    # The browser tests empty the database between tests; the groups come back here.
    staff_groups_create()
    amelia = consultant_create(display_name="Amelia Hart", timezone="Europe/London")
    amelia.user.username = "amelia"
    amelia.user.set_password(PASSWORD)
    amelia.user.save()
    now = timezone.now().replace(second=0, microsecond=0)
    assessment = prepared_assessment()
    tomorrow = BookingFactory(
        consultant=amelia,
        assessment=assessment,
        name="Ada Lovelace",
        company="Northwind Bank",
        start=now + timedelta(days=1),
    )
    in_progress = BookingFactory(
        consultant=amelia,
        name="Grace Hopper",
        company="Compilers Inc",
        start=now - timedelta(minutes=10),
    )
    BookingFactory(
        consultant=amelia,
        name="Last Week",
        start=now - timedelta(days=7),
        status=BookingStatus.COMPLETED,
    )
    BookingFactory(consultant=consultant_create(), name="Someone Else's Client")

    page = page_factory()
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill("amelia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Your upcoming calls")).to_be_visible()
    expect(page.locator("#dashboard")).to_contain_text("Ada Lovelace, Northwind Bank")
    page.screenshot(path=output_dir / "1-dashboard.png", full_page=True)

    # Their upcoming calls: someone else's and last week's stay out.
    page.locator("#bookings-booking").get_by_role("link", name="Bookings").click()
    page.locator("#changelist-filter").get_by_role("link", name="Upcoming").click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Grace Hopper")
    expect(rows.nth(1)).to_contain_text("Ada Lovelace")
    expect(page.locator("#result_list")).not_to_contain_text("Someone Else")
    expect(page.locator("#result_list")).not_to_contain_text("Last Week")
    page.screenshot(path=output_dir / "2-upcoming-bookings.png", full_page=True)

    # The linked assessment, one click away; a note and a status.
    rows.nth(1).get_by_role("link", name="Prep sheet").click()
    expect(page.get_by_role("heading", name="Use case 2: Card fraud")).to_be_visible()
    expect(page.locator(".prep-overview")).to_contain_text("Hybrid")
    expect(page.locator(".prep-bookings")).to_contain_text("with Amelia Hart")
    page.screenshot(path=output_dir / "3-prep-sheet.png", full_page=True)
    page.get_by_label("Review status").select_option("contacted")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.get_by_label("Add a note").fill("Start with the support summaries.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".messagelist")).to_contain_text("Note added.")
    expect(page.locator("#notes")).to_contain_text("Start with the support summaries.")
    expect(page.locator("#notes")).to_contain_text("Review status: New → Contacted")
    assessment.refresh_from_db()
    assert list(assessment.notes.values_list("kind", "text")) == [
        ("status", "Review status: New → Contacted"),
        ("note", "Start with the support summaries."),
    ]
    assert assessment.review_status == "contacted"

    # Back to the calls: the one in progress is done.
    page.goto(live_server.url + "/admin/bookings/booking/?when=upcoming")
    page.locator("#result_list tbody tr").filter(has_text="Grace Hopper").locator(
        "input.action-select"
    ).check()
    page.locator("select[name=action]").first.select_option("mark_completed")
    page.get_by_role("button", name="Run").first.click()
    expect(page.locator(".messagelist")).to_contain_text(
        "Marked 1 booking(s) completed."
    )
    page.screenshot(path=output_dir / "4-marked-completed.png", full_page=True)

    in_progress.refresh_from_db()
    tomorrow.refresh_from_db()
    assert in_progress.status == BookingStatus.COMPLETED
    assert tomorrow.status == BookingStatus.CONFIRMED
    assert list(
        LogEntry.objects.filter(user=amelia.user)
        .order_by("pk")
        .values_list("object_repr", flat=True)
    ) == ["Northwind Bank", "Northwind Bank", in_zone(in_progress, amelia.timezone)]
    assert page.console_errors == []


def in_zone(booking, zone: str) -> str:
    """The booking's name as the admin wrote it for a viewer in ``zone``."""
    with timezone.override(zone):
        return str(booking)
