"""PostgreSQL: handovers racing each other and new bookings never leave a consultant
with two calls at once, never deadlock, and say "try again" past the lock timeout."""

import threading
from collections import Counter
from datetime import UTC, datetime, time

import psycopg
import pytest
from django.db import connection

from bookings import services
from bookings.enums import BookingStatus
from bookings.models import Booking
from bookings.services import Handover, Outcome
from tests.factories.bookings import BookingFactory, ConsultantFactory, StaffUserFactory

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
TUESDAY_9 = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
OFFICE = {day: [(time(9, 0), time(17, 0))] for day in range(5)}

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def at_once(*jobs):
    """Run each job in its own thread and connection, all released together."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(n, job):
        try:
            barrier.wait()
            results[n] = job()
        except BaseException as error:  # noqa: BLE001 -- reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(n, job)) for n, job in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def hand(booking, to, by):
    return lambda: services.booking_reassign(
        booking=booking, to_consultant=to, by_user=by, now=NOW
    )


def overlapping_pairs(consultant) -> int:
    calls = list(
        Booking.objects.filter(consultant=consultant, status=BookingStatus.CONFIRMED)
    )
    return sum(
        a.start < b.end and b.start < a.end
        for i, a in enumerate(calls)
        for b in calls[i + 1 :]
    )


def test_two_calls_at_one_time_handed_to_one_colleague_at_once_only_one_lands():
    by = StaffUserFactory()
    target = ConsultantFactory(hours=OFFICE)
    first = BookingFactory(consultant=ConsultantFactory(hours=OFFICE), start=TUESDAY_9)
    second = BookingFactory(consultant=ConsultantFactory(hours=OFFICE), start=TUESDAY_9)

    results = at_once(hand(first, target, by), hand(second, target, by))

    assert Counter(r.outcome for r in results) == Counter(
        {Handover.REASSIGNED: 1, Handover.REFUSED: 1}
    )
    assert Booking.objects.filter(consultant=target).count() == 1
    assert overlapping_pairs(target) == 0


def test_a_handover_and_a_new_booking_for_the_same_time_never_both_land():
    by = StaffUserFactory()
    target = ConsultantFactory(hours=OFFICE)
    handed = BookingFactory(consultant=ConsultantFactory(hours=OFFICE), start=TUESDAY_9)

    handover, booked = at_once(
        hand(handed, target, by),
        lambda: services.booking_create(
            start=TUESDAY_9,
            consultant=target,
            name="Ada",
            email="ada@example.com",
            consent=True,
            now=NOW,
        ),
    )

    assert {handover.outcome, booked.outcome} in (
        {Handover.REASSIGNED, Outcome.SLOT_TAKEN},
        {Handover.REFUSED, Outcome.CREATED},
    )
    assert Booking.objects.filter(consultant=target).count() == 1
    assert overlapping_pairs(target) == 0


def test_handovers_in_opposite_directions_at_once_do_not_deadlock():
    by = StaffUserFactory()
    amelia = ConsultantFactory(hours=OFFICE)
    bo = ConsultantFactory(hours=OFFICE)
    hers = BookingFactory(consultant=amelia, start=TUESDAY_9)
    his = BookingFactory(consultant=bo, start=TUESDAY_9.replace(hour=14))

    results = at_once(hand(hers, bo, by), hand(his, amelia, by))

    # Both consultants are locked in id order by each: one waits, none deadlocks.
    assert [r.outcome for r in results] == [Handover.REASSIGNED, Handover.REASSIGNED]
    assert Booking.objects.get(pk=hers.pk).consultant == bo
    assert Booking.objects.get(pk=his.pk).consultant == amelia


def test_a_handover_waits_for_locked_rows_only_until_the_timeout(settings):
    settings.BOOKING_LOCK_TIMEOUT_MS = 300
    target = ConsultantFactory(hours=OFFICE)
    booking = BookingFactory(
        consultant=ConsultantFactory(hours=OFFICE), start=TUESDAY_9
    )
    params = connection.settings_dict
    with psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"],
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
    ) as other:
        other.execute(
            "SELECT id FROM bookings_consultant WHERE id = %s FOR UPDATE", [target.pk]
        )
        result = services.booking_reassign(
            booking=booking, to_consultant=target, by_user=StaffUserFactory(), now=NOW
        )
        other.rollback()

    assert result.outcome == Handover.BUSY
    assert result.message == (
        "Someone else is changing these consultants' calls just now. Try again."
    )
    assert Booking.objects.get(pk=booking.pk).consultant_id == booking.consultant_id


def test_when_the_check_is_overtaken_the_constraint_refuses_with_a_message(
    monkeypatch,
):
    # Stands in for a check that missed the colleague's call: only the exclusion
    # constraint is left to refuse the overlap.
    monkeypatch.setattr(
        "bookings.conflicts.handover_fit",
        lambda *, consultants, **_: {c.pk: "" for c in consultants},
    )
    target = ConsultantFactory(hours=OFFICE, display_name="Bo Chen")
    BookingFactory(consultant=target, start=TUESDAY_9)
    booking = BookingFactory(
        consultant=ConsultantFactory(hours=OFFICE), start=TUESDAY_9
    )

    result = services.booking_reassign(
        booking=booking, to_consultant=target, by_user=StaffUserFactory(), now=NOW
    )

    assert result.outcome == Handover.REFUSED
    assert result.message == "Bo Chen has another call at that time."
    assert Booking.objects.get(pk=booking.pk).consultant_id == booking.consultant_id
    assert not Booking.objects.get(pk=booking.pk).notes.exists()
