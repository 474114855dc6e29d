"""Which seven days a page of slots shows: pure, in the viewer's zone, within the horizon."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bookings.availability import ShownWeek, week_monday, week_shown

# Wednesday 2 December 2026; 30 days on is Friday 1 January 2027.
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
TOKYO = ZoneInfo("Asia/Tokyo")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def shown(requested, *, now=NOW, horizon_days=30, zone=UTC) -> ShownWeek:
    return week_shown(requested, now=now, horizon_days=horizon_days, zone=zone)


def test_week_monday_of_a_monday_is_itself():
    assert week_monday(date(2026, 11, 30)) == date(2026, 11, 30)


def test_week_monday_of_a_sunday_is_six_days_before():
    assert week_monday(date(2026, 12, 6)) == date(2026, 11, 30)


def test_week_monday_refuses_a_datetime():
    with pytest.raises(TypeError, match="day must be a date, got datetime"):
        week_monday(NOW)


def test_week_shown_without_request_starts_today_not_on_monday():
    assert shown(None) == ShownWeek(
        start=date(2026, 12, 2), first=date(2026, 12, 2), last=date(2026, 12, 26)
    )


def test_week_shown_starts_on_the_day_requested_whatever_its_weekday():
    assert shown(date(2026, 12, 17)).start == date(2026, 12, 17)


def test_week_shown_before_today_starts_today():
    assert shown(date(2025, 1, 1)).start == date(2026, 12, 2)


def test_week_shown_past_the_horizon_ends_on_its_last_day():
    assert shown(date(2027, 6, 1)).start == date(2026, 12, 26)


def test_week_shown_last_day_of_the_horizon_is_in_the_last_week():
    assert shown(date(2027, 1, 1)).start == date(2026, 12, 26)


def test_week_shown_without_horizon_has_only_todays_week():
    assert shown(date(2026, 12, 14), horizon_days=0) == ShownWeek(
        start=date(2026, 12, 2), first=date(2026, 12, 2), last=date(2026, 12, 2)
    )


def test_week_shown_monday_is_the_first_day_shown():
    assert shown(date(2026, 12, 17)).monday == date(2026, 12, 17)


def test_week_shown_earlier_and_later_move_seven_days():
    weeks = shown(date(2026, 12, 16))

    assert (weeks.earlier, weeks.later) == (date(2026, 12, 9), date(2026, 12, 23))


def test_week_shown_earlier_stops_at_today_and_later_at_the_last_week():
    assert shown(date(2026, 12, 5)).earlier == date(2026, 12, 2)
    assert shown(date(2026, 12, 22)).later == date(2026, 12, 26)


def test_week_shown_has_no_earlier_today_and_no_later_at_the_horizon():
    assert shown(None).earlier is None
    assert shown(date(2027, 6, 1)).later is None


def test_week_shown_sunday_evening_in_utc_is_monday_in_tokyo():
    sunday_evening = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)

    assert shown(None, now=sunday_evening, zone=TOKYO).first == date(2026, 12, 7)
    assert shown(None, now=sunday_evening).first == date(2026, 12, 6)


def test_week_shown_monday_morning_in_utc_is_still_sunday_in_los_angeles():
    monday_morning = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)

    assert shown(None, now=monday_morning, zone=LOS_ANGELES) == ShownWeek(
        start=date(2026, 11, 29), first=date(2026, 11, 29), last=date(2026, 12, 23)
    )


def test_week_shown_horizon_is_counted_in_days_of_24_hours_across_dst():
    # New York falls back on 1 November 2026: 28 days of 24 hours from 00:30 local on
    # Monday 26 October end at 23:30 local on Sunday 22 November, a day earlier than
    # 28 days on the wall clock would.
    now = datetime(2026, 10, 26, 4, 30, tzinfo=UTC)

    weeks = shown(None, now=now, horizon_days=28, zone=ZoneInfo("America/New_York"))

    assert (weeks.first, weeks.last) == (date(2026, 10, 26), date(2026, 11, 16))


def test_week_shown_refuses_a_naive_now():
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        shown(None, now=datetime(2026, 12, 2, 10, 0))  # noqa: DTZ001 -- naive on purpose


def test_week_shown_refuses_a_datetime_as_the_day_requested():
    with pytest.raises(TypeError, match="requested must be a date, got datetime"):
        shown(NOW)
