"""The outbox on the real stack: PostgreSQL, Redis, a Celery worker, SMTP.

A real worker process reads the test database, so these tests need
PostgreSQL (``DATABASE_URL``); each starts its own worker and SMTP server and
stops them however the test ends (the ``stack`` fixture, in tests/conftest.py).
"""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from consult.celery import app
from consult.emails import RELAY_GRACE, SENDING_TIMEOUT, email_queue, email_relay
from consult.models import OutboundEmail
from tests.helpers.realstack import WAIT, SmtpSink, Workers, producer_reset, wait_for

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

Status = OutboundEmail.Status


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


def test_outbox_broker_down_at_commit_is_caught_up_by_the_relay(
    stack, caplog, monkeypatch
):
    sink, workers = stack
    workers.start()
    reachable = app.conf.broker_url
    # Celery reads CELERY_BROKER_URL from the environment ahead of its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    producer_reset()
    try:
        queue_links(2, prefix="offline")
    finally:
        monkeypatch.setenv("CELERY_BROKER_URL", reachable)
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
