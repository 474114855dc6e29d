"""A consultant hands a call to a colleague from the booking's page, on a phone: the
free colleagues to pick, the busy ones with why, a check, then everyone told."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking
from consult.models import OutboundEmail
from tests.factories.bookings import BookingFactory, TimeOffFactory
from tests.helpers.admin_roles import consultant_create, staff_groups_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-consultant-password"
WIDTH = 390


def test_consultant_hands_a_call_to_a_free_colleague_on_a_phone(
    live_server, page_factory, output_dir
):
    staff_groups_create()
    priya = consultant_create(display_name="Priya Raman", timezone="Asia/Kolkata")
    priya.user.username = "priya"
    priya.user.set_password(PASSWORD)
    priya.user.save()
    bo = consultant_create(display_name="Bo Chen", timezone="Europe/Berlin")
    cleo = consultant_create(display_name="Cleo Diaz")
    start = (timezone.now() + timedelta(days=2)).replace(
        minute=0, second=0, microsecond=0
    )
    booking = BookingFactory(consultant=priya, name="Ada Lovelace", start=start)
    TimeOffFactory(
        consultant=cleo,
        start=start - timedelta(hours=1),
        end=start + timedelta(hours=2),
    )

    page = page_factory(width=WIDTH, height=844, timezone_id="Asia/Kolkata")
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill("priya")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(live_server.url + f"/admin/bookings/booking/{booking.pk}/change/")
    page.get_by_role("link", name="Hand to a colleague").click()
    expect(page.locator(".handover-busy")).to_contain_text(
        "Cleo Diaz: during time off (Holiday)"
    )
    expect(page.locator("input[name=consultant]:checked")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    page.screenshot(path=output_dir / "1-handover-390.png", full_page=True)

    page.get_by_label("Bo Chen").check()
    page.get_by_label("Reason (optional)").fill("Priya is at a conference.")
    page.get_by_role("button", name="Review the handover").click()
    expect(
        page.get_by_role("heading", name="Hand the call to Bo Chen?")
    ).to_be_visible()
    page.get_by_role("button", name="Hand over and email everyone").click()

    expect(page.locator(".messagelist")).to_contain_text("The call is now Bo Chen's")
    assert Booking.objects.get(pk=booking.pk).consultant == bo
    assert set(
        OutboundEmail.objects.filter(related_id=str(booking.pk)).values_list(
            "kind", flat=True
        )
    ) == {
        "booking_reassigned",
        "booking_consultant_new",
        "booking_consultant_handed_over",
    }
    assert page.console_errors == []
