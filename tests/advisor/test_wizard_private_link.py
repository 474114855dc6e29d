"""The wizard's private link: a wrong one finds nothing, the right one resumes
anywhere, and it can be emailed to come back later."""

import pytest
from django.urls import reverse

from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.helpers.wizard import url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]


@pytest.mark.parametrize(
    "name", ["about", "organisation", "use_cases", "check", "result"]
)
def test_wrong_token_is_404_and_leaks_nothing(client, name):
    AssessmentFactory(company="Secret Corp")

    response = client.get(reverse(f"advisor:{name}", kwargs={"token": "x" * 43}))

    assert response.status_code == 404
    assert b"Secret Corp" not in response.content


def test_resume_by_token_in_a_new_browser(client):
    assessment = AssessmentFactory(contact_name="Resumed Person")

    response = client.get(url("about", assessment))

    assert response.status_code == 200
    assert b'value="Resumed Person"' in response.content


def test_email_link_sends_the_private_link(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    assessment = AssessmentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("email_link", assessment))

    assert response.status_code == 303
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [assessment.contact_email]
    assert f"http://testserver/assess/{assessment.token}/about/" in mailoutbox[0].body


@pytest.mark.parametrize(
    ("step", "back_to"),
    [
        ("use_cases", "use-cases"),
        ("organisation", "organisation"),
        ("result", "about"),
        ("../../admin", "about"),
    ],
)
def test_email_link_brings_the_client_back_to_their_step(client, step, back_to):
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment)
    page = client.get(url("use_cases", assessment)).content.decode()

    response = client.post(url("email_link", assessment), {"step": step})

    assert '<input type="hidden" name="step" value="use_cases">' in page
    assert response["Location"] == f"/assess/{assessment.token}/{back_to}/"
