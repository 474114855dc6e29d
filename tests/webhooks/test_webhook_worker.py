"""Webhooks on the real stack: a Celery worker consuming the webhook queue from Redis,
PostgreSQL, and a receiver of the test's own that goes down and comes back."""

import pytest
from django.db import transaction
from django.utils import timezone

from tests.factories.bookings import ConsultantFactory
from tests.helpers.booking_service import OFFICE, create
from tests.helpers.realstack import wait_for
from webhooks.enums import DeliveryStatus
from webhooks.models import WebhookAttempt, WebhookDelivery
from webhooks.services import webhook_relay

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def test_a_receiver_that_goes_down_and_comes_back_gets_the_event_under_one_id(
    stack, receiver, endpoint
):
    _, workers = stack
    workers.env["OUTBOUND_ALLOWED_NETWORKS"] = "127.0.0.1/32"
    workers.start()
    receiver.answers = [503, 200]  # down for the first attempt, then back
    ConsultantFactory(hours=OFFICE)

    with transaction.atomic():
        booking = create().booking
    wait_for(
        lambda: WebhookAttempt.objects.filter(status_code=503).exists(),
        what="the first attempt to be refused",
        logs=workers.logs,
    )
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    # Its retry is due in 30 s; beat's relay hands it over once due.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now()
    )
    relayed = webhook_relay()
    wait_for(
        lambda: WebhookDelivery.objects.filter(
            status=DeliveryStatus.DELIVERED
        ).exists(),
        what="the retry to be delivered",
        logs=workers.logs,
    )

    assert relayed == 1
    assert receiver.ids() == [delivery.webhook_id, delivery.webhook_id]
    assert [r.payload["data"]["id"] for r in receiver.verified] == [booking.pk] * 2
    assert list(
        WebhookAttempt.objects.order_by("number").values_list("number", "status_code")
    ) == [(1, 503), (2, 200)]
