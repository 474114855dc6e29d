"""Webhooks: an outbox of signed deliveries, written with the change that causes them.

- ``webhook_event_queue`` writes one delivery per enabled endpoint subscribed to the
  event, in the caller's transaction (the domain events' receivers call it), and
  enqueues its send once that transaction commits.
- ``webhook_deliver`` (the ``webhook.deliver`` task) claims the row with a conditional
  update, signs the body the Standard Webhooks way (``webhook-id``, the same on every
  attempt; ``webhook-timestamp``; ``webhook-signature``) and posts it through
  ``consult.outbound.fetch``, which refuses private addresses. Any 2xx delivers it;
  anything else is tried again with an exponential backoff for
  ``WEBHOOK_RETRY_HOURS``, then the row fails, for staff to redeliver. Every attempt
  is logged with its status code and duration.
- ``webhook_relay`` (beat, every minute) hands over rows the broker never got and rows
  due for another try, and puts back rows whose worker died mid-send. Delivery is at
  least once: a receiver may see a repeat, always under the same ``webhook-id``.
- ``webhook_client_erased`` withdraws what is still to go out about an erased client,
  erases the bodies kept about them, and queues ``client.erased``;
  ``webhook_deliveries_purge`` (beat, daily) deletes finished deliveries past
  ``DATA_RETENTION_DAYS``.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from consult import outbox
from consult.enqueue import enqueue_on_commit
from consult.logs import masked
from consult.outbound import OutboundError, UnsafeURL, fetch
from webhooks.enums import DeliveryStatus, WebhookEvent
from webhooks.models import (
    ERASED_BODY,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.db.models import QuerySet

logger = logging.getLogger(__name__)

Status = DeliveryStatus

DELIVER_TASK = "webhook.deliver"
SECRET_PREFIX = "whsec_"  # noqa: S105 -- the format's prefix, not a secret
SECRET_BYTES = 32
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 4 * 60 * 60
# A receiver answers an event with an acknowledgement, not a document.
RESPONSE_MAX_BYTES = 64 * 1024
RELAY_GRACE = timedelta(minutes=2)
# Longer than the task's hard time limit plus the request's deadline: a row sending
# for this long belongs to a worker that died.
SENDING_TIMEOUT = timedelta(minutes=10)
RELAY_BATCH = 500
ERROR_MAX_LENGTH = 2000
USER_AGENT = "Consult-Webhooks/1"

DISABLED_ERROR = "Not sent: the endpoint is disabled."
WORKER_STOPPED_ERROR = "The worker stopped while sending it; sent again."
WITHDRAWN_ERROR = "Not sent: the client deleted their data."


def webhook_secret_new() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def webhook_events_validate(events: Sequence[str]) -> list[str]:
    unknown = [event for event in events if event not in WebhookEvent.values]
    if unknown:
        raise ValidationError(
            "Unknown event: %(events)s.", params={"events": ", ".join(unknown)}
        )
    if not events:
        raise ValidationError("Choose at least one event.")
    return list(dict.fromkeys(events))


def webhook_endpoint_create(
    *, url: str, events: Sequence[str], description: str = "", enabled: bool = True
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret, to show once."""
    secret = webhook_secret_new()
    endpoint = WebhookEndpoint.objects.create(
        url=url,
        events=webhook_events_validate(events),
        description=description,
        enabled=enabled,
        secret=secret,
    )
    return endpoint, secret


def webhook_endpoint_secret_rotate(*, endpoint: WebhookEndpoint) -> str:
    """Give the endpoint a new secret, to show once; deliveries from now on use it."""
    secret = webhook_secret_new()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        secret=secret, updated_at=timezone.now()
    )
    endpoint.secret = secret
    return secret


def _deliver_enqueue_on_commit(delivery_id: int) -> None:
    enqueue_on_commit(
        DELIVER_TASK,
        kwargs={"delivery_id": delivery_id},
        about=f"webhook delivery {delivery_id}",
        if_lost="not handed to the worker; the relay will send it",
    )


def webhook_body(*, event: str, data: dict[str, Any], now: datetime) -> str:
    """The body Standard Webhooks recommends: the event's type, its time and data."""
    payload = {"type": event, "timestamp": _iso(now), "data": data}
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def webhook_event_queue(
    *,
    event: WebhookEvent,
    data: dict[str, Any],
    now: datetime | None = None,
    assessment_id: int | None = None,
    booking_id: int | None = None,
) -> list[WebhookDelivery]:
    """Write one delivery of ``event`` per enabled endpoint subscribed to it.

    In the caller's transaction: the rows commit or roll back with the change, and
    their sends are enqueued once it commits.
    """
    now = now or timezone.now()
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(enabled=True)
        if event in endpoint.events
    ]
    if not endpoints:
        return []
    body = webhook_body(event=event, data=data, now=now)
    # The worker's clock decides when a row is due, whatever the event's time said.
    written_at = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint,
                event=event,
                body=body,
                assessment_id=assessment_id,
                booking_id=booking_id,
                created_at=written_at,
                next_attempt_at=written_at,
            )
            for endpoint in endpoints
        ]
    )
    for delivery in deliveries:
        _deliver_enqueue_on_commit(delivery.pk)
    return deliveries


def webhook_backoff(*, attempts: int) -> int:
    """Seconds to wait after the ``attempts``-th failed attempt: 30 s, 1 min, 2 min …
    at most four hours."""
    # One doubling fewer than an email's: the first retry comes after 30 s, not 1 min.
    return outbox.backoff(
        attempts - 1, base=BACKOFF_BASE_SECONDS, cap=BACKOFF_MAX_SECONDS
    )


def webhook_attempts_max() -> int:
    """Attempts whose waits add up to ``WEBHOOK_RETRY_HOURS``.

    Counted in attempts rather than read off a clock, so a delivery first tried late
    (the workers were down) still gets its hours of retries.
    """
    return outbox.attempts_within(
        settings.WEBHOOK_RETRY_HOURS * 3600, lambda n: webhook_backoff(attempts=n)
    )


def webhook_headers(
    *, delivery: WebhookDelivery, secret: str, at: datetime
) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt: the id stays, the time is now."""
    signature = Webhook(secret).sign(
        msg_id=delivery.webhook_id, timestamp=at, data=delivery.body
    )
    return {
        "webhook-id": delivery.webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }


def webhook_deliver(
    *, delivery_id: int, now: datetime | None = None, claimed_by: str = ""
) -> bool:
    """Send one pending delivery; True if the receiver took it (a 2xx).

    Safe to run any number of times for the same row: only the call whose conditional
    update claims it sends it. A failure puts the row back with a backoff, or fails it
    once its attempts are spent; either way the attempt is logged.
    """
    now = now or timezone.now()
    claim = claimed_by or uuid.uuid4().hex
    claimed = outbox.claim(
        # A delivery whose client deleted their data meanwhile is not sent.
        WebhookDelivery.objects.filter(erase_when_done=False),
        pk=delivery_id,
        ready=Status.PENDING,
        sending=Status.SENDING,
        claim_id=claim,
        now=now,
    )
    if not claimed:
        # Delivered, failed, withdrawn, being sent by another worker, or not due yet.
        return False
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    still_sending = WebhookDelivery.objects.filter(
        pk=delivery_id, status=Status.SENDING, claimed_by=claim
    )
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        still_sending.update(status=Status.FAILED, last_error=DISABLED_ERROR)
        return False

    started_at = timezone.now()
    started = time.monotonic()
    status_code: int | None = None
    error = ""
    transient = True
    try:
        fetched = fetch(
            endpoint.url,
            method="POST",
            headers=webhook_headers(
                delivery=delivery, secret=endpoint.secret, at=started_at
            ),
            body=delivery.body.encode(),
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            max_bytes=RESPONSE_MAX_BYTES,
            # A redirect would turn the POST into a GET: the receiver gives its final URL.
            max_redirects=0,
        )
    except UnsafeURL as exc:
        # The name now points into a private network: no retry will change that.
        error, transient = f"Refused: {exc}", False
    except OutboundError as exc:
        error = str(exc)
    else:
        status_code = fetched.status
        if not 200 <= status_code < 300:
            error = f"The receiver answered {status_code}."
    duration_ms = round((time.monotonic() - started) * 1000)
    WebhookAttempt.objects.create(
        delivery_id=delivery_id,
        number=delivery.attempts,
        started_at=started_at,
        duration_ms=duration_ms,
        status_code=status_code,
        error=error[:ERROR_MAX_LENGTH],
    )
    if not error:
        still_sending.update(
            status=Status.DELIVERED,
            delivered_at=timezone.now(),
            last_status_code=status_code,
            last_error="",
        )
        _erase_if_asked(delivery_id, finished=True)
        logger.info("webhook %s: %s delivered", delivery.webhook_id, delivery.event)
        return True
    _failure_record(
        delivery=delivery,
        still_sending=still_sending,
        error=error,
        status_code=status_code,
        transient=transient,
        now=now,
    )
    return False


def _failure_record(  # noqa: PLR0913 -- keyword-only, each part of the outcome
    *,
    delivery: WebhookDelivery,
    still_sending: QuerySet[WebhookDelivery],
    error: str,
    status_code: int | None,
    transient: bool,
    now: datetime,
) -> None:
    error = error[:ERROR_MAX_LENGTH]
    if transient and delivery.attempts < webhook_attempts_max():
        retry_in = webhook_backoff(attempts=delivery.attempts)
        still_sending.update(
            status=Status.PENDING,
            next_attempt_at=now + timedelta(seconds=retry_in),
            last_status_code=status_code,
            last_error=error,
        )
        logger.warning(
            "webhook %s: %s, attempt %s failed (%s); next attempt in %s s",
            delivery.webhook_id,
            delivery.event,
            delivery.attempts,
            masked(error),
            retry_in,
        )
    else:
        still_sending.update(
            status=Status.FAILED, last_status_code=status_code, last_error=error
        )
        logger.error(
            "webhook %s: %s failed after %s attempt(s): %s",
            delivery.webhook_id,
            delivery.event,
            delivery.attempts,
            masked(error),
        )
    _erase_if_asked(delivery.pk, finished=False)


def _erase_if_asked(delivery_id: int, *, finished: bool) -> None:
    # The client deleted their data while this was being sent: a delivered body is
    # erased, and one that did not get through is not tried again.
    asked = WebhookDelivery.objects.filter(pk=delivery_id, erase_when_done=True)
    if finished:
        asked.update(body=ERASED_BODY)
    else:
        asked.update(
            status=Status.WITHDRAWN,
            body=ERASED_BODY,
            next_attempt_at=None,
            last_error=WITHDRAWN_ERROR,
        )


def webhook_claim_release(*, delivery_id: int, claimed_by: str) -> bool:
    """Put back the row ``claimed_by`` was sending when its process died.

    The receiver may have it already; sent again under the same ``webhook-id``, it
    can tell.
    """
    rows = WebhookDelivery.objects.filter(
        pk=delivery_id, status=Status.SENDING, claimed_by=claimed_by
    )
    return bool(_stuck_put_back(rows))


def _stuck_put_back(rows: QuerySet[WebhookDelivery]) -> int:
    # Sent again, unless the client deleted their data meanwhile.
    rows.filter(erase_when_done=True).update(
        status=Status.WITHDRAWN,
        body=ERASED_BODY,
        next_attempt_at=None,
        last_error=WITHDRAWN_ERROR,
    )
    return outbox.stuck_put_back(rows, ready=Status.PENDING, error=WORKER_STOPPED_ERROR)


def webhook_relay(*, now: datetime | None = None) -> int:
    """Hand over what no worker holds; return how many rows were enqueued.

    Rows sending for longer than ``SENDING_TIMEOUT`` belonged to a worker that died:
    they are pending again (at least once). Retries are enqueued when due; a first
    try still pending ``RELAY_GRACE`` after it was due never reached a worker.
    Enqueuing a row twice is harmless, since only one claim succeeds.
    """
    now = now or timezone.now()
    stuck = _stuck_put_back(
        outbox.stuck(
            WebhookDelivery.objects.all(),
            sending=Status.SENDING,
            now=now,
            timeout=SENDING_TIMEOUT,
        )
    )
    delivery_ids = outbox.relay_due(
        WebhookDelivery.objects.all(),
        ready=Status.PENDING,
        now=now,
        grace=RELAY_GRACE,
        batch=RELAY_BATCH,
        enqueue=_deliver_enqueue_on_commit,
    )
    if stuck:
        logger.warning("webhook relay: %s stuck sending, put back", stuck)
    if delivery_ids:
        logger.info("webhook relay: %s enqueued", len(delivery_ids))
    return len(delivery_ids)


def webhook_redeliver(*, delivery: WebhookDelivery) -> None:
    """Send a failed delivery again, with a fresh set of attempts and the same id.

    Not one withdrawn or erased with its client's data.
    """
    now = timezone.now()
    updated = outbox.fresh_start(
        WebhookDelivery.objects.filter(pk=delivery.pk, status=Status.FAILED).exclude(
            body=ERASED_BODY
        ),
        ready=Status.PENDING,
        now=now,
    )
    if not updated:
        raise ValidationError(
            "Only a failed delivery whose content was not erased can be sent again."
        )
    delivery.status = Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = now
    _deliver_enqueue_on_commit(delivery.pk)


def _deliveries_about_withdraw(
    *, assessment_ids: list[int], booking_ids: list[int]
) -> int:
    about = WebhookDelivery.objects.about(
        assessment_ids=assessment_ids, booking_ids=booking_ids
    )
    withdrawn = about.filter(status=Status.PENDING).update(
        status=Status.WITHDRAWN,
        body=ERASED_BODY,
        next_attempt_at=None,
        last_error=WITHDRAWN_ERROR,
    )
    # Being sent this very moment: it cannot be called back, so it is erased once done.
    about.filter(status=Status.SENDING).update(erase_when_done=True)
    about.filter(status__in=[Status.DELIVERED, Status.FAILED]).update(body=ERASED_BODY)
    return withdrawn


def webhook_client_erased(
    *, assessment_ids: list[int], booking_ids: list[int], now: datetime | None = None
) -> list[WebhookDelivery]:
    """Withdraw and erase the deliveries about an erased client; queue ``client.erased``.

    Called inside the erasure's transaction, before the client's details are
    overwritten. The erasure may still cause events of its own (a call to come is
    cancelled): they are withdrawn too, as soon as it commits and before their
    sends, enqueued after this, run. ``client.erased`` names the ids only.
    """
    now = now or timezone.now()
    _deliveries_about_withdraw(assessment_ids=assessment_ids, booking_ids=booking_ids)
    transaction.on_commit(
        partial(
            _deliveries_about_withdraw,
            assessment_ids=assessment_ids,
            booking_ids=booking_ids,
        )
    )
    return webhook_event_queue(
        event=WebhookEvent.CLIENT_ERASED,
        data={"assessment_ids": assessment_ids, "booking_ids": booking_ids},
        now=now,
    )


def webhook_deliveries_purge(*, now: datetime | None = None) -> int:
    """Delete finished deliveries (and their attempts) older than
    ``DATA_RETENTION_DAYS``: their bodies hold clients' details."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.DATA_RETENTION_DAYS)
    _, deleted = (
        WebhookDelivery.objects.filter(created_at__lt=cutoff)
        .exclude(status__in=[Status.PENDING, Status.SENDING])
        .delete()
    )
    return deleted.get(WebhookDelivery._meta.label, 0)  # noqa: SLF001 -- Django API
