"""Benchmark: the booking page's reads for 20 consultants, 30 days and 2,000 bookings.

Run: ``python bench/bench_booking_queries.py`` (SQLite, in memory) or with
``DATABASE_URL=postgres://...`` (a database of its own, the name with
``_bench_booking`` appended, created and dropped here). Prints three JSON lines: the
selector the booking page uses (one week), the whole-horizon selector behind rescheduling
and the alternatives to a taken slot (queries and median time, database included), and
the whole ``/book/`` page through Django's test client (median time, rendering
included, with nothing cached and then with its week cached). The query count must not depend on how many consultants or bookings there
are.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seed import consultants_seed, django_setup  # noqa: E402 -- after the path is set

CONSULTANTS = 20
BOOKINGS = 2_000
RUNS = 30
QUERIES = 6
SELECTOR_TARGET_MS = 50.0
PAGE_TARGET_MS = 100.0


def setup_django() -> None:
    django_setup(database_suffix="bench_booking")


def populate(rng: random.Random) -> None:
    from django.utils import timezone  # noqa: PLC0415

    from bench.seed import booking_row  # noqa: PLC0415 -- after Django is set up
    from bookings.models import (  # noqa: PLC0415
        Booking,
        BookingPolicy,
        TimeOff,
    )

    BookingPolicy.objects.get_or_create(pk=BookingPolicy.SINGLETON_ID)
    consultants = consultants_seed(count=CONSULTANTS, prefix="bench")
    now = timezone.now()
    TimeOff.objects.bulk_create(
        TimeOff(
            consultant=c,
            start=now + timedelta(days=rng.randrange(5, 25)),
            end=now + timedelta(days=rng.randrange(26, 29)),
        )
        for c in consultants[::4]
    )
    # Distinct half-hour starts per consultant, so none overlap.
    first = now.replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    starts = [first + timedelta(minutes=30 * k) for k in range(28 * 48)]
    bookings = []
    for n in range(BOOKINGS):
        consultant = consultants[n % CONSULTANTS]
        start = starts[(n // CONSULTANTS) * 13 % len(starts)]
        start += timedelta(minutes=30 * rng.randrange(0, 2))
        bookings.append(booking_row(consultant=consultant, start=start, n=n))
    Booking.objects.bulk_create(bookings, ignore_conflicts=False)


def median_ms(action) -> float:
    action()  # warm caches (zones, templates)
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 2)


def main() -> None:
    setup_django()
    from django.core.cache import caches  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import (  # noqa: PLC0415
        CaptureQueriesContext,
        setup_test_environment,
        teardown_test_environment,
    )

    from bookings import selectors  # noqa: PLC0415
    from consult.timezones import zone_or_none  # noqa: PLC0415

    zone = zone_or_none("Asia/Tokyo")

    def week() -> selectors.WeekAvailability:
        return selectors.availability_week_get(zone=zone)

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        populate(random.Random(20261126))
        with CaptureQueriesContext(connection) as captured:
            shown = week()
        week_queries = len(captured)
        week_ms = median_ms(week)
        with CaptureQueriesContext(connection) as captured:
            found = selectors.availability_get()
        queries = len(captured)
        selector_ms = median_ms(selectors.availability_get)
        client = Client()

        def page_cold() -> None:
            # The page as the first visitor after a change sees it: nothing cached.
            for cache in caches.all():
                cache.clear()
            client.get("/book/?tz=Asia/Tokyo")

        page_ms = median_ms(page_cold)
        page_warm_ms = median_ms(lambda: client.get("/book/?tz=Asia/Tokyo"))
        assert client.get("/book/?tz=Asia/Tokyo").status_code == 200  # noqa: S101
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    backend = connection.vendor
    print(
        json.dumps(
            {
                "name": f"booking week selector ({backend}): 20 consultants, 2,000 bookings",
                "queries": week_queries,
                "slots": len(shown.slots),
                "median_ms": week_ms,
                "target": f"{QUERIES} queries, median < {SELECTOR_TARGET_MS:g} ms",
                "ok": week_queries == QUERIES and week_ms < SELECTOR_TARGET_MS,
            }
        )
    )
    print(
        json.dumps(
            {
                "name": f"booking slots selector, whole horizon ({backend}): 20 consultants, 2,000 bookings",
                "queries": queries,
                "slots": len(found.slots),
                "median_ms": selector_ms,
                "target": f"{QUERIES} queries, median < {SELECTOR_TARGET_MS:g} ms",
                "ok": queries == QUERIES and selector_ms < SELECTOR_TARGET_MS,
            }
        )
    )
    print(
        json.dumps(
            {
                "name": f"/book/ page ({backend}): 20 consultants, 2,000 bookings",
                "median_ms": page_ms,
                "cached_median_ms": page_warm_ms,
                "target": f"median < {PAGE_TARGET_MS:g} ms",
                "ok": page_ms < PAGE_TARGET_MS,
            }
        )
    )


if __name__ == "__main__":
    main()
