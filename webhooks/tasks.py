"""Celery tasks for webhooks: thin wrappers that take ids only.

Named ``webhook.*`` and so routed to the ``webhook`` queue: a slow receiver holds up
other receivers, never the emails or the reminders.
"""

import logging

from celery import shared_task

from consult.outbox_worker import ClaimReleasingRequest
from consult.tasks import DATABASE_RETRY
from webhooks.services import (
    DELIVER_TASK,
    webhook_claim_release,
    webhook_deliver,
    webhook_deliveries_purge,
    webhook_relay,
)

logger = logging.getLogger(__name__)


class WebhookDeliverRequest(ClaimReleasingRequest):
    """The delivery as the worker's main process sees it: the row its dead child
    claimed is put back at once (``consult.outbox_worker.ClaimReleasingRequest``)."""

    pk_kwarg = "delivery_id"
    about = "webhook delivery"
    release_logger = logger

    def release(self, *, pk: int, claimed_by: str) -> bool:
        return webhook_claim_release(delivery_id=pk, claimed_by=claimed_by)


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
