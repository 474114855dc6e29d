"""The summary's dates written one way: in the PDF, the email and the result page."""

import io
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from advisor import tasks
from advisor.models import Assessment, PriceBook
from consult.models import OutboundEmail
from tests.helpers.summary_pdf import submitted, text_of

pytestmark = pytest.mark.django_db


def test_pdf_email_and_result_page_write_dates_alike(
    client, active_price_book, django_capture_on_commit_callbacks
):
    assessment = submitted(django_capture_on_commit_callbacks)
    token = assessment.token
    Assessment.objects.filter(pk=assessment.pk).update(
        submitted_at=datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
    )
    PriceBook.objects.filter(pk=active_price_book.pk).update(as_of=date(2026, 2, 1))

    with django_capture_on_commit_callbacks(execute=True):
        tasks.assessment_summary.delay(assessment_id=assessment.pk, token=token).get()

    assessment.refresh_from_db()
    with assessment.summary_pdf.open("rb") as pdf:
        text = text_of(PdfReader(io.BytesIO(pdf.read())))
    email = OutboundEmail.objects.get(kind="assessment_summary")
    page = client.get(f"/assess/{token}/result/").content.decode()
    assert " on 5 March 2026." in text
    assert "prices as of 1 February 2026." in text
    assert "Prices as of 1 February 2026." in email.body_text
    assert "Prices as of 1 February 2026." in email.body_html
    assert "prices as of 1 February 2026." in page
