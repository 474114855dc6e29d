"""Benchmark: the whole journey over HTTP, against gunicorn with the production settings.

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/consult python
bench/bench_http.py`` (Redis from ``CELERY_BROKER_URL``, default
``redis://127.0.0.1:6379``). It

1. drops, creates and migrates a database of its own (the name with
   ``_bench_http`` appended) and seeds it (``http_seed.py``): 20 consultants in
   ten zones with weekly hours and 2,000 bookings over the 30-day horizon (the
   price book comes from its migration), plus draft and submitted assessments
   for the load to work on;
2. counts each page's SQL queries through Django's test client at two data
   sizes (``http_queries.py``: 5 consultants and 500 bookings, then 20 and 2,000;
   assessments with 1 use case, then 10): the count must not change;
3. collects the static files into a temporary folder and starts gunicorn
   (``consult/gunicorn.conf.py``) on a free port of 127.0.0.1 with debug off,
   PostgreSQL through psycopg's pool, Redis for the broker (database 11) and the
   cache (database 12), and a local SMTP sink (``http_stack.py``);
4. runs locust (``bench/locust_journey.py``, planned and started by
   ``http_load.py``): one phase per page with a short ``/ping`` phase before and
   after each, every user closed loop, so each page's requests per second is its
   capacity on this server, reported as a ratio to the mean of the two ``/ping``
   phases around it (``http_report.py``);
5. races 50 clients, each with its own CSRF cookie and form, to book one slot
   with one consultant at the same instant (``http_race.py``).

Rate limits are off (``RATELIMIT_ENABLED=false``): all the load comes from
one address, which the per-IP limits would rightly refuse after a few dozen
requests. No Celery worker runs: the submit and booking requests publish their
tasks to Redis as in production, but the PDF builds and emails they queue
would compete for the same two cores and blur the web figures.

Prints one JSON line per page and one for the race. ``BENCH_HTTP_USERS``
(default 12) sets the number of locust users, ``BENCH_HTTP_SECONDS`` each
phase's length, ``BENCH_HTTP_ONLY=slots_get,about_post`` loads only those
pages (the actions in ``PAGES``), ``BENCH_KEEP_LOG=1`` keeps gunicorn's and locust's logs, and
``GUNICORN_WORKERS``/``GUNICORN_THREADS`` pass through to gunicorn, and
``BENCH_HTTP_BROKER_DB``/``BENCH_HTTP_CACHE_DB`` pick the Redis databases it flushes and
uses (11 and 12).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Imports after the insert: a script has bench/ itself on its path, not the root above it.
from bench.http_load import USERS, load_run, phase_figures, plan_build  # noqa: E402 -- after the insert
from bench.http_queries import query_counts_at_two_sizes  # noqa: E402 -- after the insert
from bench.http_race import booking_race  # noqa: E402 -- after the insert
from bench.http_report import page_rows, ping_row, sequential_scans_report  # noqa: E402 -- after the insert
from bench.http_seed import (  # noqa: E402 -- after the insert
    CONSULTANTS,
    free_slots_by_consultant,
    user_fixtures,
)
from bench.http_stack import (  # noqa: E402 -- after the insert
    database_drop,
    database_recreate,
    free_port,
    gunicorn_start,
    process_stop,
    redis_urls,
    server_env,
    smtp_start,
)


def main() -> None:  # noqa: PLR0915 -- one straight-line scenario with its cleanup
    if not 0 < USERS <= CONSULTANTS:
        # Each user books with consultants of its own, so no two wait on one lock.
        sys.exit(f"BENCH_HTTP_USERS must be 1 to {CONSULTANTS}")
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL")
    broker_url, cache_url = redis_urls()
    workdir = Path(tempfile.mkdtemp(prefix="bench-http-"))
    smtp_port = free_port()
    port = free_port()
    bench_url = database_recreate(database_url)

    env = server_env(
        workdir=workdir,
        port=port,
        smtp_port=smtp_port,
        database_url=bench_url,
        broker_url=broker_url,
        cache_url=cache_url,
    )
    # This process seeds and counts queries; it needs no pool of its own, and must
    # hold no connection when the database is dropped.
    os.environ.update({**env, "DATABASE_POOL": "false"})

    import django  # noqa: PLC0415 -- after the environment is set

    django.setup()

    import redis  # noqa: PLC0415
    from django.conf import settings  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    redis_clients = [redis.Redis.from_url(url) for url in (broker_url, cache_url)]
    for client in redis_clients:
        client.flushdb()

    smtp = gunicorn = None
    rng = random.Random(20261126)
    try:
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)

        small, large = query_counts_at_two_sizes(rng)
        tokens = user_fixtures(USERS)
        slots = free_slots_by_consultant()
        race_consultant = min(slots)
        race_start = slots[race_consultant][len(slots[race_consultant]) // 2]
        plan = plan_build(tokens, slots, (race_consultant, race_start))
        connection.close()
        for client in redis_clients:
            client.flushdb()

        smtp = smtp_start(smtp_port)
        gunicorn = gunicorn_start(env, workdir / "gunicorn.log", port)
        results = load_run(
            plan, port, workdir, (gunicorn.pid, urlparse(bench_url).path.lstrip("/"))
        )
        race = booking_race(port, race_consultant, race_start)
        sequential_scans_report()
        connection.close()
    finally:
        process_stop(gunicorn)
        if smtp is not None:
            smtp.stop()
        connection.close()
        for client in redis_clients:
            client.flushdb()
        database_drop(database_url, bench_url)
        if os.environ.get("BENCH_KEEP_LOG"):
            print(f"logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    figures = phase_figures(results, plan)[1:]  # without the warm-up
    print(json.dumps(ping_row(figures, large)))
    for line in page_rows(
        figures, small=small, large=large, exhausted=results["exhausted"]
    ):
        print(json.dumps(line))
    print(json.dumps(race))


if __name__ == "__main__":
    main()
