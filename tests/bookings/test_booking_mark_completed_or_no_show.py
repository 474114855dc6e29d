"""Marking a call completed or a no-show: once it has begun, never once cancelled."""

from datetime import timedelta

import pytest

from bookings import services
from bookings.enums import BookingStatus
from tests.factories.bookings import BookingFactory
from tests.helpers.booking_admin import started
from tests.helpers.booking_service import NOW

pytestmark = pytest.mark.django_db


def test_booking_mark_completed_after_the_start_completes_it():
    booking = started()

    changed = services.booking_mark_completed(booking=booking, now=NOW)

    booking.refresh_from_db()
    assert changed is True
    assert booking.status == BookingStatus.COMPLETED
    assert booking.updated_at == NOW


def test_booking_mark_no_show_corrects_a_booking_marked_completed():
    booking = started(BookingStatus.COMPLETED)

    changed = services.booking_mark_no_show(booking=booking, now=NOW)

    booking.refresh_from_db()
    assert changed is True
    assert booking.status == BookingStatus.NO_SHOW


@pytest.mark.parametrize(
    "mark", [services.booking_mark_completed, services.booking_mark_no_show]
)
def test_booking_mark_refuses_a_cancelled_booking(mark):
    booking = started(BookingStatus.CANCELLED)

    assert mark(booking=booking, now=NOW) is False
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


@pytest.mark.parametrize(
    "mark", [services.booking_mark_completed, services.booking_mark_no_show]
)
def test_booking_mark_refuses_a_meeting_that_has_not_begun(mark):
    booking = BookingFactory(start=NOW + timedelta(minutes=5))

    assert mark(booking=booking, now=NOW) is False
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
