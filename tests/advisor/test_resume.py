import io
import smtplib
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from advisor import selectors, services
from advisor.models import Assessment, AssessmentLink
from consult.emails import EmailSendDeferred, email_send
from consult.models import OutboundEmail
from tests.factories.advisor import AssessmentFactory, UseCaseFactory

pytestmark = pytest.mark.django_db


def test_resume_sends_a_fresh_link_and_the_old_one_keeps_working(
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
    assert "The links we sent you\nbefore still work too." in body
    new_url = next(line for line in body.splitlines() if "/about/" in line).strip()
    new_token = new_url.split("/")[4]
    assert f"http://testserver/assess/{new_token}/links/" in body.splitlines()
    assert new_token != old_token
    assert client.get(new_url.removeprefix("http://testserver")).status_code == 200
    old = client.get(reverse("advisor:about", kwargs={"token": old_token}))
    assert old.status_code == 200
    assert list(
        assessment.links.order_by("pk").values_list("origin", "revoked_at")
    ) == [("started", None), ("lost_link", None)]


def test_resume_for_an_unknown_address_says_the_same_and_sends_nothing(
    client, mailoutbox
):
    AssessmentFactory(contact_email="someone@example.com")
    before = list(AssessmentLink.objects.values_list("token_hash", flat=True))

    response = client.post("/assess/resume/", {"email": "nobody@example.com"})

    assert response.status_code == 200
    assert (
        "If there are assessments for nobody@example.com" in response.content.decode()
    )
    assert mailoutbox == []
    assert list(AssessmentLink.objects.values_list("token_hash", flat=True)) == before


def test_resume_invalid_email_is_a_clear_error(client):
    response = client.post("/assess/resume/", {"email": "not an email"})

    assert response.status_code == 422
    assert (
        '<a href="#id_email">Enter a valid email address.</a>'
        in response.content.decode()
    )


def test_resume_too_long_email_is_a_clear_error(client):
    # Well formed, but longer than any address an assessment can hold.
    email = "a" * 64 + "@" + ("b" * 60 + ".") * 4 + "com"

    response = client.post("/assess/resume/", {"email": email})

    assert response.status_code == 422
    assert (
        '<a href="#id_email">Ensure this value has at most 254 characters'
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


def links_in_stored_pdf(name: str) -> list[str]:
    with default_storage.open(name, "rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    return [
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
    ]


@pytest.mark.usefixtures("active_price_book")
def test_resume_of_a_result_leaves_its_pdf_and_share_link_alone(
    client, django_capture_on_commit_callbacks
):
    assessment = AssessmentFactory(contact_email="ada@example.com")
    UseCaseFactory(assessment=assessment)
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_submit(assessment=assessment, token=assessment.token)
    assessment.refresh_from_db()
    old_name = assessment.summary_pdf.name
    [share_url, _] = links_in_stored_pdf(old_name)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/assess/resume/", {"email": "ada@example.com"})

    assessment.refresh_from_db()
    assert assessment.summary_pdf.name == old_name
    assert client.get(share_url.removeprefix("http://testserver")).status_code == 200
    assert client.get(f"/assess/{assessment.token}/result/").status_code == 200


def summary_email_waiting(capture) -> tuple[Assessment, OutboundEmail]:
    """A submitted assessment whose "Email me this result" waits in the outbox."""
    assessment = AssessmentFactory(contact_email="ada@example.com")
    UseCaseFactory(assessment=assessment)
    with capture(execute=True):
        services.assessment_submit(assessment=assessment, token=assessment.token)
    assessment.refresh_from_db()
    with capture(execute=False):
        services.assessment_email_link(assessment=assessment, token=assessment.token)
    [waiting] = OutboundEmail.objects.filter(
        kind="assessment_summary", status=OutboundEmail.Status.QUEUED
    )
    return assessment, waiting


def pdf_share_link_revoke(assessment: Assessment, capture) -> None:
    """The client revokes the share link their PDF carries, on their links page."""
    opened = selectors.assessment_by_token(assessment.token)
    pdf_link = AssessmentLink.objects.get(
        assessment=assessment, origin=AssessmentLink.Origin.SUMMARY_PDF, revoked_at=None
    )
    with capture(execute=True):
        assert services.assessment_link_revoke(
            assessment=opened, link_id=pdf_link.pk, used=opened.link
        )


@pytest.mark.usefixtures("active_price_book")
def test_revoking_the_pdf_share_link_moves_a_still_queued_summary_email_to_the_new_pdf(
    client, django_capture_on_commit_callbacks
):
    assessment, waiting = summary_email_waiting(django_capture_on_commit_callbacks)
    [old_share, _] = links_in_stored_pdf(assessment.summary_pdf.name)

    pdf_share_link_revoke(assessment, django_capture_on_commit_callbacks)

    assessment.refresh_from_db()
    waiting.refresh_from_db()
    [new_share, _] = links_in_stored_pdf(assessment.summary_pdf.name)
    assert [part["storage_name"] for part in waiting.attachments] == [
        assessment.summary_pdf.name
    ]
    assert client.get(old_share.removeprefix("http://testserver")).status_code == 404
    assert client.get(new_share.removeprefix("http://testserver")).status_code == 200
    assert email_send(email_id=waiting.pk)


@pytest.mark.usefixtures("active_price_book")
def test_a_summary_email_being_sent_during_a_relink_is_retried_with_the_new_pdf(
    django_capture_on_commit_callbacks, monkeypatch, mailoutbox
):
    assessment, waiting = summary_email_waiting(django_capture_on_commit_callbacks)
    send = EmailMultiAlternatives.send

    def relinked_mid_send(message, *args, **kwargs):
        # While the mail server is slow, the client revokes the PDF's share link.
        pdf_share_link_revoke(assessment, django_capture_on_commit_callbacks)
        raise smtplib.SMTPServerDisconnected("timed out")

    monkeypatch.setattr(EmailMultiAlternatives, "send", relinked_mid_send)
    with pytest.raises(EmailSendDeferred):
        email_send(email_id=waiting.pk)
    monkeypatch.setattr(EmailMultiAlternatives, "send", send)

    assert email_send(email_id=waiting.pk, now=timezone.now() + timedelta(hours=1))
    assessment.refresh_from_db()
    waiting.refresh_from_db()
    assert [part["storage_name"] for part in waiting.attachments] == [
        assessment.summary_pdf.name
    ]
