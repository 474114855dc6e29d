"""PostgreSQL: the database, not the re-check, is what keeps bookings apart."""

import threading
from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from bookings import services
from bookings.enums import BookingStatus
from bookings.models import Booking, Consultant
from bookings.services import Outcome
from tests.factories.bookings import BookingFactory, ConsultantFactory

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
TUESDAY_9 = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
OFFICE = {day: [(time(9, 0), time(17, 0))] for day in range(5)}
CLIENTS = 20


def everyone_free(consultants, **_):
    # Stands in for the re-check, so only the constraint is left to refuse.
    return list(consultants)


def book_at_once(*, consultant=None) -> Counter:
    """CLIENTS threads call booking_create for TUESDAY_9 at the same moment."""
    barrier = threading.Barrier(CLIENTS)
    outcomes: list[Outcome] = []
    errors: list[BaseException] = []

    def client(n: int) -> None:
        try:
            barrier.wait()
            result = services.booking_create(
                start=TUESDAY_9,
                consultant=consultant,
                name=f"Client {n}",
                email=f"client{n}@example.com",
                client_timezone="Asia/Tokyo",
                consent=True,
                now=NOW,
            )
            outcomes.append(result.outcome)
        except BaseException as error:  # noqa: BLE001 -- reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return Counter(outcomes)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_clients_booking_the_same_slot_at_once_get_exactly_one_booking():
    consultant = ConsultantFactory(hours=OFFICE)

    outcomes = book_at_once(consultant=consultant)

    assert outcomes == Counter({Outcome.CREATED: 1, Outcome.SLOT_TAKEN: CLIENTS - 1})
    assert Booking.objects.filter(start=TUESDAY_9).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_clients_booking_any_consultant_at_once_fill_each_consultant_once():
    consultants = [ConsultantFactory(hours=OFFICE) for _ in range(3)]

    outcomes = book_at_once()

    assert outcomes == Counter({Outcome.CREATED: 3, Outcome.SLOT_TAKEN: CLIENTS - 3})
    assert sorted(
        Booking.objects.filter(start=TUESDAY_9).values_list("consultant", flat=True)
    ) == [c.pk for c in consultants]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_without_the_lock_and_the_re_check_the_constraint_still_allows_one(
    monkeypatch,
):
    consultant = ConsultantFactory(hours=OFFICE)

    def no_lock(consultant_id, **_):
        return Consultant.objects.get(pk=consultant_id)

    monkeypatch.setattr(services, "_free_consultants", everyone_free)
    monkeypatch.setattr(services, "_lock_consultant", no_lock)

    outcomes = book_at_once(consultant=consultant)

    assert outcomes == Counter({Outcome.CREATED: 1, Outcome.SLOT_TAKEN: CLIENTS - 1})
    assert Booking.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_an_overlapping_booking_is_refused_by_the_constraint_itself():
    consultant = ConsultantFactory(hours=OFFICE)
    BookingFactory(consultant=consultant, start=TUESDAY_9)

    with (
        pytest.raises(IntegrityError, match="booking_no_overlap"),
        transaction.atomic(),
    ):
        BookingFactory(consultant=consultant, start=TUESDAY_9 + timedelta(minutes=15))


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_rescheduled_booking_cannot_be_moved_over_another_by_the_orm():
    consultant = ConsultantFactory(hours=OFFICE)
    BookingFactory(consultant=consultant, start=TUESDAY_9)
    moving = BookingFactory(consultant=consultant, start=TUESDAY_9 + timedelta(hours=2))
    start = TUESDAY_9 + timedelta(minutes=15)

    with (
        pytest.raises(IntegrityError, match="booking_no_overlap"),
        transaction.atomic(),
    ):
        Booking.objects.filter(pk=moving.pk).update(
            start=start,
            end=start + timedelta(minutes=30),
            blocked_start=start,
            blocked_end=start + timedelta(minutes=30),
        )


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_constraint_includes_the_buffers_stored_on_the_rows():
    consultant = ConsultantFactory(hours=OFFICE)
    first_end = TUESDAY_9 + timedelta(minutes=30)
    BookingFactory(
        consultant=consultant,
        start=TUESDAY_9,
        blocked_end=first_end + timedelta(minutes=10),
    )

    with (
        pytest.raises(IntegrityError, match="booking_no_overlap"),
        transaction.atomic(),
    ):
        BookingFactory(consultant=consultant, start=first_end)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_constraint_allows_touching_cancelled_and_other_consultants_bookings():
    consultant = ConsultantFactory(hours=OFFICE)
    BookingFactory(consultant=consultant, start=TUESDAY_9)

    BookingFactory(consultant=consultant, start=TUESDAY_9 + timedelta(minutes=30))
    BookingFactory(
        consultant=consultant, start=TUESDAY_9, status=BookingStatus.CANCELLED
    )
    BookingFactory(consultant=ConsultantFactory(hours=OFFICE), start=TUESDAY_9)

    assert Booking.objects.count() == 4


@pytest.mark.postgres
@pytest.mark.django_db
def test_booking_create_turns_a_constraint_violation_into_slot_taken(monkeypatch):
    consultant = ConsultantFactory(hours=OFFICE)
    ranked = services._ranked

    def ranked_then_booked(candidates, **kwargs):
        # Someone else books the slot after the check that found it free.
        BookingFactory(consultant=consultant, start=TUESDAY_9)
        return ranked(candidates, **kwargs)

    monkeypatch.setattr(services, "_ranked", ranked_then_booked)
    monkeypatch.setattr(services, "_free_consultants", everyone_free)

    result = services.booking_create(
        start=TUESDAY_9,
        consultant=consultant,
        name="Late Comer",
        email="late@example.com",
        consent=True,
        now=NOW,
    )

    assert result.outcome == Outcome.SLOT_TAKEN
    assert [slot.start for slot in result.alternatives] == [
        TUESDAY_9 + timedelta(minutes=30),
        TUESDAY_9 + timedelta(minutes=60),
        TUESDAY_9 + timedelta(minutes=90),
    ]
    assert Booking.objects.count() == 1
