"""The summary PDF on the result page: download, status polling, "Email me this result"."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from advisor import services, summaries
from advisor.models import Assessment
from consult.models import OutboundEmail
from tests.factories.advisor import AssessmentFactory, UseCaseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, token: str) -> str:
    return reverse(f"advisor:{name}", kwargs={"token": token})


def submitted(django_capture_on_commit_callbacks, *, built: bool) -> Assessment:
    """A submitted assessment; with ``built`` its PDF is stored (and emailed once)."""
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment, name="Support summaries")
    token = assessment.token
    with django_capture_on_commit_callbacks(execute=False):
        services.assessment_submit(assessment=assessment)
    if built:
        with django_capture_on_commit_callbacks(execute=True):
            summaries.assessment_summary_build(assessment_id=assessment.pk, token=token)
    assessment = Assessment.objects.get(pk=assessment.pk)
    assessment.token = token
    return assessment


def test_summary_pdf_download_with_the_token(
    client, django_capture_on_commit_callbacks
):
    assessment = submitted(django_capture_on_commit_callbacks, built=True)

    response = client.get(url("summary_pdf", assessment.token))

    content = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert content[:5] == b"%PDF-"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(content))
    assert response["Content-Disposition"] == (
        'attachment; filename="consult-summary-analytical-engines-ltd.pdf"'
    )
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", ["summary_pdf", "summary_status"])
def test_summary_views_with_a_wrong_token_are_404(
    client, django_capture_on_commit_callbacks, name
):
    submitted(django_capture_on_commit_callbacks, built=True)

    response = client.get(url(name, "x" * 43), **HTMX)

    assert response.status_code == 404
    assert b"%PDF" not in response.content


def test_summary_pdf_not_built_yet_leads_back_to_the_result_with_a_note(
    client, django_capture_on_commit_callbacks
):
    assessment = submitted(django_capture_on_commit_callbacks, built=False)

    response = client.get(url("summary_pdf", assessment.token), follow=True)

    assert response.redirect_chain == [(url("result", assessment.token), 303)]
    assert (
        "Your PDF summary is still being prepared. It will be ready here in a "
        "moment, and we will email it to you too."
    ) in response.content.decode()


def test_summary_pdf_of_a_draft_leads_to_its_check_page(client):
    draft = AssessmentFactory()
    UseCaseFactory(assessment=draft)

    response = client.get(url("summary_pdf", draft.token))

    assert response.status_code == 303
    assert response["Location"] == url("check", draft.token)


def test_summary_pdf_whose_file_is_gone_is_404(
    client, django_capture_on_commit_callbacks
):
    assessment = submitted(django_capture_on_commit_callbacks, built=True)
    assessment.summary_pdf.storage.delete(assessment.summary_pdf.name)

    response = client.get(url("summary_pdf", assessment.token))

    assert response.status_code == 404


def test_result_page_polls_while_the_pdf_is_built(
    client, django_capture_on_commit_callbacks
):
    assessment = submitted(django_capture_on_commit_callbacks, built=False)

    html = client.get(url("result", assessment.token)).content.decode()

    status_url = url("summary_status", assessment.token)
    assert (
        f'<div id="summary-status" class="summary-status" hx-get="{status_url}" '
        'hx-trigger="every 2s" hx-swap="outerHTML">'
    ) in html
    assert f'<a href="{url("result", assessment.token)}">Refresh this page</a>' in html
    assert "Download the PDF summary" not in html


def test_result_page_offers_the_pdf_once_built(
    client, django_capture_on_commit_callbacks
):
    assessment = submitted(django_capture_on_commit_callbacks, built=True)

    html = client.get(url("result", assessment.token)).content.decode()

    assert (
        f'<a class="button button--secondary" href="{url("summary_pdf", assessment.token)}">'
        "Download the PDF summary</a>"
    ) in html
    assert "hx-get" not in html
    assert "hx-swap-oob" not in html


def test_summary_status_while_building_keeps_polling(
    client, django_capture_on_commit_callbacks
):
    assessment = submitted(django_capture_on_commit_callbacks, built=False)

    response = client.get(url("summary_status", assessment.token), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('hx-trigger="every 2s"') == 1
    assert "<html" not in html
    assert response["Vary"] == "HX-Request"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"


def test_summary_status_when_ready_is_286_with_the_link(
    client, django_capture_on_commit_callbacks
):
    assessment = submitted(django_capture_on_commit_callbacks, built=True)

    response = client.get(url("summary_status", assessment.token), **HTMX)

    html = response.content.decode()
    assert response.status_code == 286
    assert f'href="{url("summary_pdf", assessment.token)}"' in html
    assert "hx-get" not in html
    assert (
        '<span hx-swap-oob="innerHTML:#announcer">Your PDF summary is ready to '
        "download.</span>"
    ) in html


def test_summary_status_after_a_long_wait_stops_polling_and_says_so(
    client, django_capture_on_commit_callbacks
):
    assessment = submitted(django_capture_on_commit_callbacks, built=False)
    Assessment.objects.filter(pk=assessment.pk).update(
        submitted_at=timezone.now() - timedelta(minutes=6)
    )

    response = client.get(url("summary_status", assessment.token), **HTMX)

    html = response.content.decode()
    assert response.status_code == 286
    assert "hx-get" not in html
    assert "Your PDF summary is taking longer than usual." in html


def test_summary_status_without_htmx_is_the_result_page(
    client, django_capture_on_commit_callbacks
):
    assessment = submitted(django_capture_on_commit_callbacks, built=False)

    response = client.get(url("summary_status", assessment.token))

    assert response.status_code == 303
    assert response["Location"] == url("result", assessment.token)


def test_htmx_swaps_and_stops_on_286_per_the_response_handling_in_base(client):
    # base.html's htmx config decides what a 286 does: it must be swapped
    # (htmx only stops polling on a 286 it swaps).
    html = client.get("/assess/").content.decode()

    assert '{"code": "[23]..", "swap": true}' in html
    assert html.index('{"code": "204", "swap": false}') < html.index('"[23].."')


def test_email_me_this_result_sends_the_summary_with_the_pdf(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    assessment = submitted(django_capture_on_commit_callbacks, built=True)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("email_link", assessment.token), follow=True)
        client.post(url("email_link", assessment.token))  # a double click

    assert response.redirect_chain == [(url("result", assessment.token), 303)]
    assert (
        f"We are emailing your recommendation and its PDF summary to "
        f"{assessment.contact_email}."
    ) in response.content.decode()
    [sent] = mailoutbox
    [(filename, content, content_type)] = sent.attachments
    assert sent.subject == (
        "Your AI stack for Analytical Engines Ltd: Buy an API (your summary and PDF)"
    )
    assert (filename, content[:5], content_type) == (
        "consult-summary-analytical-engines-ltd.pdf",
        b"%PDF-",
        "application/pdf",
    )
    assert f"http://testserver/assess/{assessment.token}/result/" in sent.body
    assert OutboundEmail.objects.filter(kind="assessment_summary").count() == 2


def test_email_me_this_result_before_the_pdf_is_built_builds_and_sends_it(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    assessment = submitted(django_capture_on_commit_callbacks, built=False)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("email_link", assessment.token))
        client.post(url("email_link", assessment.token))

    assessment.refresh_from_db()
    assert assessment.summary_pdf_built_at is not None
    assert len(mailoutbox) == 1
    assert mailoutbox[0].attachments[0][1][:5] == b"%PDF-"
    assert f"http://testserver/assess/{assessment.token}/result/" in mailoutbox[0].body


@pytest.mark.parametrize("count", [1, 3])
def test_summary_status_query_count_does_not_grow(
    client, django_capture_on_commit_callbacks, django_assert_num_queries, count
):
    assessment = AssessmentFactory()
    UseCaseFactory.create_batch(count, assessment=assessment)
    with django_capture_on_commit_callbacks(execute=False):
        services.assessment_submit(assessment=assessment)
    # The first visit notes when the link was used (one write every few minutes).
    client.get(url("summary_status", assessment.token), **HTMX)

    with django_assert_num_queries(2):
        client.get(url("summary_status", assessment.token), **HTMX)
