"""Benchmark: reading 20 consultants' calendar feeds of 2,000 events each (200 of them
weekly series in the consultants' own zones), and the booking page with that busy time.

Run: ``python bench/bench_calendars.py`` (SQLite, in memory) or with
``DATABASE_URL=postgres://...`` (a database of its own, the name with ``_bench_calendars``
appended, created and dropped here). The feeds are served by a local HTTP server with
ETags, read through ``calendars.services.feed_sync`` as the beat task reads them. Prints
three JSON lines: the first read of every feed (parse, expand, store), the next read
("not modified"), and the booking page's week selector (queries, median time) and whole
``/book/`` page with the busy time stored. The query count must be the same as before the
calendars were read (6, or 10 when the week shown has no free time left and the rest of
the horizon is read for the next one).
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_booking_queries import median_ms, setup_django  # noqa: E402
from bench.seed import ZONES  # noqa: E402

CALENDARS = 20
EVENTS = 2_000
SERIES = 200
SYNC_TARGET_S = 3.0
NOT_MODIFIED_TARGET_S = 0.2
SELECTOR_TARGET_MS = 50.0
PAGE_TARGET_MS = 100.0


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def feed(rng: random.Random, zone: str, now: datetime) -> bytes:
    """A calendar as Google exports one: single meetings over a year around now, and
    weekly series (some ended, some with an exception) in the owner's zone."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Bench//Feeds//EN"]
    for n in range(EVENTS - SERIES):
        start = now + timedelta(
            days=rng.randrange(-180, 180), minutes=30 * rng.randrange(14, 40)
        )
        end = start + timedelta(minutes=rng.choice((30, 45, 60, 90)))
        lines += [
            "BEGIN:VEVENT",
            f"UID:single-{n}@bench",
            "DTSTAMP:20260101T000000Z",
            f"DTSTART:{stamp(start)}",
            f"DTEND:{stamp(end)}",
            "SUMMARY:Meeting",
            *(["TRANSP:TRANSPARENT"] if n % 17 == 0 else []),
            "END:VEVENT",
        ]
    for n in range(SERIES):
        first = (now - timedelta(days=rng.randrange(0, 300))).astimezone(UTC)
        local = f"{first:%Y%m%d}T{rng.randrange(8, 18):02d}{rng.choice((0, 30)):02d}00"
        until = "" if n % 3 else f";UNTIL={stamp(now + timedelta(days=90))}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:series-{n}@bench",
            "DTSTAMP:20260101T000000Z",
            f"DTSTART;TZID={zone}:{local}",
            f"DURATION:PT{rng.choice((30, 60))}M",
            f"RRULE:FREQ=WEEKLY{until}",
            "SUMMARY:Weekly",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


class Feeds:
    def __init__(self, bodies: dict[str, bytes]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = bodies[self.path]
                tag = f'"{hash(body)}"'
                if self.headers.get("If-None-Match") == tag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", tag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"


def populate(rng: random.Random, now: datetime) -> tuple[list[int], Feeds]:
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    from bookings.models import BookingPolicy, Consultant, WeeklyHours  # noqa: PLC0415
    from calendars import services  # noqa: PLC0415
    from calendars.models import CalendarFeed  # noqa: PLC0415

    BookingPolicy.objects.get_or_create(pk=BookingPolicy.SINGLETON_ID)
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench{n}", is_staff=True) for n in range(CALENDARS)
    )
    consultants = Consultant.objects.bulk_create(
        Consultant(
            user=user, display_name=f"Consultant {n:02d}", timezone=ZONES[n % 10]
        )
        for n, user in enumerate(users)
    )
    WeeklyHours.objects.bulk_create(
        WeeklyHours(consultant=c, weekday=day, start=clock(8), end=clock(18))
        for c in consultants
        for day in range(5)
    )
    bodies = {
        f"/{n}.ics": feed(rng, consultant.timezone, now)
        for n, consultant in enumerate(consultants)
    }
    feeds = Feeds(bodies)
    ids = []
    for n, consultant in enumerate(consultants):
        made = services.feed_save(
            feed=CalendarFeed(consultant=consultant, name="Work"),
            url=feeds.url(f"/{n}.ics"),
        )
        ids.append(made.pk)
    return ids, feeds


def main() -> None:  # noqa: PLR0915 -- one measured scenario, top to bottom
    setup_django()
    from django.conf import settings  # noqa: PLC0415
    from django.core.cache import caches  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import (  # noqa: PLC0415
        CaptureQueriesContext,
        setup_test_environment,
        teardown_test_environment,
    )
    from django.utils import timezone  # noqa: PLC0415

    from bookings import selectors  # noqa: PLC0415
    from bookings.models import BusyInterval  # noqa: PLC0415
    from calendars import services  # noqa: PLC0415
    from consult.timezones import zone_or_none  # noqa: PLC0415

    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    zone = zone_or_none("Asia/Tokyo")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        now = timezone.now()
        ids, _feeds = populate(random.Random(20261205), now)

        with CaptureQueriesContext(connection) as captured:
            selectors.availability_week_get(zone=zone)
        queries_before = len(captured)
        week_ms_before = median_ms(lambda: selectors.availability_week_get(zone=zone))

        first = []
        for feed_id in ids:
            started = time.perf_counter()
            result = services.feed_sync(feed_id=feed_id, now=now)
            first.append(time.perf_counter() - started)
            assert result.ok, result.error  # noqa: S101
        again = []
        for feed_id in ids:
            started = time.perf_counter()
            result = services.feed_sync(
                feed_id=feed_id, now=now + timedelta(minutes=10)
            )
            again.append(time.perf_counter() - started)
            assert result.ok, result  # noqa: S101
            assert not result.changed, result  # noqa: S101
        intervals = BusyInterval.objects.count()

        with CaptureQueriesContext(connection) as captured:
            shown = selectors.availability_week_get(zone=zone)
        week_queries = len(captured)
        week_ms = median_ms(lambda: selectors.availability_week_get(zone=zone))
        client = Client()

        def page_cold() -> None:
            for cache in caches.all():
                cache.clear()
            client.get("/book/?tz=Asia/Tokyo")

        page_ms = median_ms(page_cold)
        assert client.get("/book/?tz=Asia/Tokyo").status_code == 200  # noqa: S101
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    backend = connection.vendor
    sync_median = statistics.median(first)
    print(
        json.dumps(
            {
                "name": f"calendar feeds, first read ({backend}): 20 calendars of 2,000 events, 200 weekly series",
                "total_s": round(sum(first), 2),
                "median_s": round(sync_median, 3),
                "max_s": round(max(first), 3),
                "busy_intervals": intervals,
                "target": f"median < {SYNC_TARGET_S:g} s per calendar",
                "ok": sync_median < SYNC_TARGET_S,
            }
        )
    )
    again_median = statistics.median(again)
    print(
        json.dumps(
            {
                "name": f"calendar feeds, next read, not modified ({backend})",
                "total_s": round(sum(again), 2),
                "median_s": round(again_median, 3),
                "target": f"median < {NOT_MODIFIED_TARGET_S:g} s per calendar",
                "ok": again_median < NOT_MODIFIED_TARGET_S,
            }
        )
    )
    print(
        json.dumps(
            {
                "name": f"booking week with calendar busy time ({backend}): 20 consultants",
                "queries": week_queries,
                "queries_without_calendars": queries_before,
                "slots": len(shown.slots),
                "median_ms": week_ms,
                "median_ms_without_calendars": week_ms_before,
                "page_cold_median_ms": page_ms,
                "target": f"queries as without calendars, week < {SELECTOR_TARGET_MS:g} ms, page < {PAGE_TARGET_MS:g} ms",
                "ok": week_queries == queries_before
                and week_ms < SELECTOR_TARGET_MS
                and page_ms < PAGE_TARGET_MS,
            }
        )
    )


if __name__ == "__main__":
    main()
