"""Conflicts also count the booking policy: calls past the daily limit of their
consultant's local day, and calls their buffers now bring too close to another."""

from datetime import UTC, datetime, time, timedelta

import pytest

from bookings.conflicts import bookings_in_conflict
from bookings.enums import BookingStatus
from tests.factories.bookings import BookingFactory, BookingPolicyFactory
from tests.helpers.admin_roles import consultant_create

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # a Monday; London is on GMT
WEDNESDAY_10 = datetime(2027, 3, 3, 10, 0, tzinfo=UTC)
ALL_WEEK = {day: [(time(0), time(0))] for day in range(7)}


def reasons(**kwargs):
    return [(c.booking.pk, c.reason) for c in bookings_in_conflict(now=NOW, **kwargs)]


def call(consultant, start, **kwargs):
    return BookingFactory(consultant=consultant, start=start, **kwargs)


def test_calls_past_the_daily_limit_are_conflicts_the_first_ones_are_not():
    BookingPolicyFactory(max_per_consultant_per_day=2)
    consultant = consultant_create(hours=ALL_WEEK, timezone="Europe/London")
    calls = [call(consultant, WEDNESDAY_10 + timedelta(hours=n)) for n in range(4)]

    assert reasons() == [
        (calls[2].pk, "over the daily limit of 2 calls"),
        (calls[3].pk, "over the daily limit of 2 calls"),
    ]


def test_a_call_already_held_that_day_counts_towards_the_limit():
    BookingPolicyFactory(max_per_consultant_per_day=1)
    consultant = consultant_create(hours=ALL_WEEK, timezone="Europe/London")
    call(
        consultant,
        NOW + timedelta(minutes=5) - timedelta(hours=3),
        status=BookingStatus.COMPLETED,
    )
    # 11:00 London the same day: the completed call at 05:05 took its place.
    later = call(consultant, NOW + timedelta(hours=3))

    assert reasons() == [(later.pk, "over the daily limit of 1 call")]


def test_the_daily_limit_counts_the_consultants_local_day_across_a_dst_change():
    # London springs forward on Sunday 28 March 2027 at 01:00 UTC.
    BookingPolicyFactory(max_per_consultant_per_day=1)
    consultant = consultant_create(hours=ALL_WEEK, timezone="Europe/London")
    # 00:30 GMT and 23:30 BST: both on Sunday 28 March in London.
    first = call(consultant, datetime(2027, 3, 28, 0, 30, tzinfo=UTC))
    same_day = call(consultant, datetime(2027, 3, 28, 22, 30, tzinfo=UTC))
    # The same UTC date, but 00:30 BST on Monday 29 March in London.
    next_day = call(consultant, datetime(2027, 3, 28, 23, 30, tzinfo=UTC))

    found = reasons()

    assert found == [(same_day.pk, "over the daily limit of 1 call")]
    assert first.pk not in dict(found)
    assert next_day.pk not in dict(found)


def test_raised_buffers_make_the_later_of_two_close_calls_a_conflict():
    consultant = consultant_create(hours=ALL_WEEK, timezone="Europe/London")
    call(consultant, WEDNESDAY_10)
    close = call(consultant, WEDNESDAY_10 + timedelta(minutes=30))
    far = call(consultant, WEDNESDAY_10 + timedelta(hours=2))
    assert reasons() == []

    BookingPolicyFactory(buffer_after_minutes=15)

    assert reasons() == [(close.pk, "buffer overlaps their call at 10:00")]
    assert far.pk not in dict(reasons())


def test_buffers_across_the_autumn_dst_change_are_measured_in_real_time():
    # London falls back on Sunday 31 October 2027 at 01:00 UTC: 01:00-02:00 local
    # happens twice. 00:30 and 01:15 UTC are 01:30 BST and 01:15 GMT, 45 minutes apart.
    BookingPolicyFactory(buffer_before_minutes=30, buffer_after_minutes=30)
    consultant = consultant_create(hours=ALL_WEEK, timezone="Europe/London")
    call(consultant, datetime(2027, 10, 31, 0, 30, tzinfo=UTC))
    close = call(consultant, datetime(2027, 10, 31, 1, 15, tzinfo=UTC))

    assert reasons() == [(close.pk, "buffer overlaps their call at 01:30 BST")]


def test_busy_time_from_the_consultants_calendar_over_a_call_is_a_conflict():
    consultant = consultant_create(hours=ALL_WEEK, timezone="Europe/London")
    booking = call(consultant, WEDNESDAY_10)
    consultant.busy_intervals.create(
        start=WEDNESDAY_10, end=WEDNESDAY_10 + timedelta(hours=1), source="feed:1"
    )

    assert reasons() == [(booking.pk, "busy in their own calendar")]


def test_conflicts_can_be_bounded_to_the_days_a_save_changed():
    BookingPolicyFactory(max_per_consultant_per_day=1)
    consultant = consultant_create(hours=ALL_WEEK, timezone="Europe/London")
    call(consultant, WEDNESDAY_10)
    wednesday = call(consultant, WEDNESDAY_10 + timedelta(hours=2))
    call(consultant, WEDNESDAY_10 + timedelta(days=1))
    thursday = call(consultant, WEDNESDAY_10 + timedelta(days=1, hours=2))

    everything = reasons()
    thursday_only = reasons(
        since=datetime(2027, 3, 4, tzinfo=UTC), until=datetime(2027, 3, 5, tzinfo=UTC)
    )

    assert [pk for pk, _ in everything] == [wednesday.pk, thursday.pk]
    assert thursday_only == [(thursday.pk, "over the daily limit of 1 call")]
