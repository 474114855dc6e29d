"""The worker outlives its broker: Redis and RabbitMQ, each killed and restarted.

Each test runs a broker of its own (``tests/helpers/brokers.py``), a real
``celery worker`` process and an SMTP server, kills the broker while the worker
holds unacknowledged messages (one email in the middle of its SMTP conversation,
others waiting to be tried again), starts it again, and checks that the same
worker process carries on and that every email arrives exactly once.
"""

import os
import time
from collections import Counter
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.utils import timezone

from consult.celery import app
from consult.emails import email_queue, email_relay
from consult.models import OutboundEmail
from tests.helpers.brokers import private_rabbitmq, private_redis
from tests.helpers.ports import free_port
from tests.helpers.realstack import (
    WAIT,
    SmtpSink,
    Workers,
    producer_reset,
    wait_for,
    worker_database_url,
)

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

Status = OutboundEmail.Status


@dataclass
class DeferringSink(SmtpSink):
    """Answers "try again later" to the first ``defer`` recipients, then accepts."""

    defer: int = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 -- aiosmtpd's hook name
        with self.lock:
            if self.defer > 0:
                self.defer -= 1
                return "451 4.3.2 Try again later"
        return await super().handle_RCPT(
            server, session, envelope, address, rcpt_options
        )


BROKERS = {"redis": private_redis, "rabbitmq": private_rabbitmq}


@pytest.fixture(params=sorted(BROKERS))
def broker_stack(request, settings, tmp_path, monkeypatch):
    """``(broker, sink, workers)`` around a private broker of each kind."""
    broker = BROKERS[request.param](tmp_path / request.param)
    broker.start()
    sink = DeferringSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    # Celery reads CELERY_BROKER_URL from the environment ahead of its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", broker.url)
    app.conf.broker_url = broker.url
    producer_reset()
    workers = Workers(
        env={
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "DATABASE_POOL": "false",
            "CELERY_BROKER_URL": broker.url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_URL": f"smtp://127.0.0.1:{controller.port}",
            "CELERY_SKIP_CHECKS": "true",
        },
        log_dir=tmp_path,
        # prefork, as deployed: while a child sends, the main process waits on
        # the broker for the next message, and that is when a broker restart
        # used to end the worker.
        pool=("--pool", "prefork", "--concurrency", "2"),
    )
    try:
        yield broker, sink, workers
    finally:
        workers.stop_all()
        sink.release.set()
        controller.stop()
        broker.stop()
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


def test_worker_survives_a_broker_restart_and_delivers_each_email_once(broker_stack):
    broker, sink, workers = broker_stack
    worker = workers.start()
    log = workers.logs[0]

    # Two emails the mail server defers: they wait to be tried again.
    sink.defer = 2
    waiting = queue_links(2, prefix="waiting")
    wait_for(
        lambda: (
            OutboundEmail.objects.filter(
                pk__in=[e.pk for e in waiting], status=Status.QUEUED, attempts=1
            ).count()
            == 2
        ),
        what="both emails to be deferred once",
        logs=workers.logs,
    )
    # A third is in the middle of its SMTP conversation when the broker dies.
    sink.hold.set()
    [in_flight] = queue_links(1, prefix="in-flight")
    assert sink.held.wait(WAIT), "the third email never reached the SMTP server"
    # The main process waits on the broker for more work meanwhile.
    wait_for(broker.consumer_waiting, what="the worker to wait for its next message")

    broker.kill()
    sink.release.set()
    wait_for(
        lambda: OutboundEmail.objects.get(pk=in_flight.pk).status == Status.SENT,
        what="the email in flight to be marked sent",
        logs=workers.logs,
    )
    broker.start()
    wait_for(
        lambda: worker.poll() is not None or log.read_text().count("Connected to") >= 2,
        what="the worker to reconnect",
        logs=[*workers.logs, broker.log],
    )
    assert worker.poll() is None, f"the worker exited:\n{log.read_text()[-4000:]}"

    # Their next attempt comes due; the relay (beat, every minute) hands them over.
    OutboundEmail.objects.filter(pk__in=[e.pk for e in waiting]).update(
        next_attempt_at=timezone.now()
    )
    email_relay()
    wait_for(
        lambda: not OutboundEmail.objects.exclude(status=Status.SENT).exists(),
        what="every email to be sent",
        logs=workers.logs,
    )
    # Anything sent twice (a redelivered message, say) would arrive within this pause.
    time.sleep(0.5)

    assert worker.poll() is None
    assert "Unrecoverable error" not in log.read_text()
    message_ids = Counter(message_id for _, message_id in sink.delivered)
    assert len(message_ids) == 3
    assert set(message_ids.values()) == {1}
