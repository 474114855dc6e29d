"""Conflicts also count the booking policy: calls past the daily limit of their
consultant's local day, and calls their buffers now bring too close to another."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from bookings.conflicts import bookings_in_conflict
from bookings.enums import BookingStatus
from tests.factories.bookings import BookingFactory, BookingPolicyFactory
from tests.helpers.admin_roles import consultant_create
from tests.helpers.booking_admin import hours_post

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


def test_a_call_at_midnight_is_in_the_day_a_save_changed():
    consultant = consultant_create(hours=ALL_WEEK, timezone="Europe/London")
    midnight = datetime(2027, 3, 4, tzinfo=UTC)
    at_midnight = call(consultant, midnight)
    consultant.time_off.create(start=midnight, end=midnight + timedelta(hours=2))

    assert reasons(since=midnight, until=midnight + timedelta(days=1)) == [
        (at_midnight.pk, "during time off")
    ]


def time_off_post(consultant, day):
    # The weekly hours as they are (unchanged), and one new time off.
    count = str(consultant.weekly_hours.count())
    weekly = {"weekly_hours-TOTAL_FORMS": count, "weekly_hours-INITIAL_FORMS": count}
    for n, row in enumerate(consultant.weekly_hours.all()):
        weekly |= {
            f"weekly_hours-{n}-id": str(row.pk),
            f"weekly_hours-{n}-weekday": str(row.weekday),
            f"weekly_hours-{n}-start": f"{row.start:%H:%M}",
            f"weekly_hours-{n}-end": f"{row.end:%H:%M}",
            f"weekly_hours-{n}-consultant": str(consultant.pk),
        }
    return (
        hours_post(consultant, [])
        | weekly
        | {
            "timezone": "Europe/London",
            "time_off-TOTAL_FORMS": "1",
            "time_off-0-start_0": day,
            "time_off-0-start_1": "09:00",
            "time_off-0-end_0": day,
            "time_off-0-end_1": "12:00",
            "time_off-0-reason": "Dentist",
            "time_off-0-consultant": str(consultant.pk),
        }
    )


def test_saving_time_off_reports_only_the_conflicts_of_the_days_it_covers(client):
    BookingPolicyFactory(max_per_consultant_per_day=1)
    mine = consultant_create(hours=ALL_WEEK, timezone="Europe/London")
    soon = (timezone.now() + timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    # Two calls on another day: over the limit already, and shown on the dashboard.
    call(mine, soon + timedelta(days=2))
    call(mine, soon + timedelta(days=2, hours=3))
    client.force_login(mine.user)

    elsewhere = client.post(
        f"/admin/bookings/consultant/{mine.pk}/change/",
        time_off_post(mine, soon.date().isoformat()),
    )
    booking = call(mine, soon + timedelta(days=4))
    over = client.post(
        f"/admin/bookings/consultant/{mine.pk}/change/",
        time_off_post(mine, (soon + timedelta(days=4)).date().isoformat())
        | {"time_off-TOTAL_FORMS": "1"},
    )

    assert elsewhere["Location"] == "/admin/bookings/consultant/"
    assert over["Location"] == f"/admin/bookings/consultant/{mine.pk}/conflicts/"
    assert booking.pk in [
        c.booking.pk for c in bookings_in_conflict(consultant_ids=[mine.pk])
    ]


def test_saving_a_lower_daily_limit_says_how_many_calls_it_leaves_over(admin_client):
    BookingPolicyFactory()
    consultant = consultant_create(hours=ALL_WEEK, timezone="Europe/London")
    soon = (timezone.now() + timedelta(days=2)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    for n in range(3):
        call(consultant, soon + timedelta(hours=n))
    data = {
        "meeting_minutes": "30",
        "slot_interval_minutes": "30",
        "buffer_before_minutes": "0",
        "buffer_after_minutes": "0",
        "minimum_notice_minutes": "720",
        "horizon_days": "30",
        "max_per_consultant_per_day": "1",
    }

    response = admin_client.post(
        "/admin/bookings/bookingpolicy/1/change/", data, follow=True
    )

    assert "2 confirmed call(s) no longer meet this policy" in response.content.decode()
