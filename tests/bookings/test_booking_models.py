from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bookings import availability
from bookings.models import BookingPolicy, DateOverride, WeeklyHours, email_key
from consult.timezones import clock_label
from tests.factories.bookings import (
    BookingFactory,
    BookingPolicyFactory,
    ConsultantFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("instant", "zone", "label"),
    [
        # New York falls back at 06:00 UTC on 7 November 2027.
        (datetime(2027, 11, 7, 4, 30, tzinfo=UTC), "America/New_York", "00:30"),
        (datetime(2027, 11, 7, 5, 30, tzinfo=UTC), "America/New_York", "01:30 EDT"),
        (datetime(2027, 11, 7, 6, 30, tzinfo=UTC), "America/New_York", "01:30 EST"),
        (datetime(2027, 11, 7, 7, 30, tzinfo=UTC), "America/New_York", "02:30"),
        # Springing forward repeats nothing.
        (datetime(2027, 3, 14, 7, 0, tzinfo=UTC), "America/New_York", "03:00"),
        # Moscow went from +04 to +03 in 2014 and was "MSK" on both sides.
        (
            datetime(2014, 10, 25, 21, 30, tzinfo=UTC),
            "Europe/Moscow",
            "01:30 UTC+04:00",
        ),
        (
            datetime(2014, 10, 25, 22, 30, tzinfo=UTC),
            "Europe/Moscow",
            "01:30 UTC+03:00",
        ),
    ],
)
def test_clock_label_says_which_of_a_repeated_hour_it_means(instant, zone, label):
    assert clock_label(instant.astimezone(ZoneInfo(zone))) == label


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "America/St_Johns", "UTC"])
def test_consultant_timezone_accepts_iana_names(zone):
    consultant = ConsultantFactory(timezone=zone)

    consultant.full_clean()


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../etc/passwd", "europe/london"])
def test_consultant_timezone_refuses_unknown_names(zone):
    consultant = ConsultantFactory.build(timezone=zone, user=ConsultantFactory().user)

    with pytest.raises(ValidationError) as caught:
        consultant.full_clean(exclude=["user"])

    assert "timezone" in caught.value.message_dict


def test_consultant_expertise_refuses_unknown_tags():
    consultant = ConsultantFactory(expertise=["api", "astrology"])

    with pytest.raises(ValidationError) as caught:
        consultant.full_clean()

    assert list(caught.value.message_dict) == ["expertise"]


def test_booking_policy_current_without_a_row_is_the_unsaved_default(
    django_assert_num_queries,
):
    with django_assert_num_queries(1):
        policy = BookingPolicy.current()

    assert policy.to_policy() == availability.Policy()
    assert BookingPolicy.objects.count() == 0


def test_booking_policy_current_reads_the_saved_row():
    BookingPolicyFactory(minimum_notice_minutes=60, max_per_consultant_per_day=4)

    policy = BookingPolicy.current().to_policy()

    assert (policy.minimum_notice_minutes, policy.max_per_day) == (60, 4)


def test_booking_policy_is_a_single_row():
    BookingPolicy(horizon_days=10).save()
    BookingPolicy(horizon_days=20).save()

    assert list(BookingPolicy.objects.values_list("pk", "horizon_days")) == [(1, 20)]
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingPolicy.objects.bulk_create([BookingPolicy(pk=2)])


def test_one_confirmed_booking_per_email_is_enforced_by_the_database():
    BookingFactory(email="grace@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        BookingFactory(email="GRACE@example.com")


def test_booking_times_must_be_ordered_in_the_database():
    booking = BookingFactory.build(consultant=ConsultantFactory())
    booking.end = booking.start - timedelta(minutes=30)

    with pytest.raises(IntegrityError), transaction.atomic():
        booking.save()


def test_weekly_hours_end_must_follow_start_but_midnight_ends_the_day():
    consultant = ConsultantFactory(hours={})
    late = WeeklyHours(consultant=consultant, weekday=0, start=time(18), end=time(0))
    wrong = WeeklyHours(consultant=consultant, weekday=0, start=time(18), end=time(9))

    late.full_clean()
    with pytest.raises(ValidationError):
        wrong.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        wrong.save()


def test_date_override_is_a_day_off_or_a_full_range():
    consultant = ConsultantFactory(hours={})
    half = DateOverride(consultant=consultant, date="2027-03-01", start=time(9))

    with pytest.raises(ValidationError):
        half.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        half.save()


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("Grace@Example.com", "grace@example.com"),
        (" grace+tag@example.com ", "grace@example.com"),
        ("grace+a+b@example.com", "grace@example.com"),
        ("+only@example.com", "+only@example.com"),
        ("g.race.h@gmail.com", "graceh@gmail.com"),
        ("g.race+x@googlemail.com", "grace@gmail.com"),
        ("first.last@company.com", "first.last@company.com"),
        ("BÜCHER@example.com", "bücher@example.com"),
    ],
)
def test_email_key_is_the_mailbox_an_address_reaches(address, key):
    assert email_key(address) == key


@pytest.mark.django_db
def test_saving_a_booking_keeps_its_email_key():
    booking = BookingFactory(email="Grace+x@Example.com")
    booking.email = "ada+y@example.org"
    booking.save(update_fields=["email"])

    booking.refresh_from_db()
    assert booking.email_key == "ada@example.org"
