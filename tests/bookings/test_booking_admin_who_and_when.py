"""Who cancelled, said as the reader knows them ("you", or a name, never just
"staff"), and the booking's heading in the same time and format as its page."""

from datetime import UTC, datetime

import pytest

from bookings.enums import BookingStatus
from consult.models import OutboundEmail
from tests.factories.bookings import BookingFactory
from tests.helpers.admin_roles import consultant_create, manager_create
from tests.helpers.booking_admin import CHANGELIST, change_url

pytestmark = pytest.mark.django_db


def cancel_as(client, booking):
    return client.post(
        CHANGELIST,
        {
            "action": "cancel_bookings",
            "_selected_action": [booking.pk],
            "index": "0",
            "confirm": "yes",
            "reason": "Ill today, sorry.",
        },
    )


def test_a_consultants_own_cancellation_says_by_you(client):
    priya = consultant_create(
        user__username="priya", user__first_name="Priya", user__last_name="Raman"
    )
    booking = BookingFactory(consultant=priya)
    client.force_login(priya.user)

    cancel_as(client, booking)

    booking.refresh_from_db()
    html = client.get(change_url(booking)).content.decode()
    email = OutboundEmail.objects.get(kind="booking_consultant_cancelled")
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancelled_by_user == priya.user
    assert '<div class="readonly">You</div>' in html
    assert "You cancelled this consultation in the admin." in email.body_text
    assert "by staff" not in email.body_text


def test_a_managers_cancellation_names_them(client):
    priya = consultant_create()
    booking = BookingFactory(consultant=priya)
    manager = manager_create()
    manager.first_name, manager.last_name = "Mara", "Okafor"
    manager.save()
    client.force_login(manager)

    cancel_as(client, booking)

    client.force_login(priya.user)
    html = client.get(change_url(booking)).content.decode()
    email = OutboundEmail.objects.get(kind="booking_consultant_cancelled")
    assert '<div class="readonly">Mara Okafor</div>' in html
    assert "Mara Okafor cancelled a consultation with you." in email.body_text


def test_booking_heading_and_times_are_in_the_viewers_zone_in_one_format(client):
    mine = consultant_create(timezone="Asia/Kolkata", display_name="Priya Raman")
    booking = BookingFactory(
        consultant=mine, name="Ada", start=datetime(2030, 12, 8, 7, 0, tzinfo=UTC)
    )
    client.force_login(mine.user)

    html = client.get(change_url(booking)).content.decode()

    label = "Sun 08 Dec 2030 12:30 (Asia/Kolkata)"
    assert f"<h2>Ada with Priya Raman, {label}</h2>" in html
    assert f">{label}</time>" in html
