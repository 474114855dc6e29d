"""Celery tasks for webhooks: thin wrappers that take ids only.

Named ``webhook.*`` and so routed to the ``webhook`` queue: a slow receiver holds up
other receivers, never the emails or the reminders.
"""

import logging

from celery import shared_task
from celery.exceptions import WorkerLostError
from celery.worker.request import Request
from django.db import connections

from consult.tasks import DATABASE_RETRY
from webhooks.services import (
    DELIVER_TASK,
    webhook_claim_release,
    webhook_deliver,
    webhook_deliveries_purge,
    webhook_relay,
)

logger = logging.getLogger(__name__)


class WebhookDeliverRequest(Request):
    """The delivery as the worker's main process sees it.

    When the pool child running it dies, the row it claimed would stay ``sending``
    until the relay's ``SENDING_TIMEOUT``; the main process puts it back at once, so
    the message given back to the broker (``task_reject_on_worker_lost``) finds it
    pending.
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
            self._claim_release()
        return super().on_timeout(soft, timeout)

    def _claim_release(self) -> None:
        delivery_id = self.kwargs.get("delivery_id")
        try:
            webhook_claim_release(delivery_id=delivery_id, claimed_by=self.id)
        except Exception:
            # The relay puts it back after SENDING_TIMEOUT anyway.
            logger.warning(
                "webhook delivery %s: not put back", delivery_id, exc_info=True
            )
        finally:
            # The main process forks new children: it must not hold a connection
            # they would inherit.
            for connection in connections.all(initialized_only=True):
                connection.close()
                if connection.settings_dict["OPTIONS"].get("pool"):
                    connection.close_pool()


@shared_task(
    name=DELIVER_TASK,
    bind=True,
    acks_late=True,
    Request=WebhookDeliverRequest,
    **DATABASE_RETRY,
)
def webhook_deliver_task(self, *, delivery_id: int) -> bool:
    # A failed attempt is scheduled in the row; the relay enqueues it when due, so no
    # retry waits in the broker.
    return webhook_deliver(delivery_id=delivery_id, claimed_by=self.request.id or "")


@shared_task(name="webhook.relay", acks_late=True)
def webhook_relay_task() -> int:
    return webhook_relay()


@shared_task(name="webhook.purge", acks_late=True)
def webhook_purge_task() -> int:
    return webhook_deliveries_purge()
