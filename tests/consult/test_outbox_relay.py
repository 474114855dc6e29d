"""Emails left behind: the relay sends them again, and a failed one can be resent."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consult.celery import app
from consult.emails import (
    RELAY_GRACE,
    SENDING_TIMEOUT,
    WORKER_STOPPED_ERROR,
    WORKER_STOPPED_LAST_ERROR,
    WORKER_STOPPED_TWICE_ERROR,
    email_attempts_max,
    email_relay,
    email_resend,
)
from consult.models import OutboundEmail
from consult.tasks import email_relay_queued
from consult.tasks import email_send as email_send_task
from tests.helpers.outbox import Status, queued

# --- Relay ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_email_relay_reenqueues_stale_rows_and_leaves_fresh_ones(
    django_capture_on_commit_callbacks, mailoutbox
):
    now = timezone.now()
    old = now - RELAY_GRACE - timedelta(seconds=1)
    stuck = now - SENDING_TIMEOUT - timedelta(seconds=1)

    def row(name, **fields):
        email = queued(
            django_capture_on_commit_callbacks, to=f"{name}@example.com", key=name
        )
        OutboundEmail.objects.filter(pk=email.pk).update(**fields)
        return email.pk

    rows = {
        "fresh-queued": row("fresh-queued"),
        "stale-queued": row("stale-queued", next_attempt_at=old, created_at=old),
        "backing-off": row("backing-off", next_attempt_at=now + timedelta(minutes=1)),
        "fresh-sending": row(
            "fresh-sending", status=Status.SENDING, claimed_at=now, attempts=1
        ),
        "stale-sending": row(
            "stale-sending",
            status=Status.SENDING,
            claimed_at=stuck,
            next_attempt_at=stuck,
            attempts=1,
        ),
        "died-twice": row(
            "died-twice",
            status=Status.SENDING,
            claimed_at=stuck,
            next_attempt_at=stuck,
            attempts=2,
            last_error=WORKER_STOPPED_ERROR,
        ),
        "died-on-last-attempt": row(
            "died-on-last-attempt",
            status=Status.SENDING,
            claimed_at=stuck,
            next_attempt_at=stuck,
            attempts=email_attempts_max(),
        ),
        "sent": row("sent", status=Status.SENT, sent_at=old, next_attempt_at=old),
    }

    with django_capture_on_commit_callbacks(execute=True):
        relayed = email_relay(now=now)

    statuses = dict(
        OutboundEmail.objects.filter(pk__in=rows.values()).values_list("to", "status")
    )
    assert relayed == 2
    assert sorted(m.to[0] for m in mailoutbox) == [
        "stale-queued@example.com",
        "stale-sending@example.com",
    ]
    assert statuses == {
        "fresh-queued@example.com": Status.QUEUED,
        "stale-queued@example.com": Status.SENT,
        "backing-off@example.com": Status.QUEUED,
        "fresh-sending@example.com": Status.SENDING,
        "stale-sending@example.com": Status.SENT,
        "died-twice@example.com": Status.FAILED,
        "died-on-last-attempt@example.com": Status.FAILED,
        "sent@example.com": Status.SENT,
    }
    errors = dict(
        OutboundEmail.objects.filter(pk__in=rows.values()).values_list(
            "to", "last_error"
        )
    )
    assert errors["died-twice@example.com"] == WORKER_STOPPED_TWICE_ERROR
    assert errors["died-on-last-attempt@example.com"] == WORKER_STOPPED_LAST_ERROR


@pytest.mark.django_db
def test_email_relay_does_not_reenqueue_a_row_it_just_relayed(
    django_capture_on_commit_callbacks,
):
    email = queued(django_capture_on_commit_callbacks)
    now = email.created_at + RELAY_GRACE + timedelta(seconds=1)

    with django_capture_on_commit_callbacks(execute=False) as first_callbacks:
        first = email_relay(now=now)
    with django_capture_on_commit_callbacks(execute=False) as second_callbacks:
        second = email_relay(now=now + timedelta(seconds=60))
    third = email_relay(now=now + RELAY_GRACE + timedelta(seconds=1))

    assert (first, second, third) == (1, 0, 1)
    assert (len(first_callbacks), len(second_callbacks)) == (1, 0)


@pytest.mark.django_db
def test_email_relay_queued_task_runs_the_relay(
    django_capture_on_commit_callbacks, mailoutbox
):
    email = queued(django_capture_on_commit_callbacks)
    OutboundEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() - RELAY_GRACE - timedelta(seconds=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert email_relay_queued.apply().get() == 1

    assert len(mailoutbox) == 1


def test_celery_beat_runs_the_relay_every_minute():
    [entry] = [
        entry
        for entry in app.conf.beat_schedule.values()
        if entry["task"] == "email.relay_queued"
    ]

    assert entry["schedule"] == 60.0
    assert app.tasks["email.relay_queued"].name == email_relay_queued.name
    assert app.tasks["email.send"].name == email_send_task.name


# --- Resend ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_email_resend_queues_a_failed_email_with_fresh_attempts(
    django_capture_on_commit_callbacks, mailoutbox
):
    email = queued(django_capture_on_commit_callbacks)
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=Status.FAILED, attempts=5, last_error="SMTPDataError: 554"
    )

    with django_capture_on_commit_callbacks(execute=True):
        email_resend(email=email)

    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 1)
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_email_resend_refuses_an_email_that_did_not_fail(
    django_capture_on_commit_callbacks,
):
    email = queued(django_capture_on_commit_callbacks)

    with pytest.raises(ValidationError):
        email_resend(email=email)
