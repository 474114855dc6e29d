import pytest
from django.urls import reverse

from advisor.models import Assessment
from tests.factories.advisor import AssessmentFactory

pytestmark = pytest.mark.django_db


def test_start_is_rate_limited_per_ip(client):
    statuses = [
        client.post("/assess/", REMOTE_ADDR="10.3.0.1").status_code for _ in range(31)
    ]

    assert statuses == [303] * 30 + [429]
    assert Assessment.objects.count() == 30


def test_about_honeypot_filled_is_refused_and_saves_nothing(client):
    assessment = AssessmentFactory(contact_name="Kept")

    response = client.post(
        reverse("advisor:about", kwargs={"token": assessment.token}),
        {
            "version": "0",
            "contact_name": "Bot",
            "contact_email": "bot@example.com",
            "company": "Bots",
            "website": "buy-now.example",
        },
    )

    assessment.refresh_from_db()
    assert response.status_code == 422
    assert "Please leave the last field empty." in response.content.decode()
    assert assessment.contact_name == "Kept"


def test_email_link_is_rate_limited(client):
    assessment = AssessmentFactory()
    url = reverse("advisor:email_link", kwargs={"token": assessment.token})

    statuses = [client.post(url, REMOTE_ADDR="10.3.0.2").status_code for _ in range(11)]

    assert statuses == [303] * 10 + [429]
