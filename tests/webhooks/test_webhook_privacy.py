"""What webhooks say about a client, and what "delete my data" does to them: no private
links in any payload; an erasure withdraws what is still to go out, erases what was
kept, and tells the receivers with ``client.erased``."""

import pytest

from advisor.services import assessment_submit
from bookings.services import AssessmentLink
from bookings.tokens import token_hash
from privacy.services import assessment_erase, booking_erase
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.factories.bookings import ConsultantFactory
from tests.helpers.booking_service import OFFICE, create
from webhooks.enums import DeliveryStatus, WebhookEvent
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_claim_release, webhook_deliver

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("active_price_book")
def test_payloads_carry_no_private_link_or_its_hash(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    ConsultantFactory(hours=OFFICE)
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=assessment)
        result = create(
            assessment=AssessmentLink(reference=str(assessment.pk), stack="api")
        )

    bodies = [request.body.decode() for request in receiver.verified]
    assert [r.payload["type"] for r in receiver.verified] == [
        "assessment.submitted",
        "booking.created",
    ]
    secrets = [
        assessment.token,
        *assessment.links.values_list("token_hash", flat=True),
        result.manage_token,
        token_hash(result.manage_token),
    ]
    assert [secret for secret in secrets if any(secret in b for b in bodies)] == []
    submitted = receiver.verified[0].payload["data"]
    assert submitted["id"] == assessment.pk
    assert submitted["contact"]["email"] == assessment.contact_email
    assert submitted["recommendation"]["engine_version"] != ""
    assert receiver.verified[1].payload["data"]["assessment_id"] == assessment.pk


def test_erasure_withdraws_pending_deliveries_and_sends_client_erased(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    ConsultantFactory(hours=OFFICE)
    receiver.answers = [500]  # down: the booking's delivery waits for a retry
    with django_capture_on_commit_callbacks(execute=True):
        booking = create().booking
    pending = WebhookDelivery.objects.get()
    assert pending.status == DeliveryStatus.PENDING
    receiver.answers = [200]

    with django_capture_on_commit_callbacks(execute=True):
        booking_erase(booking=booking)

    pending.refresh_from_db()
    assert (pending.status, pending.body) == (DeliveryStatus.WITHDRAWN, "")
    # The erasure cancelled the call to come; that event is withdrawn as well.
    cancelled = WebhookDelivery.objects.get(event=WebhookEvent.BOOKING_CANCELLED)
    assert (cancelled.status, cancelled.body) == (DeliveryStatus.WITHDRAWN, "")
    # The first request is the booking's attempt the receiver refused.
    erased = receiver.verified[1:]
    assert [r.payload["type"] for r in erased] == ["client.erased"]
    assert erased[0].payload["data"] == {
        "assessment_ids": [],
        "booking_ids": [booking.pk],
    }
    assert "grace@example.com" not in erased[0].body.decode()
    # A withdrawn delivery is never sent, whatever runs it later.
    assert webhook_deliver(delivery_id=pending.pk) is False


@pytest.mark.usefixtures("active_price_book")
def test_assessment_erasure_erases_delivered_bodies_about_the_client(
    receiver, endpoint, django_capture_on_commit_callbacks
):
    ConsultantFactory(hours=OFFICE)
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=assessment)
        booking = create(
            assessment=AssessmentLink(reference=str(assessment.pk), stack="api")
        ).booking
    assessment_id = assessment.pk

    with django_capture_on_commit_callbacks(execute=True):
        assessment_erase(assessment=assessment)

    about = WebhookDelivery.objects.exclude(event=WebhookEvent.CLIENT_ERASED)
    assert sorted(about.values_list("event", "status", "body")) == [
        ("assessment.submitted", DeliveryStatus.DELIVERED, ""),
        ("booking.cancelled", DeliveryStatus.WITHDRAWN, ""),
        ("booking.created", DeliveryStatus.DELIVERED, ""),
    ]
    assert receiver.verified[-1].payload["data"] == {
        "assessment_ids": [assessment_id],
        "booking_ids": [booking.pk],
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_delivery_being_sent_during_the_erasure_is_erased_once_done(
    receiver, endpoint
):
    ConsultantFactory(hours=OFFICE)
    receiver.answers = [500]
    booking = create().booking  # outside a test transaction: sent at once, refused
    delivery = WebhookDelivery.objects.get()
    # The client erases their data while the next attempt is with the receiver.
    receiver.answers = [200]
    receiver.on_request = lambda: booking_erase(booking=booking)

    delivered = webhook_deliver(delivery_id=delivery.pk, now=delivery.next_attempt_at)

    delivery.refresh_from_db()
    assert delivered is True
    assert (delivery.status, delivery.body) == (DeliveryStatus.DELIVERED, "")
    assert receiver.ids().count(delivery.webhook_id) == 2


def test_a_delivery_whose_worker_died_during_the_erasure_is_not_sent_again(
    endpoint, django_capture_on_commit_callbacks
):
    ConsultantFactory(hours=OFFICE)
    with django_capture_on_commit_callbacks(execute=False):
        booking = create().booking
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, claimed_by="task-1"
    )
    with django_capture_on_commit_callbacks(execute=False):
        booking_erase(booking=booking)

    released = webhook_claim_release(delivery_id=delivery.pk, claimed_by="task-1")

    delivery.refresh_from_db()
    assert released is False
    assert (delivery.status, delivery.body) == (DeliveryStatus.WITHDRAWN, "")
    assert webhook_deliver(delivery_id=delivery.pk) is False
