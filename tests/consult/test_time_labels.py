"""The product's labels for an instant: one table, both clocks, both sides of each
clock change, and zones off the hour."""

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from consult.timezones import Times, date_label, zone_prefers_12_hour

H = timedelta(minutes=30)


@pytest.mark.parametrize(
    ("zone", "instant", "hour12", "when", "zone_name"),
    [
        # Berlin: winter, then both sides of the spring change (29 March 2026, 02:00
        # CET becomes 03:00 CEST) and of the autumn one (25 October, 03:00 CEST
        # becomes 02:00 CET: 02:00-03:00 happens twice, and says which).
        (
            "Europe/Berlin",
            datetime(2026, 12, 3, 17, 30, tzinfo=UTC),
            False,
            "Thursday 3 December 2026, 18:30\u201319:00",
            "Berlin time (CET)",
        ),
        (
            "Europe/Berlin",
            datetime(2026, 12, 3, 17, 30, tzinfo=UTC),
            True,
            "Thursday 3 December 2026, 6:30 PM\u20137:00 PM",
            "Berlin time (CET)",
        ),
        (
            "Europe/Berlin",
            datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
            False,
            "Sunday 29 March 2026, 01:59\u201303:29",
            "Berlin time (CET)",
        ),
        (
            "Europe/Berlin",
            datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
            False,
            "Sunday 29 March 2026, 03:00\u201303:30",
            "Berlin time (CEST)",
        ),
        (
            "Europe/Berlin",
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            False,
            "Sunday 25 October 2026, 02:30 CEST\u201302:00 CET",
            "Berlin time (CEST)",
        ),
        (
            "Europe/Berlin",
            datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
            True,
            "Sunday 25 October 2026, 2:30 AM CET\u20133:00 AM",
            "Berlin time (CET)",
        ),
        # New York: spring forward on 8 March 2026, fall back on 1 November.
        (
            "America/New_York",
            datetime(2026, 3, 8, 6, 59, tzinfo=UTC),
            True,
            "Sunday 8 March 2026, 1:59 AM\u20133:29 AM",
            "New York time (EST)",
        ),
        (
            "America/New_York",
            datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
            True,
            "Sunday 8 March 2026, 3:00 AM\u20133:30 AM",
            "New York time (EDT)",
        ),
        (
            "America/New_York",
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
            True,
            "Sunday 1 November 2026, 1:30 AM EDT\u20131:00 AM EST",
            "New York time (EDT)",
        ),
        (
            "America/New_York",
            datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
            False,
            "Sunday 1 November 2026, 01:30 EST\u201302:00",
            "New York time (EST)",
        ),
        # Noon and midnight on the 12-hour clock.
        (
            "America/New_York",
            datetime(2026, 12, 3, 17, 0, tzinfo=UTC),
            True,
            "Thursday 3 December 2026, 12:00 PM\u201312:30 PM",
            "New York time (EST)",
        ),
        (
            "America/New_York",
            datetime(2026, 12, 3, 5, 0, tzinfo=UTC),
            True,
            "Thursday 3 December 2026, 12:00 AM\u201312:30 AM",
            "New York time (EST)",
        ),
        # Half an hour and three quarters off the hour.
        (
            "Asia/Kolkata",
            datetime(2026, 12, 3, 4, 0, tzinfo=UTC),
            True,
            "Thursday 3 December 2026, 9:30 AM\u201310:00 AM",
            "Kolkata time (IST)",
        ),
        (
            "Asia/Kolkata",
            datetime(2026, 12, 3, 4, 0, tzinfo=UTC),
            False,
            "Thursday 3 December 2026, 09:30\u201310:00",
            "Kolkata time (IST)",
        ),
        (
            "Pacific/Chatham",
            datetime(2026, 12, 3, 0, 0, tzinfo=UTC),
            False,
            "Thursday 3 December 2026, 13:45\u201314:15",
            "Chatham Islands time (UTC+13:45)",
        ),
        (
            "Pacific/Chatham",
            datetime(2026, 7, 1, 0, 0, tzinfo=UTC),
            True,
            "Wednesday 1 July 2026, 12:45 PM\u20131:15 PM",
            "Chatham Islands time (UTC+12:45)",
        ),
        (
            "UTC",
            datetime(2026, 7, 1, 0, 0, tzinfo=UTC),
            False,
            "Wednesday 1 July 2026, 00:00\u201300:30",
            "UTC",
        ),
    ],
)
def test_when_label_and_zone_name(zone, instant, hour12, when, zone_name):
    times = Times.of(zone, hour12=hour12)

    assert times.when(instant, instant + H) == when
    assert times.zone_label(instant) == zone_name
    assert times.zoned(times.when(instant, instant + H), instant) == (
        f"{when} {zone_name}"
    )
    day, _, clocks = when.partition(", ")
    first = clocks.partition("\u2013")[0]
    assert times.day(instant) == day
    assert times.start(instant) == f"{day}, {first}"
    assert times.time(instant) == first


@pytest.mark.parametrize(
    ("zone", "hour12"),
    [
        ("America/Los_Angeles", True),
        ("America/New_York", True),
        ("Asia/Kolkata", True),
        ("Australia/Sydney", True),
        ("Europe/Berlin", False),
        ("Europe/London", False),
        ("Asia/Tokyo", False),
        ("UTC", False),
        ("Etc/GMT+5", False),
        ("Not/AZone", False),
    ],
)
def test_a_zones_clock_is_its_countrys(zone, hour12):
    assert zone_prefers_12_hour(zone) is hour12
    assert Times.of(zone).hour12 is hour12


def test_an_unknown_zone_reads_as_utc_rather_than_failing():
    times = Times.of("Not/AZone")

    assert (times.tz_name, times.zone_label(datetime(2026, 1, 1, tzinfo=UTC))) == (
        "UTC",
        "UTC",
    )


def test_a_page_of_times_across_a_clock_change_names_the_zone_without_letters():
    assert Times.of("America/New_York").heading() == "All times in New York time."
    assert Times.of("UTC").heading() == "All times in UTC."
    assert (
        Times.of("Europe/Berlin").heading(datetime(2026, 7, 1, tzinfo=UTC))
        == "All times in Berlin time (CEST)."
    )


def test_date_label_has_no_leading_zero():
    assert date_label(date(2026, 3, 5)) == "5 March 2026"


TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Django's own ways of writing a date or time in a template; the product's are the
# consult_time filters, built on consult.timezones.
RAW = re.compile(
    r"\|\s*(?:date|time|naturaltime|naturalday|timesince|timeuntil)\b|\{%\s*now\b"
)


def test_no_template_writes_a_date_or_time_its_own_way():
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}"
        for path in sorted(TEMPLATES.rglob("*"))
        if path.is_file() and path.suffix in {".html", ".txt"}
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if RAW.search(line)
    ]

    assert found == []
