"""Benchmark: the whole journey over HTTP, against gunicorn with the production settings.

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/consult python
bench/bench_http.py`` (Redis from ``CELERY_BROKER_URL``, default
``redis://127.0.0.1:6379``). It

1. drops, creates and migrates a database of its own (the name with
   ``_bench_http`` appended) and seeds it: 20 consultants in ten zones with
   weekly hours and 2,000 bookings over the 30-day horizon (the price book
   comes from its migration), plus draft and submitted assessments for the
   load to work on;
2. counts each page's SQL queries through Django's test client at two data
   sizes (5 consultants and 500 bookings, then 20 and 2,000; assessments with 1
   use case, then 10): the count must not change;
3. collects the static files into a temporary folder and starts gunicorn
   (``consult/gunicorn.conf.py``) on a free port of 127.0.0.1 with debug off,
   PostgreSQL through psycopg's pool, Redis for the broker (database 11) and the
   cache (database 12), and a local SMTP sink;
4. runs locust (``bench/locust_journey.py``): one phase per page with a short
   ``/ping`` phase before and after each, every user closed loop, so each
   page's requests per second is its capacity on this server, reported as a
   ratio to the mean of the two ``/ping`` phases around it;
5. races 50 clients, each with its own CSRF cookie and form, to book one slot
   with one consultant at the same instant.

Rate limits are off (``RATELIMIT_ENABLED=false``): all the load comes from
one address, which the per-IP limits would rightly refuse after a few dozen
requests. No Celery worker runs: the submit and booking requests publish their
tasks to Redis as in production, but the PDF builds and emails they queue
would compete for the same two cores and blur the web figures.

Prints one JSON line per page and one for the race. ``BENCH_HTTP_USERS``
(default 12) sets the number of locust users, ``BENCH_HTTP_SECONDS`` each
phase's length, ``BENCH_HTTP_ONLY=slots_get,about_post`` loads only those
pages (the actions in ``PAGES``), ``BENCH_KEEP_LOG=1`` keeps gunicorn's and locust's logs, and
``GUNICORN_WORKERS``/``GUNICORN_THREADS`` pass through to gunicorn.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent

CONSULTANTS = 20
BOOKINGS = 2_000
SMALL_CONSULTANTS = 5
SMALL_BOOKINGS = 500
USERS = int(os.environ.get("BENCH_HTTP_USERS", "12"))
PHASE_SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "6"))
PING_SECONDS = 3.5
# Comma-separated locust actions (see PAGES) to load only those pages.
ONLY = {a for a in os.environ.get("BENCH_HTTP_ONLY", "").split(",") if a}
# The first part of each phase is not counted: workers that have not served
# this page yet compile its templates, and the previous page's last requests
# drain.
WARMUP_SECONDS = 1.5
RACE_CLIENTS = 50
BROKER_DB = 11
CACHE_DB = 12
MAX_USE_CASES = 10
# Enough drafts that no user runs out within a phase at several hundred requests/s.
USE_CASE_DRAFTS_EACH = 40
SUBMIT_DRAFTS_EACH = 400
WIZARD_RATIO = 0.4
SLOTS_RATIO = 0.25
LOCUST_LIMIT_SECONDS = 400
LOCUST_LEAD_SECONDS = 8

ZONES = (
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "Europe/Berlin",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Los_Angeles",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Europe/Lisbon",
)
USE_CASES = (
    {
        "name": "Support ticket triage",
        "task": "text_classification",
        "monthly_requests": 50_000,
        "input_tokens": 300,
        "output_tokens": 50,
        "latency_budget_ms": 2_000,
    },
    {
        "name": "Contract summaries",
        "task": "summarization",
        "monthly_requests": 5_000,
        "input_tokens": 8_000,
        "output_tokens": 800,
        "proprietary_data": "some",
    },
    {
        "name": "Card fraud scoring",
        "task": "fraud_detection",
        "monthly_requests": 2_000_000,
        "latency_budget_ms": 100,
        "proprietary_data": "substantial",
        "sensitive_data": True,
    },
)

# (name, locust action, expected status, target ratio to /ping or None)
PAGES = (
    ("landing", "landing", 200, None),
    ("wizard start GET", "start_get", 200, WIZARD_RATIO),
    ("wizard start POST", "start_post", 303, WIZARD_RATIO),
    ("wizard about GET", "about_get", 200, WIZARD_RATIO),
    ("wizard about POST", "about_post", 303, WIZARD_RATIO),
    ("wizard organisation GET", "organisation_get", 200, WIZARD_RATIO),
    ("wizard organisation POST", "organisation_post", 303, WIZARD_RATIO),
    ("wizard use case form GET", "use_case_new_get", 200, WIZARD_RATIO),
    ("wizard use case POST", "use_case_new_post", 303, WIZARD_RATIO),
    ("wizard use cases GET", "use_cases_get", 200, WIZARD_RATIO),
    ("wizard use cases POST", "use_cases_post", 303, WIZARD_RATIO),
    ("wizard check GET", "check_get", 200, WIZARD_RATIO),
    ("wizard submit POST", "submit_post", 303, WIZARD_RATIO),
    ("result GET", "result_get", 200, None),
    ("slot listing GET (20 consultants, 2,000 bookings)", "slots_get", 200, None),
    ("booking form GET", "details_get", 200, None),
    ("booking POST", "book_post", 302, None),
)
TARGETS = {"slots_get": SLOTS_RATIO}


# --- processes and services -----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_recreate(url: str) -> str:
    import psycopg  # noqa: PLC0415 -- only needed here

    parsed = urlparse(url)
    name = f"{parsed.path.lstrip('/')}_bench_http"
    with psycopg.connect(url, autocommit=True) as conn:
        # FORCE: a server left over from an interrupted run must not keep it alive.
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return parsed._replace(path=f"/{name}").geturl()


def database_drop(url: str, bench_url: str) -> None:
    import psycopg  # noqa: PLC0415

    name = urlparse(bench_url).path.lstrip("/")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class SmtpSink:
    """Accepts and counts whatever arrives, so nothing ever waits on a mail server."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's hook name
        self.received += len(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def smtp_start(port: int):
    from aiosmtpd.controller import Controller  # noqa: PLC0415

    controller = Controller(
        SmtpSink(), hostname="127.0.0.1", port=port, server_hostname="bench.localhost"
    )
    controller.start()
    return controller


def process_stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    # Each was started in a session of its own: this reaches its workers too.
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def gunicorn_start(env: dict[str, str], log: Path, port: int) -> subprocess.Popen:
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "-c",
                str(ROOT / "consult" / "gunicorn.conf.py"),
                "consult.wsgi:application",
            ],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            status, _, _ = http_request(port, "GET", "/ping")
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200:
            return process
        time.sleep(0.2)
    process_stop(process)
    sys.exit(f"gunicorn did not start:\n{log.read_text()[-3000:]}")


def http_request(
    port: int,
    method: str,
    path: str,
    *,
    body: str | None = None,
    cookie: str = "",
) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        cookies = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, cookies, text
    finally:
        conn.close()


# --- seed data ------------------------------------------------------------------------


def seed_consultants(first: int, count: int):
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    from bookings.models import BookingPolicy, Consultant, WeeklyHours  # noqa: PLC0415

    BookingPolicy.objects.get_or_create(pk=BookingPolicy.SINGLETON_ID)
    user_model = get_user_model()
    numbers = range(first, first + count)
    users = user_model.objects.bulk_create(
        user_model(username=f"bench{n}", is_staff=True) for n in numbers
    )
    expertise = (["api"], ["fine_tune"], ["classical_ml"], ["api", "fine_tune"])
    consultants = Consultant.objects.bulk_create(
        Consultant(
            user=user,
            display_name=f"Consultant {n:02d}",
            timezone=ZONES[n % len(ZONES)],
            expertise=expertise[n % len(expertise)],
        )
        for n, user in zip(numbers, users, strict=True)
    )
    split_day = ((clock(9), clock(12, 30)), (clock(13, 30), clock(17, 30)))
    long_day = ((clock(8), clock(16)),)
    WeeklyHours.objects.bulk_create(
        WeeklyHours(consultant=c, weekday=day, start=start, end=end)
        for c in consultants
        for day in range(5)
        for start, end in (split_day if c.pk % 2 else long_day)
    )
    return consultants


def seed_bookings(consultants, count: int, first: int, rng: random.Random) -> None:
    from django.utils import timezone  # noqa: PLC0415

    from bench.seed import booking_row  # noqa: PLC0415 -- after Django is set up
    from bookings.models import Booking  # noqa: PLC0415

    each = count // len(consultants)
    base = timezone.now().replace(minute=0, second=0, microsecond=0)
    # Distinct half hours per consultant over 28 days, so none overlap; many land in
    # working hours, where they take slots away.
    starts = [base + timedelta(days=1, minutes=30 * k) for k in range(28 * 48)]
    rows = []
    for index, consultant in enumerate(consultants):
        for k, start in enumerate(rng.sample(starts, each)):
            n = first + index * each + k
            rows.append(
                booking_row(consultant=consultant, start=start, n=n, label="bench-http")
            )
    Booking.objects.bulk_create(rows, batch_size=1000)


def seed_drafts(count: int, *, use_cases: int) -> list[str]:
    """Drafts with the first two steps answered and ``use_cases`` use cases; tokens."""
    from advisor.models import Assessment, UseCase  # noqa: PLC0415
    from consult.tokens import token_new  # noqa: PLC0415

    tokens = [token_new() for _ in range(count)]
    drafts = Assessment.objects.bulk_create(
        (
            Assessment(
                token_hash=digest,
                contact_name=f"Lead {n}",
                contact_email=f"lead{n}@example.com",
                company="Acme",
                role="CTO",
                industry="retail",
                ml_engineers=2,
                data_can_leave=True,
            )
            for n, (_, digest) in enumerate(tokens)
        ),
        batch_size=1000,
    )
    UseCase.objects.bulk_create(
        (
            UseCase(
                assessment=draft,
                position=position,
                **{
                    **USE_CASES[(position - 1) % len(USE_CASES)],
                    "name": f"{USE_CASES[(position - 1) % len(USE_CASES)]['name']} {position}",
                },
            )
            for draft in drafts
            for position in range(1, use_cases + 1)
        ),
        batch_size=2000,
    )
    return [token for token, _ in tokens]


def seed_submitted(*, use_cases: int) -> str:
    from advisor import services  # noqa: PLC0415
    from advisor.models import Assessment  # noqa: PLC0415
    from consult.tokens import token_hash  # noqa: PLC0415

    token = seed_drafts(1, use_cases=use_cases)[0]
    assessment = Assessment.objects.get(token_hash=token_hash(token))
    services.assessment_submit(assessment=assessment, token=token)
    return token


def free_slots_by_consultant() -> dict[int, list[str]]:
    from bookings import selectors  # noqa: PLC0415
    from bookings.forms import format_start  # noqa: PLC0415

    by_consultant: dict[int, list[str]] = {}
    for slot in selectors.availability_get().slots:
        for key in slot.consultant_keys:
            by_consultant.setdefault(key, []).append(format_start(slot.start))
    return by_consultant


def details_path(start: str, consultant: object = "any") -> str:
    return "/book/details/?" + urlencode(
        {"start": start, "consultant": consultant, "tz": "Europe/London"}
    )


# --- query counts ---------------------------------------------------------------------


def query_counts(*, use_cases: int) -> dict[str, int]:
    """Each page's queries through the test client, its fixtures at this size."""
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    step = seed_drafts(1, use_cases=min(use_cases, MAX_USE_CASES - 1))[0]
    use_case_draft = seed_drafts(1, use_cases=min(use_cases, MAX_USE_CASES - 1))[0]
    submit = seed_drafts(1, use_cases=use_cases)[0]
    result = seed_submitted(use_cases=use_cases)
    # Fresh for every call: a key seen before books nothing (it is the same form).
    form_key = secrets.token_urlsafe(24)
    slots = free_slots_by_consultant()
    consultant, free = max(slots.items(), key=lambda item: len(item[1]))
    client = Client()
    requests = {
        "ping": ("get", "/ping", None, 200),
        "landing": ("get", "/", None, 200),
        "start_get": ("get", "/assess/", None, 200),
        "start_post": ("post", "/assess/", {}, 303),
        "about_get": ("get", f"/assess/{step}/about/", None, 200),
        "about_post": (
            "post",
            f"/assess/{step}/about/",
            {
                "version": 0,
                "contact_name": "Ana",
                "contact_email": "ana@example.com",
                "company": "Acme",
                "consent_contact": "on",
            },
            303,
        ),
        "organisation_get": ("get", f"/assess/{step}/organisation/", None, 200),
        "organisation_post": (
            "post",
            f"/assess/{step}/organisation/",
            {
                "version": 1,
                "industry": "retail",
                "ml_engineers": 3,
                "data_can_leave": "yes",
            },
            303,
        ),
        "use_case_new_get": ("get", f"/assess/{step}/use-cases/new/", None, 200),
        "use_case_new_post": (
            "post",
            f"/assess/{use_case_draft}/use-cases/new/",
            {
                "name": "Ticket triage",
                "task": "text_classification",
                "monthly_requests": 50_000,
                "size": "medium",
                "latency": "interactive",
                "proprietary_data": "some",
                "format_consistency": "flexible",
                "sensitive_data": "no",
                "accuracy_lift_value": "low",
            },
            303,
        ),
        "use_cases_get": ("get", f"/assess/{step}/use-cases/", None, 200),
        "use_cases_post": ("post", f"/assess/{step}/use-cases/", {}, 303),
        "check_get": ("get", f"/assess/{step}/check/", None, 200),
        "submit_post": ("post", f"/assess/{submit}/check/", {}, 303),
        "result_get": ("get", f"/assess/{result}/result/", None, 200),
        "slots_get": ("get", "/book/?tz=Europe/London", None, 200),
        "details_get": ("get", details_path(free[-1]), None, 200),
        "book_post": (
            "post",
            "/book/details/",
            {
                "name": "Ana Client",
                "email": f"count-{form_key[:8]}@example.com",
                "timezone": "Europe/London",
                "consent": "on",
                "start": free[len(free) // 2],
                "consultant": consultant,
                "key": form_key,
            },
            302,
        ),
    }
    counts = {}
    for action, (method, path, data, expect) in requests.items():
        with CaptureQueriesContext(connection) as captured:
            response = getattr(client, method)(path, data or {})
        if response.status_code != expect:
            sys.exit(
                f"{action}: {method.upper()} {path} answered {response.status_code}, "
                f"expected {expect}"
            )
        counts[action] = len(captured)
    return counts


# --- the race -------------------------------------------------------------------------


def booking_race(port: int, consultant: int, start: str) -> dict:
    """50 clients, each with its own form and CSRF cookie, book one slot at once."""
    barrier = threading.Barrier(RACE_CLIENTS, timeout=60)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        try:
            status, cookies, page = http_request(
                port, "GET", details_path(start, consultant)
            )
            key = re.search(r'name="key" value="([^"]+)"', page)
            csrf = cookies.get("csrftoken", "")
            body = urlencode(
                {
                    "csrfmiddlewaretoken": csrf,
                    "name": f"Racer {number}",
                    "email": f"racer{number}@example.com",
                    "timezone": "Europe/London",
                    "consent": "on",
                    "start": start,
                    "consultant": consultant,
                    "key": key.group(1) if key else "",
                }
            )
            barrier.wait()
            status, _, page = http_request(
                port, "POST", "/book/details/", body=body, cookie=f"csrftoken={csrf}"
            )
        except (OSError, threading.BrokenBarrierError) as exc:
            status, page = 0, repr(exc)
        with lock:
            answers.append((status, page))

    threads = [
        threading.Thread(target=client, args=(n,), daemon=True)
        for n in range(RACE_CLIENTS)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 120
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))

    from bookings.enums import BookingStatus  # noqa: PLC0415
    from bookings.forms import parse_start  # noqa: PLC0415
    from bookings.models import Booking  # noqa: PLC0415

    booked_rows = Booking.objects.filter(
        consultant_id=consultant,
        start=parse_start(start),
        status=BookingStatus.CONFIRMED,
    ).count()
    created = sum(1 for status, _ in answers if status == 302)
    just_taken = sum(
        1
        for status, page in answers
        if status == 409
        and "someone booked that time a moment ago" in page
        and 'name="start" value="' in page
    )
    errors = sum(1 for status, _ in answers if status >= 500 or status == 0)
    return {
        "name": f"http: booking race, {RACE_CLIENTS} clients, one slot",
        "booked": created,
        "booking_rows": booked_rows,
        "just_taken_409": just_taken,
        "other": len(answers) - created - just_taken,
        "errors_5xx": errors,
        "target": f"1 booking, {RACE_CLIENTS - 1} x 409 with alternatives, no 5xx",
        "ok": created == 1
        and booked_rows == 1
        and just_taken == RACE_CLIENTS - 1
        and errors == 0,
    }


def sequential_scans_report() -> None:
    """Tables read whole under the load: where an index may be missing (stderr)."""
    from django.db import connection  # noqa: PLC0415

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, seq_scan, seq_tup_read, idx_scan FROM pg_stat_user_tables"
            " WHERE seq_tup_read > 10000 ORDER BY seq_tup_read DESC"
        )
        rows = cursor.fetchall()
    for name, scans, rows_read, index_scans in rows:
        print(
            f"sequential scans: {name}: {scans} scans read {rows_read} rows "
            f"({index_scans} index scans)",
            file=sys.stderr,
        )


# --- load -----------------------------------------------------------------------------


def plan_build(
    tokens: dict, slots: dict[int, list[str]], race: tuple[int, str]
) -> dict:
    # /ping runs before and after every page, and each page is compared with the
    # two around it: other work on a shared machine drifts the server's capacity
    # over minutes, much less within a page and its neighbours.
    phases = [
        # Not reported: each worker's pool opens its connections and each new
        # PostgreSQL backend loads its catalog caches, once per process, a cost
        # that would otherwise land on whichever page comes first.
        {"name": "warm-up", "action": "about_get", "seconds": 4.0},
        {"name": "ping", "action": "ping", "seconds": PING_SECONDS},
    ]
    for name, action, _, _ in PAGES:
        if ONLY and action not in ONLY:
            continue
        phases.append({"name": name, "action": action, "seconds": PHASE_SECONDS})
        phases.append({"name": "ping", "action": "ping", "seconds": PING_SECONDS})
    consultants = sorted(slots)
    users = []
    for number in range(USERS):
        own = [c for i, c in enumerate(consultants) if i % USERS == number]
        mine = [[c, start] for c in own for start in slots[c] if (c, start) != race]
        # Booked latest first (the user pops from the end): the earliest times
        # come within the minimum notice while the run goes on.
        mine.sort(key=lambda pair: pair[1])
        # A free time kept out of the booking phase, so the form shows a slot.
        details_url = details_path(mine.pop()[1], "any")
        users.append(
            {
                "step": tokens["step"][number],
                "step_version": 0,
                "use_case_drafts": tokens["use_case_drafts"][number],
                "submit_drafts": tokens["submit_drafts"][number],
                "result": tokens["result"][number],
                "slots": mine,
                "details_url": details_url,
            }
        )
    return {"phases": phases, "users": users, "max_use_cases": MAX_USE_CASES}


TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_ticks(pid: int) -> tuple[int, int, int]:
    """(parent pid, own CPU ticks, reaped children's CPU ticks) of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (
        int(fields[1]),
        int(fields[11]) + int(fields[12]),
        int(fields[13]) + int(fields[14]),
    )


def server_cpu_seconds(master: int, database: str) -> float:
    """CPU time so far of gunicorn (master, workers, recycled workers) and of the
    PostgreSQL backends serving its database: the server side of every request."""
    total = 0
    marker = f" {database} ".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            parent, own, reaped = _cpu_ticks(pid)
            if pid == master:
                total += own + reaped
            elif parent == master or marker in (entry / "cmdline").read_bytes():
                total += own
        except (OSError, ValueError, IndexError):
            continue  # gone between listing and reading
    return total / TICKS


def cpu_sampler(
    plan: dict, master: int, database: str
) -> tuple[threading.Thread, dict]:
    """Reads the server's CPU time at every phase's measured window, in a thread."""
    marks = []
    offset = 0.0
    for index, phase in enumerate(plan["phases"]):
        marks.append((plan["start_at"] + offset + WARMUP_SECONDS, index, "from"))
        marks.append((plan["start_at"] + offset + phase["seconds"], index, "to"))
        offset += phase["seconds"]
    readings: dict = {}

    def sample() -> None:
        for when, index, edge in sorted(marks):
            delay = when - time.time()
            if delay > 0:
                time.sleep(delay)
            readings[index, edge] = server_cpu_seconds(master, database)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    return thread, readings


def load_run(plan: dict, port: int, workdir: Path, cpu: tuple[int, str]) -> dict:
    plan_file = workdir / "plan.json"
    results_file = workdir / "results.json"
    # Time for locust to start and its users to fetch their CSRF cookies.
    plan["start_at"] = time.time() + LOCUST_LEAD_SECONDS
    plan_file.write_text(json.dumps(plan))
    sampler, readings = cpu_sampler(plan, *cpu)
    seconds = sum(phase["seconds"] for phase in plan["phases"]) + LOCUST_LEAD_SECONDS
    log = workdir / "locust.log"
    with log.open("w") as output:
        locust = subprocess.Popen(
            [
                str(VENV_BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "locust_journey.py"),
                "--headless",
                "--host",
                f"http://127.0.0.1:{port}",
                "--users",
                str(USERS),
                "--spawn-rate",
                str(USERS),
                "--run-time",
                f"{int(seconds) + 30}s",
                "--stop-timeout",
                "10",
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "BENCH_HTTP_PLAN": str(plan_file),
                "BENCH_HTTP_RESULTS": str(results_file),
            },
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        locust.wait(timeout=min(LOCUST_LIMIT_SECONDS, seconds + 90))
    except subprocess.TimeoutExpired:
        process_stop(locust)
        sys.exit(f"locust did not finish:\n{log.read_text()[-3000:]}")
    if not results_file.exists():
        sys.exit(f"locust wrote no results:\n{log.read_text()[-3000:]}")
    sampler.join(5)
    results = json.loads(results_file.read_text())
    results["cpu"] = [
        readings.get((index, "to"), 0.0) - readings.get((index, "from"), 0.0)
        for index in range(len(plan["phases"]))
    ]
    return results


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(
        len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1)
    )
    return sorted_values[index]


def phase_figures(results: dict, plan: dict) -> list[dict]:
    rows = []
    for index, phase in enumerate(plan["phases"]):
        every = [sample for sample in results["samples"] if sample[0] == index]
        counted = [s for s in every if WARMUP_SECONDS <= s[1] <= phase["seconds"]]
        rows.append(
            {
                "action": phase["action"],
                "cpu_ms": 1000 * results["cpu"][index] / max(1, len(counted)),
                "rps": len(counted) / (phase["seconds"] - WARMUP_SECONDS),
                "times": sorted(sample[3] for sample in counted),
                "errors_5xx": sum(1 for s in every if s[2] >= 500 or s[2] == 0),
                "unexpected": sum(1 for s in every if not s[4]),
            }
        )
    return rows


def latency(times: list[float]) -> dict:
    return {f"p{n}_ms": round(percentile(times, n / 100), 1) for n in (50, 95, 99)}


# --- main -----------------------------------------------------------------------------


def main() -> None:  # noqa: PLR0915 -- one straight-line scenario with its cleanup
    if not 0 < USERS <= CONSULTANTS:
        # Each user books with consultants of its own, so no two wait on one lock.
        sys.exit(f"BENCH_HTTP_USERS must be 1 to {CONSULTANTS}")
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL")
    broker = urlparse(os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379")
    broker_url = broker._replace(path=f"/{BROKER_DB}").geturl()
    cache_url = broker._replace(path=f"/{CACHE_DB}").geturl()
    workdir = Path(tempfile.mkdtemp(prefix="bench-http-"))
    smtp_port = free_port()
    port = free_port()
    bench_url = database_recreate(database_url)

    server_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "consult.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-http-secret-key-" + "x" * 40,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": bench_url,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CACHE_URL": cache_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        # One client address carries all the load (see the module docstring).
        "RATELIMIT_ENABLED": "false",
    }
    # This process seeds and counts queries; it needs no pool of its own, and must
    # hold no connection when the database is dropped.
    os.environ.update({**server_env, "DATABASE_POOL": "false"})

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

        consultants = seed_consultants(0, SMALL_CONSULTANTS)
        seed_bookings(consultants, SMALL_BOOKINGS, 0, rng)
        query_counts(use_cases=1)  # warms what is loaded once per process
        small = query_counts(use_cases=1)
        seed_bookings(
            seed_consultants(SMALL_CONSULTANTS, CONSULTANTS - SMALL_CONSULTANTS),
            BOOKINGS - SMALL_BOOKINGS,
            SMALL_BOOKINGS,
            rng,
        )
        large = query_counts(use_cases=MAX_USE_CASES)

        tokens = {
            "step": seed_drafts(USERS, use_cases=3),
            "result": [seed_submitted(use_cases=3) for _ in range(USERS)],
        }
        use_case_drafts = seed_drafts(USERS * USE_CASE_DRAFTS_EACH, use_cases=0)
        submit_drafts = seed_drafts(USERS * SUBMIT_DRAFTS_EACH, use_cases=3)
        tokens["use_case_drafts"] = [use_case_drafts[n::USERS] for n in range(USERS)]
        tokens["submit_drafts"] = [submit_drafts[n::USERS] for n in range(USERS)]
        slots = free_slots_by_consultant()
        race_consultant = min(slots)
        race_start = slots[race_consultant][len(slots[race_consultant]) // 2]
        plan = plan_build(tokens, slots, (race_consultant, race_start))
        connection.close()
        for client in redis_clients:
            client.flushdb()

        smtp = smtp_start(smtp_port)
        gunicorn = gunicorn_start(server_env, workdir / "gunicorn.log", port)
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
    pings = figures[0::2]
    ping_rps = [row["rps"] for row in pings]
    ping_errors = sum(row["errors_5xx"] + row["unexpected"] for row in pings)
    print(
        json.dumps(
            {
                "name": "http: ping (trivial view), before and after every page",
                "rps": round(statistics.mean(ping_rps)),
                "rps_range": f"{min(ping_rps):.0f}-{max(ping_rps):.0f}",
                "cpu_ms": round(statistics.mean(row["cpu_ms"] for row in pings), 2),
                **latency(sorted(t for row in pings for t in row["times"])),
                "errors_5xx": sum(row["errors_5xx"] for row in pings),
                "queries": large["ping"],
                "target": "no 5xx, no query",
                "ok": ping_errors == 0 and large["ping"] == 0,
            }
        )
    )
    pages = {action: (name, wizard) for name, action, _, wizard in PAGES}
    for position in range(1, len(figures), 2):
        row = figures[position]
        action = row["action"]
        name, wizard = pages[action]
        around = (figures[position - 1]["rps"] + figures[position + 1]["rps"]) / 2
        ratio = row["rps"] / around if around else 0.0
        ping_cpu = (
            figures[position - 1]["cpu_ms"] + figures[position + 1]["cpu_ms"]
        ) / 2
        target_ratio = TARGETS.get(action, wizard)
        constant = small[action] == large[action]
        parts = ["no 5xx", "queries constant"]
        if target_ratio:
            parts.insert(0, f"ratio >= {target_ratio:g}")
        line = {
            "name": f"http: {name}",
            "rps": round(row["rps"]),
            "ratio": round(ratio, 2),
            # The server's CPU per request, and the same ratio from it: steadier
            # than requests/s when other work shares the machine.
            "cpu_ms": round(row["cpu_ms"], 2),
            "cpu_ratio": round(ping_cpu / row["cpu_ms"], 2) if row["cpu_ms"] else 0,
            **latency(row["times"]),
            "errors_5xx": row["errors_5xx"],
            "queries": large[action]
            if constant
            else f"{small[action]} then {large[action]}",
            "target": ", ".join(parts),
            "ok": row["errors_5xx"] == 0
            and row["unexpected"] == 0
            and constant
            and (target_ratio is None or ratio >= target_ratio),
        }
        if row["unexpected"]:
            line["unexpected"] = row["unexpected"]
        if action in results["exhausted"]:
            line["fixtures_ran_out"] = True
            line["ok"] = False
        print(json.dumps(line))
    print(json.dumps(race))


if __name__ == "__main__":
    main()
