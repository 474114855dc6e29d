"""PostgreSQL: what a booking locks, for how long it waits, and what it says when it
cannot wait any longer.

Another booking's transaction is played by a second connection holding consultants'
rows locked (``SELECT ... FOR UPDATE``), as ``booking_create`` does while it books.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from datetime import time as clock

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from bookings import selectors, services
from bookings.enums import BookingStatus
from bookings.forms import format_start
from bookings.models import Booking
from bookings.services import Outcome
from tests.factories.bookings import BookingFactory, ConsultantFactory
from tests.helpers.booking_pages import form_data

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
TUESDAY_9 = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
OFFICE = {day: [(clock(9, 0), clock(17, 0))] for day in range(5)}
TIMEOUT_MS = 400

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def short_lock_timeout(settings):
    settings.BOOKING_LOCK_TIMEOUT_MS = TIMEOUT_MS


def _other_connection() -> psycopg.Connection:
    params = connection.settings_dict
    return psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"],
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
    )


@contextmanager
def rows_locked(*consultants) -> Iterator[None]:
    """The consultants' rows locked by another transaction until the block ends."""
    with _other_connection() as other:
        other.execute(
            "SELECT id FROM bookings_consultant WHERE id = ANY(%s) FOR UPDATE",
            [[c.pk for c in consultants]],
        )
        yield
        other.rollback()


def rows_lockable_now(consultants) -> bool:
    """Whether another transaction could lock the consultants' rows without waiting."""
    with _other_connection() as other:
        try:
            other.execute(
                "SELECT id FROM bookings_consultant WHERE id = ANY(%s) FOR UPDATE NOWAIT",
                [[c.pk for c in consultants]],
            )
        except psycopg.errors.LockNotAvailable:
            return False
        finally:
            other.rollback()
    return True


def book(start=TUESDAY_9, consultant=None, n=0):
    return services.booking_create(
        start=start,
        consultant=consultant,
        name=f"Client {n}",
        email=f"visitor{n}@example.org",
        consent=True,
        now=NOW,
    )


def timed(action):
    started = time.monotonic()
    result = action()
    return result, time.monotonic() - started


def test_booking_a_consultant_another_booking_holds_is_busy_within_the_timeout():
    consultant = ConsultantFactory(hours=OFFICE)

    with rows_locked(consultant):
        result, seconds = timed(lambda: book(consultant=consultant))

    assert result.outcome == Outcome.BUSY
    assert TIMEOUT_MS / 1000 * 0.9 <= seconds < TIMEOUT_MS / 1000 + 1
    assert Booking.objects.count() == 0


def test_the_same_booking_goes_through_once_the_other_booking_is_done():
    consultant = ConsultantFactory(hours=OFFICE)
    with rows_locked(consultant):
        assert book(consultant=consultant).outcome == Outcome.BUSY

    assert book(consultant=consultant).outcome == Outcome.CREATED


def test_any_consultant_books_one_not_locked_without_waiting():
    first, second = (ConsultantFactory(hours=OFFICE) for _ in range(2))

    with rows_locked(first):
        result, seconds = timed(book)

    assert result.outcome == Outcome.CREATED
    assert result.booking.consultant == second
    assert seconds < TIMEOUT_MS / 1000


def test_any_consultant_with_every_free_one_locked_is_busy_within_the_timeout():
    consultants = [ConsultantFactory(hours=OFFICE) for _ in range(3)]

    with rows_locked(*consultants):
        result, seconds = timed(book)

    assert result.outcome == Outcome.BUSY
    assert seconds < TIMEOUT_MS / 1000 + 1
    assert Booking.objects.count() == 0


def test_a_taken_time_is_refused_without_locking_or_waiting_for_anyone():
    consultants = [ConsultantFactory(hours=OFFICE) for _ in range(3)]
    for consultant in consultants:
        BookingFactory(consultant=consultant, start=TUESDAY_9)

    with rows_locked(*consultants):
        result, seconds = timed(book)

    assert result.outcome == Outcome.SLOT_TAKEN
    assert [slot.start for slot in result.alternatives] == [
        TUESDAY_9 + timedelta(minutes=30),
        TUESDAY_9 + timedelta(minutes=60),
        TUESDAY_9 + timedelta(minutes=90),
    ]
    assert seconds < TIMEOUT_MS / 1000


def test_a_valid_booking_does_not_wait_for_consultants_it_does_not_try():
    taken, free = (ConsultantFactory(hours=OFFICE) for _ in range(2))
    BookingFactory(consultant=taken, start=TUESDAY_9)

    with rows_locked(taken):
        result, seconds = timed(book)

    assert result.outcome == Outcome.CREATED
    assert result.booking.consultant == free
    assert seconds < TIMEOUT_MS / 1000


def everyone_free(consultants, **_):
    # The check before the lock is overtaken: only the constraint is left to refuse.
    return list(consultants)


def booked_meanwhile(monkeypatch, consultants, start):
    """Each consultant booked at ``start`` by someone else just after the check
    without locks found them free, before this booking locks them."""
    ranked = services._ranked

    def ranked_then_booked(candidates, **kwargs):
        for consultant in consultants:
            BookingFactory(consultant=consultant, start=start)
        return ranked(candidates, **kwargs)

    monkeypatch.setattr(services, "_ranked", ranked_then_booked)


def test_alternatives_to_a_refused_booking_are_computed_with_no_lock_held(
    monkeypatch,
):
    consultants = [ConsultantFactory(hours=OFFICE) for _ in range(2)]
    booked_meanwhile(monkeypatch, consultants, TUESDAY_9)
    seen = []
    real_slots_near = selectors.slots_near

    def slots_near(**kwargs):
        seen.append((connection.in_atomic_block, rows_lockable_now(consultants)))
        return real_slots_near(**kwargs)

    monkeypatch.setattr(selectors, "slots_near", slots_near)

    result = book()

    assert result.outcome == Outcome.SLOT_TAKEN
    assert seen == [(False, True)]
    assert len(result.alternatives) == 3


def test_alternatives_to_a_refused_move_are_computed_with_no_lock_held(monkeypatch):
    consultant = ConsultantFactory(hours=OFFICE)
    BookingFactory(consultant=consultant, start=TUESDAY_9)
    moving = BookingFactory(consultant=consultant, start=TUESDAY_9 + timedelta(hours=3))
    monkeypatch.setattr(services, "_free_consultants", everyone_free)
    seen = []
    real_slots_near = selectors.slots_near

    def slots_near(**kwargs):
        seen.append((connection.in_atomic_block, rows_lockable_now([consultant])))
        return real_slots_near(**kwargs)

    monkeypatch.setattr(selectors, "slots_near", slots_near)

    result = services.booking_reschedule(booking=moving, new_start=TUESDAY_9, now=NOW)

    assert result.outcome == Outcome.SLOT_TAKEN
    assert seen == [(False, True)]
    assert TUESDAY_9 + timedelta(hours=3) not in [s.start for s in result.alternatives]


def test_moving_a_booking_whose_consultant_is_locked_is_busy_within_the_timeout():
    consultant = ConsultantFactory(hours=OFFICE)
    moving = BookingFactory(consultant=consultant, start=TUESDAY_9)

    with rows_locked(consultant):
        result, seconds = timed(
            lambda: services.booking_reschedule(
                booking=moving, new_start=TUESDAY_9 + timedelta(hours=1), now=NOW
            )
        )

    assert result.outcome == Outcome.BUSY
    assert seconds < TIMEOUT_MS / 1000 + 1
    moving.refresh_from_db()
    assert (moving.start, moving.sequence, moving.status) == (
        TUESDAY_9,
        0,
        BookingStatus.CONFIRMED,
    )


def test_details_post_while_the_consultant_is_being_booked_asks_to_try_again(client):
    consultant = ConsultantFactory(hours=OFFICE)
    start = selectors.availability_get(consultant_id=consultant.pk).slots[0].start

    with rows_locked(consultant):
        response = client.post(
            "/book/details/", form_data(start, consultant=str(consultant.pk))
        )

    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert "Many people are booking right now" in html
    assert "Nothing has been booked and your details are kept" in html
    assert 'value="Grace Hopper"' in html
    assert Booking.objects.count() == 0


def test_reschedule_post_while_the_consultant_is_being_booked_asks_to_try_again(
    client,
):
    consultant = ConsultantFactory()
    slots = selectors.availability_get(consultant_id=consultant.pk).slots
    moving = BookingFactory(consultant=consultant, start=slots[0].start)

    with rows_locked(consultant):
        response = client.post(
            reverse("bookings:reschedule", kwargs={"token": moving.token}),
            {"start": format_start(slots[4].start), "tz": "UTC"},
        )

    assert response.status_code == 503
    assert "Many people are booking right now" in response.content.decode()
    moving.refresh_from_db()
    assert moving.start == slots[0].start


def test_refused_and_valid_any_consultant_bookings_at_once_neither_waits_nor_fails():
    consultants = [ConsultantFactory(hours=OFFICE) for _ in range(3)]
    for consultant in consultants:
        BookingFactory(consultant=consultant, start=TUESDAY_9)
    wanted = dict.fromkeys(range(5), TUESDAY_9) | {5: TUESDAY_9 + timedelta(hours=1)}
    barrier = threading.Barrier(len(wanted))
    outcomes: dict[int, Outcome] = {}
    errors: list[BaseException] = []

    def client(n: int) -> None:
        try:
            barrier.wait()
            outcomes[n] = book(start=wanted[n], n=n).outcome
        except BaseException as error:  # noqa: BLE001 -- reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in wanted]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert outcomes == dict.fromkeys(range(5), Outcome.SLOT_TAKEN) | {
        5: Outcome.CREATED
    }
