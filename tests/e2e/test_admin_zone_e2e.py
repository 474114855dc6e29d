"""A manager who is not a consultant reads the admin on their browser's clock: the zone
goes with the sign-in form."""

from datetime import UTC, datetime

import pytest

from tests.factories.bookings import BookingFactory
from tests.helpers.admin_roles import (
    consultant_create,
    manager_create,
    staff_groups_create,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-manager-password"


def test_a_manager_signs_in_and_reads_times_in_the_browsers_zone(
    live_server, page_factory
):
    staff_groups_create()
    booking = BookingFactory(
        consultant=consultant_create(timezone="Asia/Kolkata"),
        start=datetime(2030, 1, 7, 9, 0, tzinfo=UTC),
    )
    manager = manager_create(username="morgan")
    manager.set_password(PASSWORD)
    manager.save()
    page = page_factory(timezone_id="America/Chicago")

    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "morgan")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/admin/bookings/booking/{booking.pk}/change/")

    # 09:00 UTC is 03:00 in Chicago in January.
    assert "Mon 07 Jan 2030 03:00 (America/Chicago)" in page.content()
    assert page.console_errors == []
