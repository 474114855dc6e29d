"""Celery tasks for the outbox: thin wrappers that take ids only.

All are named ``email.*`` and so routed to the ``email`` queue. A database
connection error (the server restarted or ended the connection) is retried
with a short backoff instead of failing the task; the connection is replaced
before the next try (``consult.celery``).
"""

import logging
from datetime import datetime

from celery import shared_task
from celery.exceptions import WorkerLostError
from celery.worker.request import Request
from django.db import connections

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


class EmailSendRequest(Request):
    """The send as the worker's main process sees it.

    When the pool child running it dies (killed, out of memory, past the hard
    time limit), the row it claimed would stay ``sending`` until the relay's
    ``SENDING_TIMEOUT``. The main process knows the child is gone, so it puts
    the row back at once; the message, given back to the broker
    (``task_reject_on_worker_lost``), then finds it queued.
    """

    def on_failure(self, exc_info, send_failed_event=True, return_ok=False):
        exc = getattr(exc_info.exception, "exc", exc_info.exception)
        if isinstance(exc, WorkerLostError):
            self._claim_release()
        return super().on_failure(
            exc_info, send_failed_event=send_failed_event, return_ok=return_ok
        )

    def on_timeout(self, soft, timeout):
        if not soft:
            # Past the hard time limit the child is killed; its message is
            # acknowledged, and the relay enqueues the row put back here.
            self._claim_release()
        return super().on_timeout(soft, timeout)

    def _claim_release(self) -> None:
        email_id = self.kwargs.get("email_id")
        try:
            email_claim_release(email_id=email_id, claimed_by=self.id)
        except Exception:
            # The relay puts it back after SENDING_TIMEOUT anyway.
            logger.warning("email %s: not put back", email_id, exc_info=True)
        finally:
            # The main process forks new children: it must not hold a
            # connection (or a pool) they would inherit.
            for connection in connections.all(initialized_only=True):
                connection.close()
                if connection.settings_dict["OPTIONS"].get("pool"):
                    connection.close_pool()


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
