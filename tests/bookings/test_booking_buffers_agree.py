"""PostgreSQL: the times offered and the exclusion constraint agree after the policy's
buffers change, so every time offered can be booked.

Bookings store the range they block (their meeting with the buffers of the day they
were made) and the constraint compares those stored ranges.
"""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import transaction

from bookings import selectors, services
from bookings.models import BookingPolicy
from bookings.services import Outcome
from tests.factories.bookings import BookingPolicyFactory, ConsultantFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
TUESDAY = datetime(2027, 3, 2, tzinfo=UTC)
OFFICE = {day: [(time(9, 0), time(17, 0))] for day in range(5)}


def at(hours: int, minutes: int = 0) -> datetime:
    return TUESDAY + timedelta(hours=hours, minutes=minutes)


def book(start: datetime, n: int):
    return services.booking_create(
        start=start,
        name=f"Client {n}",
        email=f"client{n}@example.com",
        consent=True,
        now=NOW,
    )


def buffers_set(before: int, after: int) -> None:
    BookingPolicy.objects.update(
        buffer_before_minutes=before, buffer_after_minutes=after
    )


def offered_on_tuesday() -> list[datetime]:
    return [
        slot.start
        for slot in selectors.availability_get(now=NOW).slots
        if slot.start.date() == TUESDAY.date()
    ]


def every_one_books(starts: list[datetime]) -> dict[datetime, Outcome]:
    """Each start booked on its own, then undone: what each booking would get."""
    outcomes = {}
    for n, start in enumerate(starts, start=100):
        with transaction.atomic():
            outcomes[start] = book(start, n).outcome
            transaction.set_rollback(True)
    return outcomes


def test_after_the_buffers_are_lowered_every_offered_time_can_be_booked():
    BookingPolicyFactory(
        slot_interval_minutes=15,
        minimum_notice_minutes=0,
        horizon_days=3,
        buffer_before_minutes=30,
        buffer_after_minutes=30,
    )
    ConsultantFactory(hours=OFFICE)
    assert book(at(10), 1).outcome == Outcome.CREATED
    assert book(at(13), 2).outcome == Outcome.CREATED

    buffers_set(0, 0)
    offered = offered_on_tuesday()

    # The stored ranges, 09:30-11:00 and 12:30-14:00, stay blocked; the lower
    # buffers let new calls come right up to them.
    assert offered == [
        at(9),
        *(at(11, 15 * k) for k in range(5)),
        *(at(14, 15 * k) for k in range(11)),
    ]
    assert every_one_books(offered) == dict.fromkeys(offered, Outcome.CREATED)


def test_after_the_buffers_are_raised_old_bookings_keep_the_new_distance():
    BookingPolicyFactory(
        slot_interval_minutes=15, minimum_notice_minutes=0, horizon_days=3
    )
    ConsultantFactory(hours=OFFICE)
    assert book(at(10), 1).outcome == Outcome.CREATED

    buffers_set(15, 15)
    offered = offered_on_tuesday()

    # 10:00-10:30 booked without buffers: with 15 minutes on both sides of both
    # calls, the next may start at 11:00 and the one before end at 09:30.
    assert offered == [at(9), *(at(11, 15 * k) for k in range(23))]
    assert every_one_books(offered) == dict.fromkeys(offered, Outcome.CREATED)
