"""/metrics: the site's counts for the monitoring system, and only for it."""

import pytest
from django.utils import timezone

from advisor.models import Assessment
from bookings.enums import BookingStatus
from consult.models import OutboundEmail
from tests.factories.advisor import AssessmentFactory
from tests.factories.bookings import BookingFactory, ConsultantFactory
from tests.helpers.booking_pages import form_data, free_starts

pytestmark = pytest.mark.django_db

LOCAL = {"REMOTE_ADDR": "127.0.0.1"}


def metric(client, name: str, **headers) -> float:
    body = client.get("/metrics", **(LOCAL | headers)).content.decode()
    for line in body.splitlines():
        if line.startswith((f"{name} ", f"{name}{{")):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in /metrics")


def test_metrics_count_a_booking_made_through_the_site(client):
    before = metric(client, "consult_bookings_created_total")
    consultant = ConsultantFactory()

    booked = client.post("/book/details/", form_data(free_starts(consultant)[0]))

    assert booked.status_code == 302
    assert metric(client, "consult_bookings_created_total") == before + 1
    assert metric(client, 'consult_bookings{status="confirmed"}') == 1


def test_metrics_count_cancellations_submissions_and_the_outbox(client):
    BookingFactory(status=BookingStatus.CANCELLED)
    AssessmentFactory(status=Assessment.Status.SUBMITTED, submitted_at=timezone.now())
    OutboundEmail.objects.create(
        kind="link",
        to="a@example.com",
        subject="s",
        body_text="b",
        body_html="b",
        dedupe_key="metrics-test",
        created_at=timezone.now() - timezone.timedelta(minutes=5),
    )

    assert metric(client, "consult_bookings_cancelled_total") == 1
    assert metric(client, "consult_assessments_submitted_total") == 1
    assert metric(client, 'consult_outbox_emails{status="queued"}') == 1
    assert metric(client, "consult_outbox_oldest_queued_seconds") >= 300


def test_metrics_include_request_metrics_from_django_prometheus(client):
    client.get("/")

    body = client.get("/metrics", **LOCAL).content.decode()

    assert "django_http_requests_total_by_method_total" in body


def test_metrics_are_refused_to_other_addresses(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 403
    assert b"consult_" not in response.content


def test_metrics_are_allowed_with_the_token_from_anywhere(client, settings):
    settings.METRICS_TOKEN = "metrics-secret-0123456789"

    allowed = client.get(
        "/metrics",
        REMOTE_ADDR="203.0.113.9",
        HTTP_AUTHORIZATION="Bearer metrics-secret-0123456789",
    )
    wrong = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer nope"
    )

    assert allowed.status_code == 200
    assert wrong.status_code == 403
