"""Migration 0012: bookings made before the client's clock was kept get their zone's
country's clock."""

from datetime import timedelta

import pytest
from django.utils import timezone

BEFORE = [("bookings", "0012_rooms_booking_room")]
AFTER = [("bookings", "0013_booking_hour12")]


@pytest.mark.django_db(transaction=True)
def test_old_bookings_take_their_zones_clock(migrate):
    apps = migrate(BEFORE)
    user = apps.get_model("auth", "User").objects.create(username="amelia")
    consultant = apps.get_model("bookings", "Consultant").objects.create(
        user=user, display_name="Amelia", timezone="Europe/London"
    )
    start = timezone.now() + timedelta(days=2)
    for hours, zone in enumerate(
        ("America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata", "UTC")
    ):
        at = start + timedelta(hours=hours)
        apps.get_model("bookings", "Booking").objects.create(
            consultant=consultant,
            name="Grace",
            email=f"grace{hours}@example.com",
            email_key=f"grace{hours}@example.com",
            client_timezone=zone,
            start=at,
            end=at + timedelta(minutes=30),
            blocked_start=at,
            blocked_end=at + timedelta(minutes=30),
        )

    apps = migrate(AFTER)

    clocks = dict(
        apps.get_model("bookings", "Booking").objects.values_list(
            "client_timezone", "hour12"
        )
    )
    assert clocks == {
        "America/Los_Angeles": True,
        "Europe/Berlin": False,
        "Asia/Kolkata": True,
        "UTC": False,
    }
