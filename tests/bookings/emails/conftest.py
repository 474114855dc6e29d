"""The emails a booking sends as it is made, moved, cancelled and re-sent.

Reminders are in ``tests/bookings/test_reminders.py``; the same emails on the
real stack in ``tests/bookings/test_booking_email_integration.py``."""

import pytest

from tests.factories.bookings import ConsultantFactory
from tests.helpers.booking_emails import MEET
from tests.helpers.booking_service import OFFICE


@pytest.fixture
def consultant():
    return ConsultantFactory(
        display_name="Amelia Hart",
        timezone="Europe/London",
        meeting_url=MEET,
        user__email="amelia@consult.example",
        hours=OFFICE,
    )
