import pytest

from bookings import demo
from bookings.models import BookingPolicy, Consultant, WeeklyHours

pytestmark = pytest.mark.django_db


def test_demo_load_creates_four_consultants_in_four_zones_and_the_policy():
    lines = demo.load()

    assert sorted(Consultant.objects.values_list("timezone", flat=True)) == [
        "America/New_York",
        "Asia/Kolkata",
        "Europe/Berlin",
        "Europe/London",
    ]
    assert BookingPolicy.objects.count() == 1
    assert WeeklyHours.objects.count() == 40
    assert lines[0] == (
        "Booking policy: 30-minute calls, 12 h notice, 30 days ahead (created)"
    )
    assert all(c.user.is_staff for c in Consultant.objects.select_related("user"))
    assert not any(
        c.user.has_usable_password() for c in Consultant.objects.select_related("user")
    )


def test_demo_load_twice_changes_nothing():
    demo.load()
    before = list(Consultant.objects.values_list("pk", "display_name", "expertise"))

    lines = demo.load()

    assert (
        list(Consultant.objects.values_list("pk", "display_name", "expertise"))
        == before
    )
    assert WeeklyHours.objects.count() == 40
    assert lines[0] == "Booking policy: 30-minute calls, 12 h notice, 30 days ahead"
