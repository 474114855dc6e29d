from datetime import UTC, datetime, timedelta

import pytest

from bookings import services
from bookings.enums import BookingStatus, CancelledBy
from bookings.models import Booking
from bookings.services import AssessmentLink, Outcome
from bookings.tokens import token_hash
from tests.factories.bookings import (
    BookingFactory,
    BookingPolicyFactory,
    ConsultantFactory,
)
from tests.helpers.booking_service import NOW, OFFICE, TUESDAY_9, create

pytestmark = pytest.mark.django_db


def test_booking_create_with_a_named_consultant_stores_utc_times_and_a_hashed_token():
    consultant = ConsultantFactory(hours=OFFICE)

    result = create(consultant=consultant)

    booking = Booking.objects.get()
    assert result.outcome == Outcome.CREATED
    assert result.booking == booking
    assert booking.consultant == consultant
    assert booking.start == TUESDAY_9
    assert booking.end == TUESDAY_9 + timedelta(minutes=30)
    assert (booking.blocked_start, booking.blocked_end) == (booking.start, booking.end)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.sequence == 0
    assert booking.consented_at == NOW
    assert booking.client_timezone == "Asia/Tokyo"
    assert len(result.manage_token) == 43
    [link] = booking.links.all()
    assert (link.origin, link.token_hash) == ("booked", token_hash(result.manage_token))
    assert result.manage_token not in link.token_hash


def test_booking_create_stores_the_buffers_of_the_policy_at_booking_time():
    BookingPolicyFactory(buffer_before_minutes=10, buffer_after_minutes=15)
    ConsultantFactory(hours=OFFICE)

    booking = create().booking

    assert booking.blocked_start == TUESDAY_9 - timedelta(minutes=10)
    assert booking.blocked_end == TUESDAY_9 + timedelta(minutes=45)


def test_booking_create_refuses_without_consent():
    ConsultantFactory(hours=OFFICE)

    with pytest.raises(ValueError, match="consent"):
        create(consent=False)

    assert Booking.objects.count() == 0


def test_booking_create_taken_slot_offers_the_three_nearest_free_times():
    consultant = ConsultantFactory(hours=OFFICE)
    BookingFactory(consultant=consultant, start=TUESDAY_9 + timedelta(hours=1))

    result = create(start=TUESDAY_9 + timedelta(hours=1))

    assert result.outcome == Outcome.SLOT_TAKEN
    assert result.booking is None
    # 30 minutes either side, then the earlier of the two an hour away.
    assert [slot.start for slot in result.alternatives] == [
        TUESDAY_9,
        TUESDAY_9 + timedelta(minutes=30),
        TUESDAY_9 + timedelta(minutes=90),
    ]
    assert Booking.objects.count() == 1


def test_booking_create_outside_working_hours_is_refused():
    ConsultantFactory(hours=OFFICE)

    result = create(start=datetime(2027, 3, 2, 18, 0, tzinfo=UTC))

    assert result.outcome == Outcome.SLOT_TAKEN
    assert Booking.objects.count() == 0


def test_booking_create_within_minimum_notice_is_refused():
    ConsultantFactory(hours=OFFICE)

    result = create(start=datetime(2027, 3, 1, 16, 0, tzinfo=UTC))

    assert result.outcome == Outcome.SLOT_TAKEN


def test_booking_create_same_form_twice_returns_the_first_booking():
    ConsultantFactory(hours=OFFICE)

    first = create(idempotency_key="k" * 43)
    second = create(idempotency_key="k" * 43)

    assert first.outcome == Outcome.CREATED
    assert second.outcome == Outcome.DUPLICATE
    assert second.booking == first.booking
    assert second.manage_token == first.manage_token
    assert Booking.objects.count() == 1


def test_booking_create_one_active_booking_per_email_ignoring_case():
    ConsultantFactory(hours=OFFICE)
    create(email="grace@example.com")

    result = create(email="Grace@Example.COM", start=TUESDAY_9 + timedelta(hours=2))

    assert result.outcome == Outcome.EMAIL_HAS_BOOKING
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("grace@BÜCHER.example", "grace@BÜCHER.example"),
        ("grace@BÜCHER.example", "grace@bücher.example"),
        ("grace@Bücher.example", "grace@BÜCHER.example"),
    ],
)
def test_booking_create_one_active_booking_per_email_ignoring_non_ascii_case(
    first, second
):
    ConsultantFactory(hours=OFFICE)
    create(email=first)

    result = create(email=second, start=TUESDAY_9 + timedelta(hours=2))

    assert result.outcome == Outcome.EMAIL_HAS_BOOKING
    assert Booking.objects.get().email == "grace@bücher.example"


def test_booking_create_after_a_cancelled_booking_with_the_same_email_is_allowed():
    consultant = ConsultantFactory(hours=OFFICE)
    BookingFactory(
        consultant=consultant,
        email="grace@example.com",
        start=TUESDAY_9,
        status=BookingStatus.CANCELLED,
    )

    result = create(email="grace@example.com")

    assert result.outcome == Outcome.CREATED
    assert Booking.objects.count() == 2


def test_booking_create_after_a_past_unrecorded_call_leaves_its_outcome_to_staff():
    consultant = ConsultantFactory(hours=OFFICE)
    past = BookingFactory(
        consultant=consultant,
        email="grace@example.com",
        start=NOW - timedelta(days=7),
    )

    result = create(email="grace@example.com")

    past.refresh_from_db()
    assert result.outcome == Outcome.CREATED
    # Not "completed": nobody said it took place.
    assert past.status == BookingStatus.AWAITING_OUTCOME


def test_booking_create_any_consultant_prefers_expertise_matching_the_stack():
    ConsultantFactory(hours=OFFICE, expertise=["api"])
    tuner = ConsultantFactory(hours=OFFICE, expertise=["fine_tune"])

    result = create(assessment=AssessmentLink(reference="42", stack="fine_tune"))

    assert result.booking.consultant == tuner
    assert result.booking.stack == "fine_tune"
    assert result.booking.assessment_ref == "42"


def test_booking_create_any_consultant_then_prefers_fewest_calls_in_the_window():
    busy = ConsultantFactory(hours=OFFICE, expertise=["api"])
    quiet = ConsultantFactory(hours=OFFICE, expertise=["api"])
    # Two calls last week count against the busy one (a rolling window, not the
    # calendar week); the quiet one had one.
    BookingFactory(consultant=busy, start=datetime(2027, 2, 24, 10, 0, tzinfo=UTC))
    BookingFactory(consultant=busy, start=datetime(2027, 2, 25, 10, 0, tzinfo=UTC))
    BookingFactory(consultant=quiet, start=datetime(2027, 3, 3, 10, 0, tzinfo=UTC))

    result = create(assessment=AssessmentLink(reference="7", stack="api"))

    assert result.booking.consultant == quiet


def test_booking_create_any_consultant_counts_completed_calls_too():
    busy = ConsultantFactory(hours=OFFICE)
    quiet = ConsultantFactory(hours=OFFICE)
    for day in (22, 23):
        BookingFactory(
            consultant=busy,
            start=datetime(2027, 2, day, 10, 0, tzinfo=UTC),
            status=BookingStatus.COMPLETED,
        )

    result = create()

    assert result.booking.consultant == quiet


def test_booking_create_any_consultant_ties_take_turns():
    first = ConsultantFactory(hours=OFFICE)
    second = ConsultantFactory(hours=OFFICE)

    one = create(email="a@example.com")
    # The first call goes to the lowest id; cancelled, it no longer counts, and the
    # tie goes to the one who has waited longest for a booking.
    services.booking_cancel(
        booking=one.booking, reason="", by=CancelledBy.CLIENT, now=NOW
    )
    two = create(email="b@example.com")

    assert one.booking.consultant == first
    assert two.booking.consultant == second


def test_booking_create_any_consultant_skips_one_who_is_busy_then():
    taken = ConsultantFactory(hours=OFFICE, expertise=["api"])
    free = ConsultantFactory(hours=OFFICE)
    BookingFactory(consultant=taken, start=TUESDAY_9)

    result = create(assessment=AssessmentLink(reference="1", stack="api"))

    assert result.booking.consultant == free


def test_booking_create_hybrid_stack_matches_any_consultant_with_expertise():
    ConsultantFactory(hours=OFFICE)
    generalist = ConsultantFactory(hours=OFFICE, expertise=["classical_ml"])

    result = create(assessment=AssessmentLink(reference="1", stack="hybrid"))

    assert result.booking.consultant == generalist


def test_booking_create_respects_the_daily_cap_in_the_consultants_zone():
    BookingPolicyFactory(max_per_consultant_per_day=1)
    consultant = ConsultantFactory(hours=OFFICE)
    BookingFactory(consultant=consultant, start=TUESDAY_9 + timedelta(hours=4))

    result = create()

    assert result.outcome == Outcome.SLOT_TAKEN


def test_booking_create_inactive_consultant_gets_no_booking():
    consultant = ConsultantFactory(hours=OFFICE, is_active=False)

    result = create(consultant=consultant)

    assert result.outcome == Outcome.SLOT_TAKEN
    assert result.alternatives == ()


def test_booking_reschedule_moves_the_same_booking_and_raises_the_sequence():
    consultant = ConsultantFactory(hours=OFFICE)
    booking = create(consultant=consultant).booking
    new_start = TUESDAY_9 + timedelta(days=1, hours=2)

    result = services.booking_reschedule(booking=booking, new_start=new_start, now=NOW)

    assert result.outcome == Outcome.MOVED
    assert result.booking.pk == booking.pk
    assert result.booking.start == new_start
    assert result.booking.end == new_start + timedelta(minutes=30)
    assert result.booking.blocked_start == new_start
    assert result.booking.sequence == 1
    assert Booking.objects.count() == 1


def test_booking_reschedule_may_overlap_its_own_old_time():
    BookingPolicyFactory(slot_interval_minutes=15)
    ConsultantFactory(hours=OFFICE)
    booking = create().booking

    result = services.booking_reschedule(
        booking=booking, new_start=TUESDAY_9 + timedelta(minutes=15), now=NOW
    )

    assert result.outcome == Outcome.MOVED


def test_booking_reschedule_into_a_taken_slot_changes_nothing():
    consultant = ConsultantFactory(hours=OFFICE)
    booking = create(consultant=consultant).booking
    other = BookingFactory(consultant=consultant, start=TUESDAY_9 + timedelta(hours=3))

    result = services.booking_reschedule(
        booking=booking, new_start=other.start, now=NOW
    )

    booking.refresh_from_db()
    assert result.outcome == Outcome.SLOT_TAKEN
    assert len(result.alternatives) == 3
    assert booking.start == TUESDAY_9
    assert booking.sequence == 0


def test_booking_reschedule_into_a_taken_slot_offers_times_the_booking_frees():
    # Tuesday is at its cap only because of the booking being moved off it.
    BookingPolicyFactory(max_per_consultant_per_day=2)
    consultant = ConsultantFactory(hours=OFFICE)
    booking = create(consultant=consultant).booking
    other = BookingFactory(
        consultant=consultant, start=TUESDAY_9 + timedelta(minutes=30)
    )

    result = services.booking_reschedule(
        booking=booking, new_start=other.start, now=NOW
    )

    assert result.outcome == Outcome.SLOT_TAKEN
    assert [slot.start for slot in result.alternatives] == [
        TUESDAY_9 + timedelta(hours=1),
        TUESDAY_9 + timedelta(hours=1, minutes=30),
        TUESDAY_9 + timedelta(hours=2),
    ]


def test_booking_reschedule_to_the_same_time_changes_nothing():
    ConsultantFactory(hours=OFFICE)
    booking = create().booking

    result = services.booking_reschedule(booking=booking, new_start=TUESDAY_9, now=NOW)

    assert result.outcome == Outcome.UNCHANGED
    assert result.booking.sequence == 0


def test_booking_reschedule_of_a_cancelled_booking_is_refused():
    ConsultantFactory(hours=OFFICE)
    booking = create().booking
    services.booking_cancel(booking=booking, by=CancelledBy.CLIENT, now=NOW)

    result = services.booking_reschedule(
        booking=booking, new_start=TUESDAY_9 + timedelta(hours=1), now=NOW
    )

    assert result.outcome == Outcome.NOT_ACTIVE
    assert result.booking.start == TUESDAY_9
    assert result.booking.status == BookingStatus.CANCELLED


def test_booking_reschedule_after_the_meeting_started_is_refused():
    ConsultantFactory(hours=OFFICE)
    booking = create().booking

    result = services.booking_reschedule(
        booking=booking,
        new_start=TUESDAY_9 + timedelta(days=1),
        now=TUESDAY_9 + timedelta(minutes=5),
    )

    assert result.outcome == Outcome.TOO_LATE


def test_booking_cancel_is_a_compare_and_swap_and_the_second_is_a_no_op():
    ConsultantFactory(hours=OFFICE)
    booking = create().booking

    first = services.booking_cancel(
        booking=booking, reason=" Found an answer ", by=CancelledBy.CLIENT, now=NOW
    )
    second = services.booking_cancel(booking=booking, by=CancelledBy.CLIENT, now=NOW)

    booking.refresh_from_db()
    assert first.outcome == Outcome.CANCELLED
    assert second.outcome == Outcome.ALREADY_CANCELLED
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason == "Found an answer"
    assert booking.cancelled_by == CancelledBy.CLIENT
    assert booking.cancelled_at == NOW
    assert booking.sequence == 1


def test_booking_cancel_frees_the_slot_and_the_email():
    consultant = ConsultantFactory(hours=OFFICE)
    booking = create(consultant=consultant).booking
    services.booking_cancel(booking=booking, by=CancelledBy.CLIENT, now=NOW)

    again = create(consultant=consultant, idempotency_key="x" * 43)

    assert again.outcome == Outcome.CREATED
    assert again.booking.start == TUESDAY_9


def test_booking_cancel_by_the_client_after_the_start_is_refused():
    ConsultantFactory(hours=OFFICE)
    booking = create().booking

    result = services.booking_cancel(
        booking=booking, by=CancelledBy.CLIENT, now=TUESDAY_9 + timedelta(minutes=1)
    )

    assert result.outcome == Outcome.TOO_LATE
    assert result.booking.status == BookingStatus.CONFIRMED


def test_booking_cancel_by_staff_after_the_start_is_allowed():
    ConsultantFactory(hours=OFFICE)
    booking = create().booking

    result = services.booking_cancel(
        booking=booking, by=CancelledBy.STAFF, now=TUESDAY_9 + timedelta(minutes=1)
    )

    assert result.outcome == Outcome.CANCELLED
    assert result.booking.cancelled_by == CancelledBy.STAFF


def test_booking_cancel_of_a_completed_booking_is_refused():
    booking = BookingFactory(status=BookingStatus.COMPLETED)

    result = services.booking_cancel(booking=booking, by=CancelledBy.STAFF)

    assert result.outcome == Outcome.NOT_ACTIVE
    assert result.booking.status == BookingStatus.COMPLETED
