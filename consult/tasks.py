"""Celery tasks for the outbox: thin wrappers that take ids only.

All are named ``email.*`` and so routed to the ``email`` queue. A database
connection error (the server restarted or ended the connection) is retried
with a short backoff instead of failing the task; the connection is replaced
before the next try (``consult.celery``).
"""

import logging
from datetime import datetime

from celery import shared_task

from consult.bounces import bounces_read
from consult.emails import (
    DATABASE_CONNECTION_ERRORS,
    SEND_TASK,
    SENT_RECORD_TASK,
    EmailSendDeferred,
    email_claim_release,
    email_relay,
    email_sent_record,
)
from consult.emails import email_send as email_send_service
from consult.outbox_worker import ClaimReleasingRequest

logger = logging.getLogger(__name__)

# A restart or failover takes seconds to a minute: 2, 4, 8 … 60 s, about ten
# minutes in all, before the task gives up; the relay takes over from there.
DATABASE_RETRY = {
    "autoretry_for": DATABASE_CONNECTION_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": False,
    "max_retries": 12,
}


class EmailSendRequest(ClaimReleasingRequest):
    """The send as the worker's main process sees it: the row its dead child
    claimed is put back at once (``consult.outbox_worker.ClaimReleasingRequest``)."""

    pk_kwarg = "email_id"
    about = "email"
    release_logger = logger

    def release(self, *, pk: int, claimed_by: str) -> bool:
        return email_claim_release(email_id=pk, claimed_by=claimed_by)


@shared_task(
    name=SEND_TASK,
    bind=True,
    acks_late=True,
    Request=EmailSendRequest,
    **DATABASE_RETRY,
)
def email_send(self, *, email_id: int) -> bool:
    try:
        return email_send_service(email_id=email_id, claimed_by=self.request.id or "")
    except EmailSendDeferred:
        # The row is queued again with its next attempt time; the relay
        # (beat, every minute) enqueues it when due. Nothing waits in the
        # broker, where a long countdown outlives a Redis visibility timeout
        # and a broker restart.
        return False


@shared_task(name=SENT_RECORD_TASK, acks_late=True, **DATABASE_RETRY)
def email_sent_record_later(*, email_id: int, claimed_by: str, sent_at: str) -> bool:
    # The SMTP server accepted the email while the database was away.
    return email_sent_record(
        email_id=email_id,
        claimed_by=claimed_by,
        sent_at=datetime.fromisoformat(sent_at),
    )


@shared_task(name="email.relay_queued", acks_late=True)
def email_relay_queued() -> int:
    return email_relay()


@shared_task(name="email.bounces_read", acks_late=True)
def email_bounces_read() -> int:
    """Read the bounce mailbox (beat, when one is configured); how many bounced."""
    return sum(outcome.bounced for outcome in bounces_read())
