"""Busy time from an iCalendar file: pure, no Django, no I/O.

``busy_from_ics`` reads a feed's bytes and returns the instants, in UTC, during which the
consultant is busy within a window. What counts:

* every VEVENT occurrence overlapping the window, recurring series expanded in the event's
  own zone (RRULE, RDATE, EXDATE and overridden instances, by ``recurring-ical-events``),
  so a weekly 09:00 in New York stays 09:00 there across either side's DST change;
* feeds that name their zone only in ``X-WR-TIMEZONE`` (Google's exports of some
  calendars) are first rewritten to standard TZIDs (``x-wr-timezone``);
* all-day events block their local dates in the consultant's zone, midnight to midnight,
  multi-day ones every date they cover; floating times are read in the consultant's zone;
* TRANSP:TRANSPARENT ("show as free") and STATUS:CANCELLED occurrences are not busy;
  tentative ones are.

Overlapping and touching intervals are merged, so a calendar stores no more rows than it
has separate busy stretches.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import recurring_ical_events
import x_wr_timezone
from icalendar import Calendar

from bookings.availability import time_off_for_dates

if TYPE_CHECKING:
    from collections.abc import Iterable
    from zoneinfo import ZoneInfo

    from icalendar.cal.component import Component

# Past this many occurrences in the window a feed is refused rather than allowed to fill
# the database; series repeating more often than daily are refused before they are
# expanded (no calendar app offers them, and a minutely one would expand for minutes).
MAX_OCCURRENCES = 50_000
_FLOODS = {"SECONDLY", "MINUTELY", "HOURLY"}

Interval = tuple[datetime, datetime]


class FeedInvalid(ValueError):
    """The file is not a calendar Consult can read; the message says why, for people."""


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        # A floating time is wall-clock time of whoever reads it: the consultant.
        aware = value if value.tzinfo is not None else value.replace(tzinfo=zone)
        return aware.astimezone(UTC)
    return time_off_for_dates(value, value, zone).start


def _value(event: Component, name: str) -> object:
    # The typed value of a date, time or duration property, whatever its wrapper.
    return getattr(event.get(name), "dt", None)


def _occurrence(event: Component, zone: ZoneInfo) -> Interval | None:
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return None
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    start_value = _value(event, "DTSTART")
    if not isinstance(start_value, date):
        return None
    end_value = _value(event, "DTEND")
    duration = _value(event, "DURATION")
    if isinstance(end_value, date):
        pass
    elif isinstance(duration, timedelta):
        end_value = start_value + duration
    elif isinstance(start_value, datetime):
        # RFC 5545: a timed event without an end takes no time.
        return None
    else:
        end_value = start_value + timedelta(days=1)

    if not isinstance(start_value, datetime):
        # All-day: local dates in the consultant's zone, the end date exclusive.
        end_date = end_value.date() if isinstance(end_value, datetime) else end_value
        last = max(end_date - timedelta(days=1), start_value)
        span = time_off_for_dates(start_value, last, zone)
        return span.start, span.end
    start, end = _instant(start_value, zone), _instant(end_value, zone)
    return (start, end) if end > start else None


def _refuse_floods(calendar: Calendar) -> None:
    for event in calendar.walk("VEVENT"):
        rules = event.get("RRULE")
        for rule in rules if isinstance(rules, list) else [rules]:
            if rule is not None and set(map(str, rule.get("FREQ", []))) & _FLOODS:
                raise FeedInvalid(
                    f'The event "{event.get("SUMMARY", "")}" repeats more often than '
                    "daily, which Consult does not read."
                )


def merged(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of ``intervals``, sorted, touching ones joined."""
    result: list[Interval] = []
    for start, end in sorted(intervals):
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def calendar_parse(data: bytes) -> Calendar:
    """The calendar in ``data``, in standard TZIDs; ``FeedInvalid`` if it is none."""
    try:
        calendars = Calendar.from_ical(data, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise FeedInvalid("The address did not return a readable calendar.") from exc
    found = [item for item in calendars if item.name == "VCALENDAR"]
    if not found:
        raise FeedInvalid("The address did not return a calendar (no VCALENDAR).")
    try:
        standard: Calendar = x_wr_timezone.to_standard(found[0])
    except (ValueError, KeyError) as exc:
        raise FeedInvalid(
            "The calendar names a time zone that does not exist."
        ) from exc
    return standard


def busy_from_calendar(
    calendar: Calendar,
    *,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    skip_uid_suffix: str = "",
) -> list[Interval]:
    """Busy time of ``calendar`` overlapping ``[start, end)``, merged, in UTC.

    Events whose UID ends with ``skip_uid_suffix`` are left out: Consult's own calls,
    which block their time as bookings already (and must not block their own move).
    """
    _refuse_floods(calendar)
    try:
        occurrences = recurring_ical_events.of(calendar).between(start, end)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        # recurring-ical-events raises its own errors (subclasses of these) for broken
        # rules and dates.
        raise FeedInvalid(
            f"The calendar has an event Consult cannot read: {exc}"
        ) from exc
    if len(occurrences) > MAX_OCCURRENCES:
        raise FeedInvalid(
            f"The calendar has more than {MAX_OCCURRENCES} events in the booking horizon."
        )
    found: list[Interval] = []
    for event in occurrences:
        if skip_uid_suffix and str(event.get("UID", "")).endswith(skip_uid_suffix):
            continue
        try:
            interval = _occurrence(event, zone)
        except (ValueError, TypeError, AttributeError) as exc:
            raise FeedInvalid(
                f"The calendar has an event Consult cannot read: {exc}"
            ) from exc
        if interval is not None and interval[1] > start and interval[0] < end:
            found.append(interval)
    return merged(found)


def busy_from_ics(
    data: bytes,
    *,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    skip_uid_suffix: str = "",
) -> list[Interval]:
    """``busy_from_calendar`` of the file ``data``."""
    return busy_from_calendar(
        calendar_parse(data),
        zone=zone,
        start=start,
        end=end,
        skip_uid_suffix=skip_uid_suffix,
    )
