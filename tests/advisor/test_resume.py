import pytest
from django.urls import reverse

from advisor.models import Assessment
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


def test_resume_sends_fresh_links_and_old_links_stop_working(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    assessment = AssessmentFactory(contact_email="ada@example.com", company="Engines")
    old_token = assessment.token

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/assess/resume/", {"email": "ADA@example.com "})

    assert response.status_code == 200
    assert "If there are assessments for ada@example.com" in response.content.decode()
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "your assessment for Engines" in body
    assert "It replaces\nthe links we sent before, which no longer work." in body
    new_url = next(line for line in body.splitlines() if "/assess/" in line).strip()
    new_path = new_url.removeprefix("http://testserver")
    assert client.get(new_path).status_code == 200
    old = client.get(reverse("advisor:about", kwargs={"token": old_token}))
    assert old.status_code == 404


def test_resume_for_an_unknown_address_says_the_same_and_sends_nothing(
    client, mailoutbox
):
    AssessmentFactory(contact_email="someone@example.com")
    before = list(Assessment.objects.values_list("token_hash", flat=True))

    response = client.post("/assess/resume/", {"email": "nobody@example.com"})

    assert response.status_code == 200
    assert (
        "If there are assessments for nobody@example.com" in response.content.decode()
    )
    assert mailoutbox == []
    assert list(Assessment.objects.values_list("token_hash", flat=True)) == before


def test_resume_invalid_email_is_a_clear_error(client):
    response = client.post("/assess/resume/", {"email": "not an email"})

    assert response.status_code == 422
    assert (
        '<a href="#id_email">Enter a valid email address.</a>'
        in response.content.decode()
    )


def test_resume_is_rate_limited_per_email(client):
    statuses = [
        client.post(
            "/assess/resume/", {"email": "x@example.com"}, REMOTE_ADDR=f"10.9.0.{n}"
        ).status_code
        for n in range(4)
    ]

    assert statuses == [200, 200, 200, 429]
