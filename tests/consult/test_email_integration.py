"""The outbox on the real stack: PostgreSQL, Redis, a Celery worker, SMTP.

A real worker process reads the test database, so these tests need
PostgreSQL (``DATABASE_URL``); each starts its own worker and SMTP server and
stops them however the test ends.
"""

import asyncio
import email
import email.policy
import os
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
import redis
from aiosmtpd.controller import Controller
from django.db import connection, transaction
from django.utils import timezone

from consult.celery import app
from consult.emails import RELAY_GRACE, SENDING_TIMEOUT, email_queue, email_relay
from consult.models import OutboundEmail

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

Status = OutboundEmail.Status

ROOT = Path(__file__).resolve().parents[2]
CELERY = ROOT / ".venv" / "bin" / "celery"
# A Redis database of its own, flushed before and after, so no other worker
# or test sees these messages.
REDIS_DB = 11
WAIT = 20.0


@dataclass
class SmtpSink:
    """Accepts every message; can stall a delivery to catch a worker mid-send."""

    delivered: list[tuple[str, str]] = field(default_factory=list)
    hold: threading.Event = field(default_factory=threading.Event)
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 -- aiosmtpd's hook name
        # Stalling before DATA means a worker killed now has not handed the
        # message over: a later delivery is the first, not a duplicate.
        if self.hold.is_set():
            self.hold.clear()
            self.held.set()
            # The test releases it from its own thread; bounded either way.
            await asyncio.to_thread(self.release.wait, WAIT)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's hook name
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.delivered.append((rcpt, str(message["Message-ID"])))
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        with self.lock:
            return [rcpt for rcpt, _ in self.delivered]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, *, what: str, timeout: float = WAIT, logs=()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    tails = "\n".join(f"--- {log}\n{log.read_text()[-3000:]}" for log in logs)
    pytest.fail(f"timed out after {timeout} s waiting for {what}\n{tails}")


class Workers:
    """Real ``celery worker`` processes, each in its own process group."""

    def __init__(self, *, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def start(self) -> subprocess.Popen:
        number = len(self.processes)
        log = self.log_dir / f"worker-{number}.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                [
                    str(CELERY),
                    "-A",
                    "consult",
                    "worker",
                    "-Q",
                    "default,email,pdf",
                    "--pool",
                    "solo",
                    "--loglevel",
                    "INFO",
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                    "-n",
                    f"outbox-test-{os.getpid()}-{number}@%h",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        self.logs.append(log)
        wait_for(
            lambda: " ready." in log.read_text() or process.poll() is not None,
            what="the worker to start",
            timeout=30,
            logs=[log],
        )
        if process.poll() is not None:
            pytest.fail(f"the worker exited at start:\n{log.read_text()[-3000:]}")
        return process

    def kill(self, process: subprocess.Popen) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def producer_reset() -> None:
    # Celery keeps its broker connection pool once made; a new URL needs a
    # new pool.
    app._pool = None
    app.amqp._producer_pool = None


def test_database_url() -> str:
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    credentials = f"{user}{password}@" if user else ""
    return (
        f"postgres://{credentials}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


test_database_url.__test__ = False  # a helper, not a test


@pytest.fixture
def smtp():
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield sink, controller.port
    sink.release.set()
    controller.stop()


@pytest.fixture
def broker_url(redis_broker_url) -> str:
    url = urlparse(redis_broker_url)._replace(path=f"/{REDIS_DB}").geturl()
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def stack(settings, smtp, broker_url, tmp_path):
    sink, port = smtp
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = broker_url
    producer_reset()
    workers = Workers(
        env={
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "DATABASE_POOL": "false",
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            # Celery runs Django's system checks at start; with debug off they
            # need collected static files, which only a deployment has. The
            # suite runs the checks itself.
            "CELERY_SKIP_CHECKS": "true",
        },
        log_dir=tmp_path,
    )
    try:
        yield sink, workers
    finally:
        workers.stop_all()
        app.conf.task_always_eager, app.conf.broker_url = saved
        producer_reset()


def queue_links(count: int, *, prefix: str) -> list[OutboundEmail]:
    with transaction.atomic():
        return [
            email_queue(
                kind="link",
                to=f"{prefix}{number}@example.com",
                context={"name": "Ana", "url": "http://x/r/1", "what": "your result"},
                dedupe_key=f"{prefix}:{number}",
            )
            for number in range(count)
        ]


def statuses() -> dict[str, str]:
    return dict(OutboundEmail.objects.values_list("to", "status"))


def settle(sink: SmtpSink, workers: Workers, expected: int) -> None:
    wait_for(
        lambda: len(sink.recipients()) >= expected,
        what=f"{expected} deliveries",
        logs=workers.logs,
    )
    wait_for(
        lambda: not OutboundEmail.objects.exclude(status=Status.SENT).exists(),
        what="every row to be marked sent",
        logs=workers.logs,
    )
    # Anything sent twice would arrive within this pause.
    time.sleep(0.5)


def test_outbox_three_emails_in_one_transaction_arrive_once_each(stack):
    sink, workers = stack
    workers.start()

    emails = queue_links(3, prefix="client")
    settle(sink, workers, 3)

    assert Counter(sink.recipients()) == {
        "client0@example.com": 1,
        "client1@example.com": 1,
        "client2@example.com": 1,
    }
    assert sorted(message_id for _, message_id in sink.delivered) == sorted(
        f"<outbox.{e.pk}.{int(e.created_at.timestamp())}@consult.localhost>"
        for e in emails
    )


def test_outbox_broker_down_at_commit_is_caught_up_by_the_relay(stack, caplog):
    sink, workers = stack
    workers.start()
    reachable = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    producer_reset()
    try:
        queue_links(2, prefix="offline")
    finally:
        app.conf.broker_url = reachable
        producer_reset()

    time.sleep(0.5)
    assert sink.recipients() == []
    assert set(statuses().values()) == {Status.QUEUED}
    assert caplog.text.count("the relay will send it") == 2

    relayed = email_relay(now=timezone.now() + RELAY_GRACE + timedelta(seconds=1))
    settle(sink, workers, 2)

    assert relayed == 2
    assert Counter(sink.recipients()) == {
        "offline0@example.com": 1,
        "offline1@example.com": 1,
    }


def test_outbox_worker_killed_mid_send_delivers_every_email_once(stack):
    sink, workers = stack
    sink.hold.set()
    first = workers.start()

    queue_links(3, prefix="killed")
    assert sink.held.wait(WAIT), "no delivery reached the SMTP server"
    wait_for(
        lambda: OutboundEmail.objects.filter(status=Status.SENDING).count() == 1,
        what="the worker to claim a row",
        logs=workers.logs,
    )
    workers.kill(first)
    sink.release.set()
    stuck = OutboundEmail.objects.get(status=Status.SENDING)

    workers.start()
    wait_for(
        lambda: len(sink.recipients()) >= 2,
        what="the two emails still in the queue",
        logs=workers.logs,
    )
    # Nobody may take over a claimed row before the relay says it is stuck.
    assert OutboundEmail.objects.get(pk=stuck.pk).status == Status.SENDING
    relayed = email_relay(now=timezone.now() + SENDING_TIMEOUT + timedelta(seconds=1))
    settle(sink, workers, 3)

    stuck.refresh_from_db()
    assert relayed == 1
    assert Counter(sink.recipients()) == {
        "killed0@example.com": 1,
        "killed1@example.com": 1,
        "killed2@example.com": 1,
    }
    assert (stuck.status, stuck.attempts) == (Status.SENT, 2)
