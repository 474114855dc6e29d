"""The worker against database faults and a pool child killed mid-send.

Real services throughout: a ``celery worker`` process, Redis, PostgreSQL and an
SMTP server (the ``stack`` fixture). The worker's database sessions carry an
application name of their own, so a test can end exactly those
(``pg_terminate_backend``) or refuse it new ones for a moment, as a database
restart or failover would.
"""

import os
import re
import signal
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from aiosmtpd.controller import Controller
from django.db import connection, transaction
from django.utils import timezone

from consult.emails import SENDING_TIMEOUT, email_queue, email_relay
from consult.models import OutboundEmail
from tests.helpers.ports import free_port
from tests.helpers.realstack import WAIT, SmtpSink, Workers, wait_for

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

Status = OutboundEmail.Status
WORKER_APP = f"consult-worker-test-{os.getpid()}"


def admin_execute(sql: str, *params) -> list[tuple]:
    """Run ``sql`` on a connection of its own to the server's maintenance database."""
    db = connection.settings_dict
    with (
        psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"] or None,
            password=db["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        ) as admin,
        admin.cursor() as cursor,
    ):
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def worker_sessions_end() -> int:
    """End every database session of the worker, as a server restart would."""
    return len(
        admin_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = %s",
            WORKER_APP,
        )
    )


def connections_allow(*, allowed: bool) -> None:
    name = connection.settings_dict["NAME"]
    admin_execute(
        f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if allowed else "false"}'
    )


@contextmanager
def database_refusing_the_worker():
    """New connections refused and the worker's ended, until the block ends.

    This test's own connection stays open, so it can watch the rows meanwhile.
    """
    connections_allow(allowed=False)
    try:
        worker_sessions_end()
        yield
    finally:
        connections_allow(allowed=True)


@dataclass
class EndingSink(SmtpSink):
    """Runs ``on_data`` (in the SMTP server's thread) before accepting a message."""

    on_data: Callable[[], object] | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's hook name
        if self.on_data is not None:
            on_data, self.on_data = self.on_data, None
            on_data()
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp():
    """The ``stack``'s SMTP server, with a sink that can act as it accepts a message."""
    controller = Controller(EndingSink(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.handler, controller.port
    controller.handler.release.set()
    controller.stop()


@pytest.fixture
def worker_stack(stack):
    sink, workers = stack
    workers.env["PGAPPNAME"] = WORKER_APP
    try:
        yield sink, workers
    finally:
        connections_allow(allowed=True)


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


def all_sent(workers: Workers, count: int) -> None:
    wait_for(
        lambda: OutboundEmail.objects.filter(status=Status.SENT).count() == count,
        what=f"{count} emails to be marked sent",
        logs=workers.logs,
    )


def delivered_once_each(sink: SmtpSink, emails: list[OutboundEmail]) -> bool:
    # Anything sent twice would arrive within this pause.
    time.sleep(0.5)
    message_ids = Counter(message_id for _, message_id in sink.delivered)
    expected = {
        f"<outbox.{e.pk}.{int(e.created_at.timestamp())}@consult.localhost>"
        for e in emails
    }
    return set(message_ids) == expected and set(message_ids.values()) == {1}


def retried(log: Path, task: str) -> bool:
    return bool(
        re.search(rf"Task {re.escape(task)}\[[^\]]+\] retry: Retry in", log.read_text())
    )


def relay_after_sending_timeout() -> int:
    # What beat's relay does once a row has been "sending" too long.
    return email_relay(now=timezone.now() + SENDING_TIMEOUT + timedelta(seconds=1))


# --- Database connections -------------------------------------------------------------


@pytest.mark.parametrize("pool", ["false", "true"], ids=["persistent", "pooled"])
def test_worker_replaces_connections_the_server_ended_before_the_next_task(
    worker_stack, pool
):
    sink, workers = worker_stack
    workers.env["DATABASE_POOL"] = pool
    workers.start()
    first = queue_links(1, prefix="before")
    all_sent(workers, 1)

    assert worker_sessions_end() >= 1
    after = queue_links(2, prefix="after")
    all_sent(workers, 3)

    assert delivered_once_each(sink, first + after)
    # Checked before use: no task met the dead connection.
    log = workers.logs[0].read_text()
    assert "OperationalError" not in log
    assert "InterfaceError" not in log


def test_worker_retries_a_task_that_met_the_database_down(worker_stack):
    sink, workers = worker_stack
    workers.start()
    log = workers.logs[0]

    with database_refusing_the_worker():
        [email] = queue_links(1, prefix="refused")
        wait_for(
            lambda: retried(log, "email.send"),
            what="the task to be retried",
            logs=workers.logs,
        )
        assert OutboundEmail.objects.get(pk=email.pk).status == Status.QUEUED
    all_sent(workers, 1)

    assert "raised unexpected" not in log.read_text()
    assert delivered_once_each(sink, [email])


# --- Marking a row sent after the SMTP server took it ------------------------------------


def test_worker_marks_an_email_sent_on_a_new_connection_after_losing_its_own(
    worker_stack,
):
    sink, workers = worker_stack
    workers.start()
    queue_links(1, prefix="warm-up")
    all_sent(workers, 1)

    # The server accepts the message just as the worker's session is ended.
    sink.on_data = worker_sessions_end
    [email] = queue_links(1, prefix="ended")
    all_sent(workers, 2)
    email.refresh_from_db()

    assert (email.status, email.attempts) == (Status.SENT, 1)
    assert relay_after_sending_timeout() == 0
    assert delivered_once_each(sink, [*OutboundEmail.objects.order_by("pk")])


def test_worker_records_a_send_once_the_database_is_back(worker_stack):
    sink, workers = worker_stack
    workers.start()
    log = workers.logs[0]
    queue_links(1, prefix="warm-up")
    all_sent(workers, 1)

    # The server accepts the message while the database refuses the worker.
    connections_closed = []
    sink.on_data = lambda: (
        connections_allow(allowed=False),
        connections_closed.append(worker_sessions_end()),
    )
    try:
        [email] = queue_links(1, prefix="outage")
        wait_for(
            lambda: retried(log, "email.sent_record"),
            what="the record of the send to wait for the database",
            logs=workers.logs,
        )
        # Still "sending": the relay would take it for a dead worker's only
        # after SENDING_TIMEOUT, long after the database is back.
        assert OutboundEmail.objects.get(pk=email.pk).status == Status.SENDING
    finally:
        connections_allow(allowed=True)
    all_sent(workers, 2)
    email.refresh_from_db()

    assert connections_closed[0] >= 1
    assert (email.status, email.attempts) == (Status.SENT, 1)
    assert relay_after_sending_timeout() == 0
    assert delivered_once_each(sink, [*OutboundEmail.objects.order_by("pk")])


# --- A pool child killed mid-send -----------------------------------------------------


def pool_children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def test_worker_resends_once_when_its_pool_child_is_killed_mid_send(worker_stack):
    sink, workers = worker_stack
    workers.pool = ("--pool", "prefork", "--concurrency", "1")
    worker = workers.start()
    wait_for(lambda: len(pool_children(worker.pid)) == 1, what="the pool child")
    sink.hold.set()

    [email] = queue_links(1, prefix="killed")
    assert sink.held.wait(WAIT), "the email never reached the SMTP server"
    [child] = pool_children(worker.pid)
    killed_at = time.monotonic()
    os.kill(child, signal.SIGKILL)
    sink.release.set()
    all_sent(workers, 1)
    email.refresh_from_db()

    # Given back to the broker by the main process and sent again at once,
    # not after the relay's SENDING_TIMEOUT.
    assert time.monotonic() - killed_at < 60
    assert (email.status, email.attempts) == (Status.SENT, 2)
    assert "stopped mid-send; queued again" in workers.logs[0].read_text()
    assert worker.poll() is None
    assert delivered_once_each(sink, [email])
