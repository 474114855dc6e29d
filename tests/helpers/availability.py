"""Slot computation in tables: zones, an open policy, and schedules built from
local hours, with the UTC starts they give."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bookings.availability import (
    Busy,
    ConsultantSchedule,
    DateOverride,
    Policy,
    TimeOff,
    TimeRange,
    WeeklyHours,
    free_slots,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
TOKYO = ZoneInfo("Asia/Tokyo")
KOLKATA = ZoneInfo("Asia/Kolkata")
KATHMANDU = ZoneInfo("Asia/Kathmandu")
CHATHAM = ZoneInfo("Pacific/Chatham")
ST_JOHNS = ZoneInfo("America/St_Johns")
ZONE_UTC = ZoneInfo("UTC")

# Notice off and a long horizon, so tables see every slot of the day they ask for.
OPEN = Policy(minimum_notice_minutes=0, horizon_days=3650)
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def hours(start: str, end: str) -> TimeRange:
    return TimeRange(time.fromisoformat(start), time.fromisoformat(end))


def every_day(*ranges: TimeRange) -> WeeklyHours:
    return WeeklyHours(dict.fromkeys(range(7), ranges))


def schedule(
    tz: ZoneInfo = ZONE_UTC,
    weekly: WeeklyHours | None = None,
    *,
    key: object = "c1",
    overrides: tuple[DateOverride, ...] = (),
    time_off: tuple[TimeOff, ...] = (),
    busy: tuple[Busy, ...] = (),
    held: tuple[Busy, ...] = (),
) -> ConsultantSchedule:
    return ConsultantSchedule(
        key=key,
        tz=tz,
        weekly=weekly or every_day(hours("09:00", "17:00")),
        overrides=overrides,
        time_off=time_off,
        busy=busy,
        held=held,
    )


def starts_on(
    consultant: ConsultantSchedule,
    day: date,
    policy: Policy = OPEN,
    now: datetime = LONG_AGO,
) -> list[datetime]:
    """Starts offered on the consultant's local ``day``."""
    window_start = datetime.combine(day, time(0), consultant.tz)
    window_end = datetime.combine(day + timedelta(days=1), time(0), consultant.tz)
    slots = free_slots([consultant], policy, now, window_start, window_end)
    return [slot.start for slot in slots]


def every(first: datetime, count: int, minutes: int = 30) -> list[datetime]:
    return [first + timedelta(minutes=minutes * k) for k in range(count)]
