"""Benchmark: 500 emails through the outbox, a real worker, Redis and SMTP.

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/consult python
bench/bench_email.py``. It creates and migrates a database of its own (the
name with ``_bench_email`` appended), uses Redis database 10 of
``CELERY_BROKER_URL`` (default ``redis://127.0.0.1:6379/10``), starts a local
SMTP server and a prefork worker with two processes, queues 500 emails one
transaction each (as 500 requests would), and times until the SMTP server has
them all. Prints one JSON line; ``ok`` says whether every email arrived exactly
once at 50 per second or more. ``BENCH_KEEP_LOG=1`` keeps the worker's log.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NAME = "email: 500 through worker, Redis, SMTP"
EMAILS = 500
TARGET_PER_SECOND = 50
REDIS_DB = 10
DEADLINE_SECONDS = 120


class SmtpSink:
    """Counts deliveries; runs in its own process, as a real server would."""

    def __init__(self, delivered, recipients) -> None:
        self.delivered = delivered
        self.recipients = recipients

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's hook name
        self.recipients.extend(envelope.rcpt_tos)
        with self.delivered.get_lock():
            self.delivered.value += len(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def smtp_serve(port, delivered, ready, stop, results) -> None:
    from aiosmtpd.controller import Controller  # noqa: PLC0415 -- child process

    recipients: list[str] = []
    controller = Controller(
        SmtpSink(delivered, recipients),
        hostname="127.0.0.1",
        port=port,
        server_hostname="bench.localhost",
    )
    controller.start()
    ready.set()
    stop.wait(DEADLINE_SECONDS * 2)
    controller.stop()
    results.put(recipients)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bench_database_url(url: str) -> str:
    import psycopg  # noqa: PLC0415 -- only needed here

    parsed = urlparse(url)
    name = f"{parsed.path.lstrip('/')}_bench_email"
    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return parsed._replace(path=f"/{name}").geturl()


def worker_start(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "celery"),
                "-A",
                "consult",
                "worker",
                "-Q",
                "default,email,pdf",
                "--pool",
                "prefork",
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "-n",
                f"bench-email-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while " ready." not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            worker_stop(process)
            sys.exit(f"the worker did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    return process


def worker_stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def main() -> None:  # noqa: PLR0915 -- one straight-line scenario
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL")
    broker = urlparse(os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379")
    broker_url = broker._replace(path=f"/{REDIS_DB}").geturl()

    env = {
        **os.environ,
        "DATABASE_URL": bench_database_url(database_url),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY")
        or "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_LOG_LEVEL": "WARNING",
        # Under prefork, Celery's Django fixup closes a psycopg pool after
        # every task, so a pooled worker opens fresh connections per email
        # and runs at about half the rate; workers use plain connections.
        "DATABASE_POOL": "false",
        # Celery runs Django's checks at start; with debug off they want
        # collected static files, which a bench checkout does not have.
        "CELERY_SKIP_CHECKS": "true",
    }
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "consult.settings"

    import django  # noqa: PLC0415 -- after the environment is set

    django.setup()

    import redis  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import transaction  # noqa: PLC0415

    from consult.celery import app  # noqa: PLC0415
    from consult.emails import email_queue  # noqa: PLC0415
    from consult.models import OutboundEmail  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    OutboundEmail.objects.all().delete()
    broker_client = redis.Redis.from_url(broker_url)
    broker_client.flushdb()
    app.conf.task_always_eager = False
    app.conf.broker_url = broker_url

    spawn = multiprocessing.get_context("spawn")
    delivered = spawn.Value("i", 0)
    ready, stop, results = spawn.Event(), spawn.Event(), spawn.Queue()
    port = free_port()
    smtp = spawn.Process(
        target=smtp_serve, args=(port, delivered, ready, stop, results), daemon=True
    )
    smtp.start()
    if not ready.wait(30):
        sys.exit("the SMTP server did not start")
    env["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
    log = Path(tempfile.mkstemp(prefix="bench-email-worker-", suffix=".log")[1])
    worker = worker_start(env, log)
    try:
        queue_ms = []
        started = time.perf_counter()
        for number in range(EMAILS):
            before = time.perf_counter()
            with transaction.atomic():
                email_queue(
                    kind="link",
                    to=f"bench{number}@example.com",
                    context={"name": "Ana", "url": "http://x/r/1", "what": "a result"},
                    dedupe_key=f"bench:{number}",
                )
            queue_ms.append((time.perf_counter() - before) * 1000)
        deadline = time.monotonic() + DEADLINE_SECONDS
        while delivered.value < EMAILS and time.monotonic() < deadline:
            time.sleep(0.01)
        elapsed = time.perf_counter() - started
        # Anything delivered twice would show up within this pause.
        time.sleep(1.0)
        sent = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count()
    finally:
        worker_stop(worker)
        stop.set()
        broker_client.flushdb()
    counts = Counter(results.get(timeout=30))
    smtp.join(timeout=30)

    delivered_once = (
        len(counts) == EMAILS and set(counts.values()) == {1} and sent == EMAILS
    )
    per_second = EMAILS / elapsed
    print(
        json.dumps(
            {
                "name": NAME,
                "per_second": round(per_second, 1),
                "elapsed_s": round(elapsed, 2),
                "queue_ms_median": round(statistics.median(queue_ms), 2),
                "delivered": sum(counts.values()),
                "delivered_once": delivered_once,
                "target": f">= {TARGET_PER_SECOND}/s, each delivered once",
                "ok": delivered_once and per_second >= TARGET_PER_SECOND,
            }
        )
    )
    if os.environ.get("BENCH_KEEP_LOG"):
        print(f"worker log: {log}", file=sys.stderr)
    else:
        log.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
