"""The bookings list and booking page in the admin: times in the consultant's zone,
order and filters, what may not be added or deleted, and the one booking policy."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin as django_admin
from django.utils import timezone

from bookings.enums import BookingStatus
from bookings.models import Booking
from tests.factories.bookings import (
    BookingFactory,
    BookingPolicyFactory,
    ConsultantFactory,
    StaffUserFactory,
)
from tests.helpers.booking_admin import CHANGELIST

pytestmark = pytest.mark.django_db


def test_booking_list_shows_upcoming_times_in_the_consultants_zone(admin_client):
    booking = BookingFactory(consultant__timezone="Asia/Kolkata")

    response = admin_client.get("/admin/bookings/booking/")

    local = booking.start.astimezone(booking.consultant.zone)
    assert response.status_code == 200
    assert f"{local:%a %d %b %Y %H:%M} (Asia/Kolkata)" in response.content.decode()


def test_booking_list_puts_upcoming_calls_first_then_past_ones_latest_first(
    admin_client,
):
    now = timezone.now()
    consultant = ConsultantFactory()
    long_ago = BookingFactory(
        consultant=consultant,
        start=now - timedelta(days=9),
        status=BookingStatus.COMPLETED,
    )
    later = BookingFactory(consultant=consultant, start=now + timedelta(days=5))
    yesterday = BookingFactory(
        consultant=consultant,
        start=now - timedelta(days=1),
        status=BookingStatus.COMPLETED,
    )
    soon = BookingFactory(consultant=consultant, start=now + timedelta(days=1))

    everything = admin_client.get(CHANGELIST).context["cl"].result_list
    upcoming = admin_client.get(CHANGELIST + "?when=upcoming").context["cl"]
    past = admin_client.get(CHANGELIST + "?when=past").context["cl"]

    assert list(everything) == [soon, later, yesterday, long_ago]
    assert list(upcoming.result_list) == [soon, later]
    assert list(past.result_list) == [yesterday, long_ago]


def test_booking_list_filters_by_a_date_range(admin_client):
    consultant = ConsultantFactory()
    first = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    BookingFactory(consultant=consultant, start=first)
    inside = BookingFactory(consultant=consultant, start=first + timedelta(days=2))
    BookingFactory(consultant=consultant, start=first + timedelta(days=5))

    response = admin_client.get(
        CHANGELIST + "?start__date__gte=2027-03-02&start__date__lte=2027-03-04"
    )
    open_ended = admin_client.get(
        CHANGELIST + "?start__date__gte=2027-03-05&start__date__lte="
    )

    html = response.content.decode()
    assert list(response.context["cl"].result_list) == [inside]
    assert 'name="start__date__gte" value="2027-03-02"' in html
    assert open_ended.context["cl"].result_count == 1


def test_booking_times_in_the_repeated_autumn_hour_say_which_one():
    booking_admin = django_admin.site._registry[Booking]
    # New York's clocks go back at 06:00 UTC on 7 November 2027: 01:30 happens twice.
    first, second = (
        BookingFactory(
            start=datetime(2027, 11, 7, hour, 30, tzinfo=UTC),
            consultant__timezone="America/New_York",
            client_timezone="America/New_York",
        )
        for hour in (5, 6)
    )

    assert [booking_admin.client_time(b) for b in (first, second)] == [
        "Sun 07 Nov 2027 01:30 EDT (America/New_York)",
        "Sun 07 Nov 2027 01:30 EST (America/New_York)",
    ]
    assert "01:30 EDT (America/New_York)</time>" in booking_admin.when(first)


def test_bookings_cannot_be_deleted_while_confirmed(admin_client):
    booking = BookingFactory()
    done = BookingFactory(status=BookingStatus.COMPLETED)

    assert (
        admin_client.get(f"/admin/bookings/booking/{booking.pk}/delete/").status_code
        == 403
    )
    assert (
        admin_client.get(f"/admin/bookings/booking/{done.pk}/delete/").status_code
        == 200
    )


def test_bookings_cannot_be_added_in_the_admin(admin_client):
    assert admin_client.get("/admin/bookings/booking/add/").status_code == 403


def test_booking_policy_has_one_row_in_the_admin(admin_client):
    BookingPolicyFactory()

    assert admin_client.get("/admin/bookings/bookingpolicy/add/").status_code == 403
    assert (
        admin_client.get("/admin/bookings/bookingpolicy/1/change/").status_code == 200
    )
    assert Booking.objects.count() == 0
    assert StaffUserFactory._meta.model.objects.filter(is_superuser=True).count() == 1
