import io
import re
import smtplib
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from advisor import services, summaries
from advisor.models import Assessment
from consult.emails import EmailSendDeferred, email_send
from consult.models import OutboundEmail
from tests.factories.advisor import AssessmentFactory, UseCaseFactory

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
def test_resume_of_a_result_renews_the_links_in_its_pdf(
    client, django_capture_on_commit_callbacks
):
    assessment = AssessmentFactory(contact_email="ada@example.com")
    UseCaseFactory(assessment=assessment)
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_submit(assessment=assessment, token=assessment.token)
    assessment.refresh_from_db()
    old_name = assessment.summary_pdf.name
    assert f"/assess/{assessment.token}/result/" in links_in_stored_pdf(old_name)[0]

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/assess/resume/", {"email": "ada@example.com"})

    assessment.refresh_from_db()
    new_path = links_in_stored_pdf(assessment.summary_pdf.name)[0].removeprefix(
        "http://testserver"
    )
    assert assessment.summary_pdf.name != old_name
    assert not default_storage.exists(old_name)
    assert client.get(new_path).status_code == 200
    download = client.get(new_path.replace("/result/", "/summary.pdf"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    download.close()


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


def renewed_token() -> str:
    """The token in the "Lost your link?" email just queued."""
    renewal = OutboundEmail.objects.get(kind="link")
    return re.search(r"/assess/([\w-]{43})/result/", renewal.body_text)[1]


@pytest.mark.usefixtures("active_price_book")
def test_resume_moves_a_still_queued_summary_email_to_the_renewed_pdf(
    django_capture_on_commit_callbacks,
):
    assessment, waiting = summary_email_waiting(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        services.assessment_links_resend(email="ada@example.com")
    new_token = renewed_token()

    summaries.assessment_summary_build(
        assessment_id=assessment.pk, token=new_token, relink=True
    )

    assessment.refresh_from_db()
    waiting.refresh_from_db()
    assert [part["storage_name"] for part in waiting.attachments] == [
        assessment.summary_pdf.name
    ]
    assert email_send(email_id=waiting.pk)


@pytest.mark.usefixtures("active_price_book")
def test_a_summary_email_being_sent_during_a_relink_is_retried_with_the_new_pdf(
    django_capture_on_commit_callbacks, monkeypatch, mailoutbox
):
    assessment, waiting = summary_email_waiting(django_capture_on_commit_callbacks)
    send = EmailMultiAlternatives.send

    def relinked_mid_send(message, *args, **kwargs):
        # While the mail server is slow, the client asks for a new link.
        with django_capture_on_commit_callbacks(execute=False):
            services.assessment_links_resend(email="ada@example.com")
        summaries.assessment_summary_build(
            assessment_id=assessment.pk, token=renewed_token(), relink=True
        )
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
