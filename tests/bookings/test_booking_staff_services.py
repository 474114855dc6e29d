"""Staff booking and moving calls outside the usual rules: the same locking and
constraints as any booking, the reason kept in the call's notes."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from bookings import services
from bookings.models import Booking, BookingNote
from bookings.services import Outcome, StaffBooking
from consult.enums import NoteKind
from consult.models import OutboundEmail
from tests.factories.bookings import (
    BookingFactory,
    BookingPolicyFactory,
    ConsultantFactory,
    StaffUserFactory,
)
from tests.helpers.booking_service import NOW, OFFICE, TUESDAY_9, create

pytestmark = pytest.mark.django_db

# Inside the 12 hours' notice, and before the office opens.
SOON = NOW + timedelta(hours=1)


def test_staff_books_outside_the_rules_without_buffers_and_signs_it():
    BookingPolicyFactory(buffer_before_minutes=15, buffer_after_minutes=15)
    consultant = ConsultantFactory(hours=OFFICE)
    staff = StaffUserFactory(username="lena")

    refused = create(consultant=consultant, start=SOON)
    result = create(
        consultant=consultant,
        start=SOON,
        staff=StaffBooking(by=staff, outside_rules_reason="Client is flying out"),
    )

    booking = result.booking
    note = BookingNote.objects.get(booking=booking)
    assert refused.outcome == Outcome.SLOT_TAKEN
    assert result.outcome == Outcome.CREATED
    assert (booking.blocked_start, booking.blocked_end) == (booking.start, booking.end)
    assert note.author == staff
    assert note.kind == NoteKind.STATUS
    assert note.text == (
        "Booked for the client by lena for Mon 01 Mar 2027 09:00 (Europe/London). "
        "Outside the usual rules: Client is flying out"
    )
    assert OutboundEmail.objects.filter(
        kind="booking_confirmation", to="grace@example.com"
    ).exists()


def test_staff_booking_outside_the_rules_needs_a_consultant():
    with pytest.raises(ValueError, match="needs a consultant"):
        create(
            start=SOON,
            staff=StaffBooking(by=StaffUserFactory(), outside_rules_reason="Asked"),
        )


def test_staff_booking_within_the_rules_is_signed_without_a_reason():
    consultant = ConsultantFactory(hours=OFFICE)

    result = create(
        consultant=consultant, staff=StaffBooking(by=StaffUserFactory(username="lena"))
    )

    assert result.booking.start == TUESDAY_9
    assert BookingNote.objects.get().text == (
        "Booked for the client by lena for Tue 02 Mar 2027 09:00 (Europe/London)."
    )


def test_move_by_staff_without_a_reason_is_refused_and_changes_nothing():
    booking = BookingFactory(start=TUESDAY_9)

    with pytest.raises(ValidationError):
        services.booking_move_by_staff(
            booking=booking,
            new_start=TUESDAY_9 + timedelta(hours=1),
            by=StaffUserFactory(),
            reason="   ",
            now=NOW,
        )

    booking.refresh_from_db()
    assert booking.sequence == 0


def test_move_by_staff_to_a_time_gone_is_too_late():
    booking = BookingFactory(start=TUESDAY_9)

    result = services.booking_move_by_staff(
        booking=booking,
        new_start=NOW - timedelta(minutes=30),
        by=StaffUserFactory(),
        reason="Asked",
        now=NOW,
    )

    assert result.outcome == Outcome.TOO_LATE
    assert not BookingNote.objects.exists()


def test_move_by_staff_outside_the_hours_moves_the_same_event():
    consultant = ConsultantFactory(hours=OFFICE)
    booking = BookingFactory(consultant=consultant, start=TUESDAY_9)
    evening = TUESDAY_9 + timedelta(hours=10)

    result = services.booking_move_by_staff(
        booking=booking,
        new_start=evening,
        by=StaffUserFactory(),
        reason="Only free after work",
        now=NOW,
    )

    moved = Booking.objects.get()
    assert result.outcome == Outcome.MOVED
    assert (moved.pk, moved.start, moved.sequence) == (booking.pk, evening, 1)
    assert OutboundEmail.objects.filter(kind="booking_moved").count() == 1


@pytest.mark.postgres
def test_staff_booking_outside_the_rules_onto_another_call_is_slot_taken():
    consultant = ConsultantFactory(hours=OFFICE)
    BookingFactory(consultant=consultant, start=SOON, email="other@example.com")

    result = create(
        consultant=consultant,
        start=SOON + timedelta(minutes=10),
        staff=StaffBooking(by=StaffUserFactory(), outside_rules_reason="Squeeze"),
    )

    assert result.outcome == Outcome.SLOT_TAKEN
    assert Booking.objects.count() == 1
    assert not BookingNote.objects.exists()
