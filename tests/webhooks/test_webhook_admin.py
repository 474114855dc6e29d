"""Webhooks in the admin: endpoints with a URL Consult will reach, a secret shown once,
deliveries with their attempts and a redeliver action; managers only."""

import pytest
from django.urls import reverse

from tests.factories.webhooks import WebhookEndpointFactory
from tests.helpers.admin_roles import consultant_create
from webhooks.enums import DeliveryStatus, WebhookEvent
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_event_queue

pytestmark = pytest.mark.django_db

ADD = reverse("admin:webhooks_webhookendpoint_add")
# The private page's headers, with the admin's own never-cache ones after them.
NO_STORE = "private, no-store, max-age=0, no-cache, must-revalidate"


def _form(url, **overrides):
    return {
        "url": url,
        "description": "CRM",
        "events": [WebhookEvent.BOOKING_CREATED, WebhookEvent.CLIENT_ERASED],
        "enabled": "on",
    } | overrides


def test_manager_adds_an_endpoint_and_sees_its_secret_once(client, manager, receiver):
    client.force_login(manager)

    response = client.post(ADD, _form(receiver.url))

    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.content.decode()
    assert endpoint.events == ["booking.created", "client.erased"]
    change = client.get(
        reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])
    )
    assert change.status_code == 200
    assert endpoint.secret not in change.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hooks",
        "http://10.1.2.3/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hooks",
    ],
)
def test_an_endpoint_in_a_private_network_is_refused_next_to_the_field(
    client, manager, url
):
    client.force_login(manager)

    response = client.post(ADD, _form(url))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["url"] == [
        "This address points into a private network, which Consult does not reach."
    ]
    assert WebhookEndpoint.objects.count() == 0


def test_an_endpoint_without_events_is_refused(client, manager, receiver):
    client.force_login(manager)

    response = client.post(ADD, _form(receiver.url, events=[]))

    assert response.context["adminform"].form.errors["events"] == [
        "This field is required."
    ]


def test_rotating_the_secret_shows_the_new_one_once(client, manager):
    client.force_login(manager)
    endpoint = WebhookEndpointFactory()
    old = endpoint.secret

    response = client.post(
        reverse("admin:webhooks_webhookendpoint_changelist"),
        {"action": "rotate_secret", "_selected_action": [endpoint.pk]},
    )

    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret in response.content.decode()
    assert response["Cache-Control"] == NO_STORE


def test_consultants_see_no_webhooks(client):
    consultant = consultant_create()
    client.force_login(consultant.user)

    responses = [
        client.get(reverse("admin:webhooks_webhookendpoint_changelist")),
        client.get(reverse("admin:webhooks_webhookdelivery_changelist")),
    ]

    assert [r.status_code for r in responses] == [403, 403]


def test_redeliver_queues_a_failed_delivery_again_under_its_id(
    client, manager, receiver, endpoint, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    [delivery] = webhook_event_queue(
        event=WebhookEvent.BOOKING_CREATED, data={"id": 1}, booking_id=1
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, attempts=14
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:webhooks_webhookdelivery_changelist"),
            {"action": "redeliver", "_selected_action": [delivery.pk]},
        )

    delivery.refresh_from_db()
    assert response.status_code == 302
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert receiver.ids() == [delivery.webhook_id]


def test_the_delivery_page_shows_its_attempts(client, manager, receiver, endpoint):
    from webhooks.services import webhook_deliver  # noqa: PLC0415

    client.force_login(manager)
    receiver.answers = [502]
    [delivery] = webhook_event_queue(
        event=WebhookEvent.BOOKING_CREATED, data={"id": 1}, booking_id=1
    )
    webhook_deliver(delivery_id=delivery.pk)

    page = client.get(
        reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk])
    ).content.decode()

    assert delivery.webhook_id in page
    assert "The receiver answered 502." in page
