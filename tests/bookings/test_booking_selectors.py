from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from bookings import selectors
from bookings.enums import BookingStatus
from tests.factories.bookings import (
    BookingFactory,
    BookingPolicyFactory,
    ConsultantFactory,
    DateOverrideFactory,
    TimeOffFactory,
)

pytestmark = pytest.mark.django_db

# Monday 1 March 2027, 08:00 UTC; with 12 hours' notice Tuesday is the first bookable day.
NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
TUESDAY = datetime(2027, 3, 2, tzinfo=UTC)
# policy, consultants, weekly hours, overrides, time off, bookings
QUERIES = 6


def first_tuesday(slots) -> list[datetime]:
    return [slot.start for slot in slots if slot.start.date() == TUESDAY.date()]


def consultant_with_history(bookings: int):
    consultant = ConsultantFactory()
    start = timezone.now() + timedelta(days=2)
    DateOverrideFactory(consultant=consultant, date=(start + timedelta(days=3)).date())
    TimeOffFactory(consultant=consultant, start=start + timedelta(days=5))
    for n in range(bookings):
        BookingFactory(
            consultant=consultant,
            start=start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=n),
        )
    return consultant


@pytest.mark.parametrize(("consultants", "bookings"), [(1, 1), (3, 3)])
def test_availability_queries_do_not_grow_with_consultants_or_bookings(
    django_assert_num_queries, consultants, bookings
):
    for _ in range(consultants):
        consultant_with_history(bookings)

    with django_assert_num_queries(QUERIES):
        found = selectors.availability_get()

    assert len(found.consultants) == consultants
    assert found.slots != []


@pytest.mark.parametrize(("consultants", "bookings"), [(1, 1), (3, 3)])
def test_booking_page_queries_do_not_grow_with_consultants_or_bookings(
    client, django_assert_num_queries, consultants, bookings
):
    for _ in range(consultants):
        consultant_with_history(bookings)

    # The week's six, and the active consultants and the horizon that the cached
    # listing's key is checked against (once per availability version).
    with django_assert_num_queries(QUERIES + 2):
        response = client.get("/book/?tz=Europe/London")

    assert response.status_code == 200


def test_availability_is_the_union_of_consultants_with_their_keys():
    early = ConsultantFactory(timezone="UTC", hours={1: [(time(9), time(10))]})
    late = ConsultantFactory(timezone="UTC", hours={1: [(time(9, 30), time(10, 30))]})

    found = selectors.availability_get(now=NOW)

    assert [(s.start.time(), s.consultant_keys) for s in found.slots[:3]] == [
        (time(9, 0), (early.pk,)),
        (time(9, 30), (early.pk, late.pk)),
        (time(10, 0), (late.pk,)),
    ]


def test_availability_skips_inactive_consultants():
    ConsultantFactory(is_active=False)

    assert selectors.availability_get(now=NOW).slots == []


def test_availability_merges_overlapping_hours_entered_for_one_day():
    ConsultantFactory(
        timezone="UTC", hours={1: [(time(9), time(11)), (time(10), time(12))]}
    )

    found = selectors.availability_get(now=NOW)

    assert first_tuesday(found.slots) == [
        TUESDAY + timedelta(hours=9, minutes=30 * n) for n in range(6)
    ]


def test_availability_applies_date_overrides_and_time_off():
    consultant = ConsultantFactory(
        timezone="UTC", hours={day: [(time(9), time(10))] for day in range(7)}
    )
    DateOverrideFactory(consultant=consultant, date=TUESDAY.date())  # day off
    DateOverrideFactory(
        consultant=consultant,
        date=TUESDAY.date() + timedelta(days=1),
        start=time(14),
        end=time(15),
    )
    TimeOffFactory(
        consultant=consultant,
        start=TUESDAY + timedelta(days=2),
        end=TUESDAY + timedelta(days=3),
    )

    found = selectors.availability_get(now=NOW)

    assert [s.start for s in found.slots[:4]] == [
        TUESDAY + timedelta(days=1, hours=14),
        TUESDAY + timedelta(days=1, hours=14, minutes=30),
        TUESDAY + timedelta(days=3, hours=9),
        TUESDAY + timedelta(days=3, hours=9, minutes=30),
    ]


def test_availability_ignores_cancelled_bookings():
    consultant = ConsultantFactory(timezone="UTC", hours={1: [(time(9), time(10))]})
    BookingFactory(
        consultant=consultant,
        start=TUESDAY + timedelta(hours=9),
        status=BookingStatus.CANCELLED,
    )
    BookingFactory(
        consultant=consultant, start=TUESDAY + timedelta(hours=9, minutes=30)
    )

    found = selectors.availability_get(now=NOW)

    assert first_tuesday(found.slots) == [TUESDAY + timedelta(hours=9)]


@pytest.mark.parametrize(
    ("status", "offered"),
    [
        (BookingStatus.COMPLETED, 0),
        (BookingStatus.NO_SHOW, 0),
        (BookingStatus.CANCELLED, 13),
    ],
)
def test_availability_daily_cap_counts_calls_that_took_place_but_not_cancelled_ones(
    status, offered
):
    BookingPolicyFactory(max_per_consultant_per_day=1, minimum_notice_minutes=60)
    consultant = ConsultantFactory(timezone="UTC", hours={1: [(time(9), time(17))]})
    BookingFactory(
        consultant=consultant, start=TUESDAY + timedelta(hours=9), status=status
    )
    # Marked during the call: with an hour's notice 10:30 to 16:30 are still ahead.
    now = TUESDAY + timedelta(hours=9, minutes=15)

    found = selectors.availability_get(now=now)

    assert len(first_tuesday(found.slots)) == offered


def test_availability_can_leave_out_the_booking_being_moved():
    consultant = ConsultantFactory(timezone="UTC", hours={1: [(time(9), time(10))]})
    booking = BookingFactory(consultant=consultant, start=TUESDAY + timedelta(hours=9))

    found = selectors.availability_get(now=NOW, exclude_booking_id=booking.pk)

    assert first_tuesday(found.slots) == [
        TUESDAY + timedelta(hours=9),
        TUESDAY + timedelta(hours=9, minutes=30),
    ]


@pytest.mark.parametrize("token", ["", "x" * 43, "y" * 500])
def test_booking_get_by_token_unknown_or_oversized_is_none(token):
    BookingFactory()

    assert selectors.booking_get_by_token(token) is None


def test_booking_get_by_token_finds_the_booking():
    booking = BookingFactory()

    assert selectors.booking_get_by_token(booking.token) == booking


def test_start_check_agrees_with_the_listing_for_every_start_of_the_day(
    django_assert_num_queries,
):
    busy = ConsultantFactory(timezone="UTC", hours={1: [(time(9), time(11))]})
    other = ConsultantFactory(timezone="UTC", hours={1: [(time(10), time(12))]})
    BookingFactory(consultant=busy, start=TUESDAY + timedelta(hours=9, minutes=30))
    BookingFactory(consultant=other, start=TUESDAY + timedelta(hours=10))
    starts = [TUESDAY + timedelta(hours=8, minutes=30 * n) for n in range(10)]

    for consultant_id in (None, busy.pk, other.pk):
        listed = set(
            selectors.availability_get(consultant_id=consultant_id, now=NOW).slots
        )
        listed_starts = {slot.start for slot in listed}
        for start in starts:
            with django_assert_num_queries(QUERIES):
                check = selectors.start_check(
                    start=start, consultant_id=consultant_id, now=NOW
                )
            assert check.free == (start in listed_starts), (consultant_id, start)


def test_start_check_with_an_unknown_consultant_checks_with_anyone():
    consultant = ConsultantFactory(timezone="UTC", hours={1: [(time(9), time(10))]})

    check = selectors.start_check(
        start=TUESDAY + timedelta(hours=9), consultant_id=consultant.pk + 1, now=NOW
    )

    assert check.consultant is None
    assert check.free
    assert check.consultants == [consultant]
