"""Busy time read from calendar files: series across DST in their own zones, all-day and
multi-day events in the consultant's zone, what is not busy, and files refused."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from calendars.busy import FeedInvalid, busy_from_ics
from tests.calendars.feeds import (
    BERLIN_SERIES,
    NEW_YORK_SERIES,
    X_WR_SERIES,
    vcalendar,
    vevent,
)

LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
START = datetime(2027, 3, 1, tzinfo=UTC)
END = datetime(2027, 5, 1, tzinfo=UTC)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def read(data, zone=LONDON, start=START, end=END):
    return busy_from_ics(data, zone=zone, start=start, end=end)


def test_busy_weekly_series_in_berlin_keeps_its_local_hour_across_dst():
    assert read(BERLIN_SERIES) == [
        (utc(2027, 3, 22, 8), utc(2027, 3, 22, 9)),  # CET, UTC+1
        (utc(2027, 3, 29, 7), utc(2027, 3, 29, 8)),  # CEST, UTC+2
        # 5 April excluded; 12 April moved to 14:00 local.
        (utc(2027, 4, 12, 12), utc(2027, 4, 12, 13)),
        (utc(2027, 4, 19, 7), utc(2027, 4, 19, 8)),
    ]


def test_busy_daily_series_in_new_york_across_dst():
    assert read(NEW_YORK_SERIES) == [
        (utc(2027, 3, 12, 14), utc(2027, 3, 12, 14, 30)),  # EST, UTC-5
        (utc(2027, 3, 13, 14), utc(2027, 3, 13, 14, 30)),
        (utc(2027, 3, 14, 13), utc(2027, 3, 14, 13, 30)),  # EDT, UTC-4
        (utc(2027, 3, 15, 13), utc(2027, 3, 15, 13, 30)),
    ]


def test_busy_x_wr_timezone_feed_repeats_in_the_named_zone():
    assert read(X_WR_SERIES) == [
        (utc(2027, 3, 19, 17), utc(2027, 3, 19, 18)),
        (utc(2027, 3, 26, 17), utc(2027, 3, 26, 18)),
    ]


def test_busy_x_wr_timezone_feed_keeps_the_local_hour_after_the_change():
    data = vcalendar(
        vevent(
            "x-wr",
            "DTSTART:20270319T170000Z",
            "DTEND:20270319T180000Z",
            "RRULE:FREQ=WEEKLY;COUNT=3",
        ),
        extra="X-WR-TIMEZONE:Europe/Berlin",
    )

    # 18:00 in Berlin after the change (28 March) is 16:00 UTC, not 17:00.
    assert read(data)[2] == (utc(2027, 4, 2, 16), utc(2027, 4, 2, 17))


def test_busy_all_day_event_blocks_the_local_date_in_the_consultants_zone():
    data = vcalendar(
        vevent("day", "DTSTART;VALUE=DATE:20270303", "DTEND;VALUE=DATE:20270304")
    )

    assert read(data, zone=TOKYO) == [(utc(2027, 3, 2, 15), utc(2027, 3, 3, 15))]


def test_busy_multi_day_event_blocks_every_date_it_covers():
    data = vcalendar(
        vevent("trip", "DTSTART;VALUE=DATE:20270326", "DTEND;VALUE=DATE:20270330")
    )

    # London's clocks go forward on the 28th: the last midnight is BST.
    assert read(data) == [(utc(2027, 3, 26, 0), utc(2027, 3, 29, 23))]


def test_busy_timed_multi_day_event_is_one_stretch():
    data = vcalendar(
        vevent("conf", "DTSTART:20270310T150000Z", "DTEND:20270312T110000Z")
    )

    assert read(data) == [(utc(2027, 3, 10, 15), utc(2027, 3, 12, 11))]


def test_busy_skips_transparent_and_cancelled_and_counts_tentative():
    data = vcalendar(
        vevent(
            "free",
            "DTSTART:20270302T090000Z",
            "DTEND:20270302T100000Z",
            "TRANSP:TRANSPARENT",
        ),
        vevent(
            "off",
            "DTSTART:20270303T090000Z",
            "DTEND:20270303T100000Z",
            "STATUS:CANCELLED",
        ),
        vevent(
            "maybe",
            "DTSTART:20270304T090000Z",
            "DTEND:20270304T100000Z",
            "STATUS:TENTATIVE",
        ),
    )

    assert read(data) == [(utc(2027, 3, 4, 9), utc(2027, 3, 4, 10))]


def test_busy_cancelled_instance_of_a_series_is_free():
    data = vcalendar(
        vevent(
            "standup",
            "DTSTART:20270301T090000Z",
            "DTEND:20270301T091500Z",
            "RRULE:FREQ=DAILY;COUNT=3",
        ),
        vevent(
            "standup",
            "RECURRENCE-ID:20270302T090000Z",
            "DTSTART:20270302T090000Z",
            "DTEND:20270302T091500Z",
            "STATUS:CANCELLED",
        ),
    )

    assert read(data) == [
        (utc(2027, 3, 1, 9), utc(2027, 3, 1, 9, 15)),
        (utc(2027, 3, 3, 9), utc(2027, 3, 3, 9, 15)),
    ]


def test_busy_floating_time_is_read_in_the_consultants_zone():
    data = vcalendar(
        vevent("local", "DTSTART:20270302T090000", "DTEND:20270302T100000")
    )

    assert read(data, zone=TOKYO) == [(utc(2027, 3, 2, 0), utc(2027, 3, 2, 1))]


def test_busy_keeps_only_the_window_and_merges_overlaps():
    data = vcalendar(
        vevent("past", "DTSTART:20270201T090000Z", "DTEND:20270201T100000Z"),
        vevent("a", "DTSTART:20270302T090000Z", "DTEND:20270302T100000Z"),
        vevent("b", "DTSTART:20270302T093000Z", "DTEND:20270302T110000Z"),
        vevent("c", "DTSTART:20270302T110000Z", "DTEND:20270302T113000Z"),
        vevent("later", "DTSTART:20270601T090000Z", "DTEND:20270601T100000Z"),
    )

    assert read(data) == [(utc(2027, 3, 2, 9), utc(2027, 3, 2, 11, 30))]


def test_busy_refuses_a_page_that_is_not_a_calendar():
    with pytest.raises(FeedInvalid, match="did not return"):
        read(b"<!doctype html><title>Sign in</title>")


def test_busy_refuses_a_broken_calendar():
    data = vcalendar(vevent("broken", "DTSTART:not-a-date", "DTEND:20270302T100000Z"))

    with pytest.raises(FeedInvalid):
        read(data)


def test_busy_refuses_a_series_repeating_more_often_than_daily():
    data = vcalendar(
        vevent(
            "flood",
            "DTSTART:20270301T090000Z",
            "DTEND:20270301T090001Z",
            "RRULE:FREQ=MINUTELY",
        )
    )

    with pytest.raises(FeedInvalid, match="more often than daily"):
        read(data)
