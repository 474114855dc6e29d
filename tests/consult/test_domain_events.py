"""The signals the apps send for the floors above (webhooks, calendars): once per change,
inside the change's own transaction, carrying the row as it now is."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection

from advisor import events as advisor_events
from advisor.services import assessment_submit
from bookings import events as booking_events
from bookings import services
from bookings.enums import BookingStatus, CancelledBy
from privacy import events as privacy_events
from privacy.services import assessment_erase, booking_erase
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.factories.bookings import BookingFactory, ConsultantFactory
from tests.helpers.booking_service import NOW, OFFICE, TUESDAY_9, create

pytestmark = pytest.mark.django_db


@contextmanager
def received(signal):
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs | {"in_transaction": connection.in_atomic_block})

    signal.connect(receiver, weak=False)
    try:
        yield calls
    finally:
        signal.disconnect(receiver)


def test_booking_created_is_sent_once_inside_the_transaction():
    ConsultantFactory(hours=OFFICE)

    with received(booking_events.booking_created) as calls:
        result = create()
        create()  # the same address again: refused, nothing sent

    assert [call["booking"] for call in calls] == [result.booking]
    assert calls[0]["in_transaction"] is True
    assert calls[0]["now"] == NOW


def test_booking_rescheduled_carries_the_previous_time():
    ConsultantFactory(hours=OFFICE)
    booking = create().booking
    later = TUESDAY_9 + timedelta(hours=2)

    with received(booking_events.booking_rescheduled) as calls:
        services.booking_reschedule(booking=booking, new_start=later, now=NOW)

    assert len(calls) == 1
    assert calls[0]["booking"].start == later
    assert calls[0]["previous_start"] == TUESDAY_9
    assert calls[0]["in_transaction"] is True


def test_booking_cancelled_is_sent_once_however_often_cancel_is_asked():
    ConsultantFactory(hours=OFFICE)
    booking = create().booking

    with received(booking_events.booking_cancelled) as calls:
        services.booking_cancel(booking=booking, by=CancelledBy.CLIENT, now=NOW)
        services.booking_cancel(booking=booking, by=CancelledBy.CLIENT, now=NOW)

    assert [call["booking"].status for call in calls] == [BookingStatus.CANCELLED]


def test_booking_reassigned_is_sent_once_with_both_consultants_and_who_did_it():
    first = ConsultantFactory(hours=OFFICE)
    second = ConsultantFactory(hours=OFFICE)
    booking = create(consultant=first).booking
    staff = second.user

    with received(booking_events.booking_reassigned) as calls:
        services.booking_reassign(
            booking=booking, to_consultant=second, by_user=staff, reason="Ill", now=NOW
        )
        # Already theirs: nothing changes, nothing is sent.
        services.booking_reassign(
            booking=booking, to_consultant=second, by_user=staff, now=NOW
        )

    assert len(calls) == 1
    assert (calls[0]["booking"].consultant, calls[0]["booking"].sequence) == (second, 1)
    assert calls[0]["previous_consultant"] == first
    assert (calls[0]["by_user"], calls[0]["reason"]) == (staff, "Ill")
    assert calls[0]["in_transaction"] is True


def test_booking_outcome_recorded_says_which_outcome():
    booking = BookingFactory()
    after = booking.end + timedelta(minutes=5)

    with received(booking_events.booking_outcome_recorded) as calls:
        services.booking_mark_no_show(booking=booking, now=after)
        services.booking_mark_no_show(booking=booking, now=after)

    assert [call["booking"].status for call in calls] == [BookingStatus.NO_SHOW]


@pytest.mark.usefixtures("active_price_book")
def test_assessment_submitted_is_sent_once_with_its_recommendation():
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment)

    with received(advisor_events.assessment_submitted) as calls:
        recommendation = assessment_submit(assessment=assessment)
        assessment_submit(assessment=assessment)

    assert [call["recommendation"] for call in calls] == [recommendation]
    assert calls[0]["assessment"].submitted_at is not None
    assert calls[0]["in_transaction"] is True


@pytest.mark.usefixtures("active_price_book")
def test_client_erased_names_everything_erased_once():
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment)
    assessment_submit(assessment=assessment)
    booking = BookingFactory(assessment_ref=str(assessment.pk))
    other = BookingFactory()
    assessment_id = assessment.pk  # the instance forgets it once deleted

    with received(privacy_events.client_erased) as calls:
        assessment_erase(assessment=assessment)
        booking_erase(booking=other)

    assert [(c["assessment_ids"], c["booking_ids"]) for c in calls] == [
        ([assessment_id], [booking.pk]),
        ([], [other.pk]),
    ]
    assert all(call["in_transaction"] for call in calls)
