"""Benchmark: free slots for 20 consultants over a 30-day horizon with 2,000 bookings.

Run: ``python bench/bench_availability.py``. Prints one JSON line. The horizon starts on
2027-03-20, so it crosses the European (2027-03-28) and southern-hemisphere (2027-04-04)
DST changes.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bookings.availability import (
    Busy,
    ConsultantSchedule,
    DateOverride,
    Policy,
    TimeOff,
    TimeRange,
    WeeklyHours,
    free_slots,
    time_off_for_dates,
)

NAME = "slots: 20 consultants x 30 days, 2,000 bookings"
TARGET_MS = 20.0
RUNS = 50
CONSULTANTS = 20
BOOKINGS = 2_000

ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Europe/London",
    "Asia/Tokyo",
    "America/St_Johns",
    "Australia/Adelaide",
    "Pacific/Chatham",
    "America/Sao_Paulo",
    "UTC",
    "Africa/Nairobi",
    "Asia/Tehran",
    "Europe/Helsinki",
    "America/Chicago",
    "Australia/Lord_Howe",
    "Asia/Singapore",
    "America/Denver",
)

NOW = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)
POLICY = Policy(
    buffer_before_minutes=5,
    buffer_after_minutes=5,
    minimum_notice_minutes=720,
    horizon_days=30,
    max_per_day=6,
)


def build_schedules(rng: random.Random) -> list[ConsultantSchedule]:
    split_day = (TimeRange(clock(9), clock(12)), TimeRange(clock(13), clock(17)))
    long_day = (TimeRange(clock(8), clock(16)),)
    first_day = NOW.date()
    bookings_each = BOOKINGS // CONSULTANTS
    schedules = []
    for index, zone_name in enumerate(ZONES[:CONSULTANTS]):
        zone = ZoneInfo(zone_name)
        day_ranges = split_day if index % 2 else long_day
        weekly = WeeklyHours(dict.fromkeys(range(5), day_ranges))
        override_day = first_day + timedelta(days=rng.randrange(30))
        overrides = (
            DateOverride(override_day, (TimeRange(clock(10), clock(14)),)),
            DateOverride(override_day + timedelta(days=1), ()),
        )
        holiday = first_day + timedelta(days=rng.randrange(30))
        time_off = (
            time_off_for_dates(holiday, holiday + timedelta(days=1), zone),
            TimeOff(
                datetime.combine(first_day + timedelta(days=3), clock(14), zone),
                datetime.combine(first_day + timedelta(days=3), clock(16), zone),
            ),
        )
        busy = tuple(
            sorted(
                (_random_booking(rng, zone, first_day) for _ in range(bookings_each)),
                key=lambda b: b.start,
            )
        )
        schedules.append(
            ConsultantSchedule(
                key=index,
                tz=zone,
                weekly=weekly,
                overrides=overrides,
                time_off=time_off,
                busy=busy,
            )
        )
    return schedules


def _random_booking(rng: random.Random, zone: ZoneInfo, first_day: date) -> Busy:
    day = first_day + timedelta(days=rng.randrange(31))
    start_local = datetime.combine(day, clock(8), zone) + timedelta(
        minutes=30 * rng.randrange(18)
    )
    start = start_local.astimezone(UTC)
    return Busy(start, start + timedelta(minutes=30))


def main() -> None:
    schedules = build_schedules(random.Random(20261126))
    assert sum(len(s.busy) for s in schedules) == BOOKINGS  # noqa: S101
    free_slots(schedules, POLICY, NOW)  # warm the zone caches
    timings_ms = []
    for _ in range(RUNS):
        started = time.perf_counter()
        free_slots(schedules, POLICY, NOW)
        timings_ms.append((time.perf_counter() - started) * 1000)
    timings_ms.sort()
    median = statistics.median(timings_ms)
    p95 = timings_ms[min(len(timings_ms) - 1, round(0.95 * len(timings_ms)) - 1)]
    print(
        json.dumps(
            {
                "name": NAME,
                "median_ms": round(median, 2),
                "p95_ms": round(p95, 2),
                "target": f"median < {TARGET_MS:g} ms",
                "ok": median < TARGET_MS,
            }
        )
    )


if __name__ == "__main__":
    main()
