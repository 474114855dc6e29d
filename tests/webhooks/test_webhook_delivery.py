"""Webhooks delivered to a real receiver on 127.0.0.1 that verifies each signature with
the ``standardwebhooks`` library: signed, retried under the same id, logged, once."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from bookings import services
from bookings.enums import BookingStatus, CancelledBy
from tests.factories.bookings import BookingFactory, ConsultantFactory
from tests.factories.webhooks import WebhookEndpointFactory
from tests.helpers.booking_service import NOW, OFFICE, create
from webhooks.enums import DeliveryStatus, WebhookEvent
from webhooks.models import WebhookAttempt, WebhookDelivery
from webhooks.services import (
    webhook_attempts_max,
    webhook_deliver,
    webhook_deliveries_purge,
    webhook_event_queue,
    webhook_redeliver,
    webhook_relay,
)

pytestmark = pytest.mark.django_db


def _booked(django_capture_on_commit_callbacks):
    ConsultantFactory(hours=OFFICE)
    with django_capture_on_commit_callbacks(execute=True):
        return create().booking


def test_booking_created_is_posted_signed_to_the_receiver(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    booking = _booked(django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert len(receiver.verified) == 1
    payload = receiver.verified[0].payload
    assert payload["type"] == "booking.created"
    assert payload["timestamp"] == "2027-03-01T08:00:00Z"
    assert payload["data"]["id"] == booking.pk
    assert payload["data"]["start"] == "2027-03-02T09:00:00Z"
    assert payload["data"]["client"]["email"] == "grace@example.com"
    assert receiver.requests[0].headers["webhook-id"] == delivery.webhook_id
    assert receiver.requests[0].headers["content-type"] == "application/json"
    assert delivery.status == DeliveryStatus.DELIVERED
    assert list(
        WebhookAttempt.objects.values_list("number", "status_code", "error")
    ) == [(1, 200, "")]


def test_a_change_rolled_back_sends_nothing(receiver, endpoint):
    ConsultantFactory(hours=OFFICE)

    def book_then_fail():
        with transaction.atomic():
            create()
            raise RuntimeError

    with pytest.raises(RuntimeError):
        book_then_fail()

    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_only_enabled_endpoints_subscribed_to_the_event_get_it(
    receiver, django_capture_on_commit_callbacks
):
    subscribed = WebhookEndpointFactory(
        url=receiver.url, events=[WebhookEvent.BOOKING_CREATED]
    )
    receiver.secret = subscribed.secret
    WebhookEndpointFactory(url=receiver.url, events=[WebhookEvent.BOOKING_CANCELLED])
    WebhookEndpointFactory(url=receiver.url, enabled=False)

    _booked(django_capture_on_commit_callbacks)

    assert [d.endpoint for d in WebhookDelivery.objects.all()] == [subscribed]
    assert len(receiver.verified) == 1


def test_receiver_500_then_200_is_retried_under_the_same_webhook_id(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    receiver.answers = [500, 200]
    _booked(django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code == 500
    retry_at = delivery.next_attempt_at

    too_soon = webhook_deliver(
        delivery_id=delivery.pk, now=retry_at - timedelta(seconds=1)
    )
    delivered = webhook_deliver(delivery_id=delivery.pk, now=retry_at)

    delivery.refresh_from_db()
    assert (too_soon, delivered) == (False, True)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert receiver.ids() == [delivery.webhook_id, delivery.webhook_id]
    assert [r.body for r in receiver.verified] == [delivery.body.encode()] * 2
    assert list(
        WebhookAttempt.objects.order_by("number").values_list("number", "status_code")
    ) == [(1, 500), (2, 200)]


def test_a_receiver_that_times_out_is_tried_again(
    receiver, endpoint, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    receiver.answers = [("sleep", 2), 200]
    _booked(django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    first = WebhookAttempt.objects.get()

    webhook_deliver(delivery_id=delivery.pk, now=delivery.next_attempt_at)

    delivery.refresh_from_db()
    assert first.status_code is None
    assert first.error == "The request failed: ReadTimeoutError."
    assert first.duration_ms >= 1000
    assert delivery.status == DeliveryStatus.DELIVERED
    assert receiver.ids() == [delivery.webhook_id, delivery.webhook_id]


def test_each_event_is_delivered_once_however_often_its_task_runs(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    booking = _booked(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, by=CancelledBy.CLIENT, now=NOW)
    deliveries = list(WebhookDelivery.objects.order_by("pk"))

    for delivery in deliveries:
        webhook_deliver(delivery_id=delivery.pk)
    with django_capture_on_commit_callbacks(execute=True):
        relayed = webhook_relay(now=timezone.now() + timedelta(hours=1))

    assert relayed == 0
    assert [d.event for d in deliveries] == ["booking.created", "booking.cancelled"]
    assert receiver.ids() == [d.webhook_id for d in deliveries]
    assert [r.payload["type"] for r in receiver.verified] == [
        "booking.created",
        "booking.cancelled",
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_one_delivery_at_once_post_it_once(receiver, endpoint):
    receiver.answers = [("sleep", 0.5)]
    # Written directly: outside a test transaction, queueing it would send it at once.
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=WebhookEvent.BOOKING_CREATED,
        body='{"type":"booking.created"}',
        created_at=timezone.now(),
    )
    results = []

    def send():
        try:
            results.append(webhook_deliver(delivery_id=delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False, True]
    assert receiver.ids() == [delivery.webhook_id]


def test_relay_sends_what_the_broker_never_got_and_retries_when_due(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    receiver.answers = [500, 200]
    # Written without its send being handed over (the broker was down at commit).
    [lost] = webhook_event_queue(
        event=WebhookEvent.BOOKING_CREATED, data={"id": 1}, booking_id=1
    )
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        early = webhook_relay(now=now)
    with django_capture_on_commit_callbacks(execute=True):
        first = webhook_relay(now=now + timedelta(minutes=3))
    lost.refresh_from_db()
    assert (early, first, lost.status, lost.attempts) == (
        0,
        1,
        DeliveryStatus.PENDING,
        1,
    )

    with django_capture_on_commit_callbacks(execute=True):
        webhook_relay(now=lost.next_attempt_at)
    # The relayed task runs at the real time, before the retry is due; the next
    # relay's worker finds it due.
    webhook_deliver(delivery_id=lost.pk, now=lost.next_attempt_at)

    lost.refresh_from_db()
    assert lost.status == DeliveryStatus.DELIVERED
    assert receiver.ids() == [lost.webhook_id, lost.webhook_id]


def test_a_delivery_failing_for_the_whole_window_fails_and_can_be_redelivered(
    receiver, endpoint, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_HOURS = 1
    receiver.answers = [503]
    _booked(django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    while delivery.status == DeliveryStatus.PENDING:
        webhook_deliver(delivery_id=delivery.pk, now=delivery.next_attempt_at)
        delivery.refresh_from_db()

    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == webhook_attempts_max()
    assert delivery.last_error == "The receiver answered 503."
    failed_id = delivery.webhook_id

    receiver.answers = [200]
    with django_capture_on_commit_callbacks(execute=True):
        webhook_redeliver(delivery=delivery)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.webhook_id == failed_id
    assert receiver.ids()[-1] == failed_id
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == (
        webhook_attempts_max() + 1
    )


def test_retries_span_about_a_day():
    from webhooks.services import webhook_backoff  # noqa: PLC0415

    waits = [webhook_backoff(attempts=n) for n in range(1, webhook_attempts_max())]

    assert waits[:4] == [30, 60, 120, 240]
    assert max(waits) == 4 * 3600
    assert 24 * 3600 <= sum(waits) < 28 * 3600


def test_a_url_that_points_into_a_private_network_is_refused_without_retries(
    endpoint, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    _booked(django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 1
    assert delivery.last_error.startswith("Refused: This address points into a private")


def test_an_endpoint_disabled_before_its_delivery_went_out_fails_it(receiver, endpoint):
    [delivery] = webhook_event_queue(
        event=WebhookEvent.BOOKING_CREATED, data={"id": 1}, booking_id=1
    )
    endpoint.enabled = False
    endpoint.save()

    webhook_deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "Not sent: the endpoint is disabled."
    assert receiver.requests == []


def test_outcome_recorded_says_which_outcome(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    booking = BookingFactory(status=BookingStatus.CONFIRMED)
    previous_start = booking.start
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_mark_no_show(booking=booking, now=booking.end)

    [payload] = [r.payload for r in receiver.verified]
    assert payload["type"] == "booking.outcome_recorded"
    assert payload["data"]["status"] == "no_show"
    assert payload["data"]["start"] == previous_start.isoformat().replace("+00:00", "Z")


def test_a_delivery_body_is_the_json_that_was_signed(receiver, endpoint):
    [delivery] = webhook_event_queue(
        event=WebhookEvent.BOOKING_CREATED, data={"id": 7, "name": "Zoë"}, booking_id=7
    )

    webhook_deliver(delivery_id=delivery.pk)

    assert json.loads(receiver.verified[0].body) == json.loads(delivery.body)
    assert receiver.verified[0].payload["data"] == {"id": 7, "name": "Zoë"}


def test_finished_deliveries_past_the_retention_are_deleted(endpoint, settings):
    settings.DATA_RETENTION_DAYS = 30
    rows = {
        status: WebhookDelivery.objects.create(
            endpoint=endpoint,
            event=WebhookEvent.BOOKING_CREATED,
            body="{}",
            status=status,
            created_at=timezone.now() - timedelta(days=31),
        )
        for status in DeliveryStatus.values
    }
    recent = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=WebhookEvent.BOOKING_CREATED,
        body="{}",
        status=DeliveryStatus.DELIVERED,
        created_at=timezone.now() - timedelta(days=29),
    )

    deleted = webhook_deliveries_purge()

    assert deleted == 3
    assert sorted(WebhookDelivery.objects.values_list("pk", flat=True)) == sorted(
        [rows["pending"].pk, rows["sending"].pk, recent.pk]
    )


def test_booking_rescheduled_says_when_it_was_before(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    booking = _booked(django_capture_on_commit_callbacks)
    later = booking.start + timedelta(hours=2)

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_reschedule(booking=booking, new_start=later, now=NOW)

    moved = receiver.verified[-1].payload
    assert moved["type"] == "booking.rescheduled"
    assert (moved["data"]["start"], moved["data"]["previous_start"]) == (
        "2027-03-02T11:00:00Z",
        "2027-03-02T09:00:00Z",
    )
    assert moved["data"]["previous_end"] == "2027-03-02T09:30:00Z"
