"""Helpers for tests on the real stack: a Celery worker, Redis, SMTP, PostgreSQL.

The fixtures that use them (``smtp``, ``broker_url``, ``stack``) are in
``tests/conftest.py``. A real worker process reads the test database, so these
tests need PostgreSQL (``DATABASE_URL``).
"""

import asyncio
import email
import email.policy
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from consult.celery import app

ROOT = Path(__file__).resolve().parents[2]
CELERY = ROOT / ".venv" / "bin" / "celery"
# A Redis database of its own, flushed before and after, so no other worker
# or test sees these messages; TEST_REDIS_DB picks another when two test runs
# share one Redis.
REDIS_DB = int(os.environ.get("TEST_REDIS_DB", "11"))
WAIT = 20.0


@dataclass
class SmtpSink:
    """Accepts every message; can stall a delivery to catch a worker mid-send."""

    delivered: list[tuple[str, str]] = field(default_factory=list)
    messages: list[EmailMessage] = field(default_factory=list)
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
            self.messages.append(message)
            for rcpt in envelope.rcpt_tos:
                self.delivered.append((rcpt, str(message["Message-ID"])))
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        with self.lock:
            return [rcpt for rcpt, _ in self.delivered]


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

    def __init__(
        self,
        *,
        env: dict[str, str],
        log_dir: Path,
        pool: tuple[str, ...] = ("--pool", "solo"),
    ) -> None:
        self.env = env
        self.log_dir = log_dir
        # solo runs tasks in the worker process itself; prefork
        # (``("--pool", "prefork", "--concurrency", "1")``) in children it watches.
        self.pool = pool
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
                    "default,email,pdf,webhook",
                    *self.pool,
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
    # new pool. The old one stays open in kombu's registry for the old URL.
    app._pool = None
    app.amqp._producer_pool = None


def worker_database_url() -> str:
    """The test database as a URL for the worker processes."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    credentials = f"{user}{password}@" if user else ""
    return (
        f"postgres://{credentials}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )
