"""What an outbox email is made of: text and HTML rendered from its templates, and
attachments read when it is sent."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from consult.emails import Attachment, email_render, email_send
from tests.helpers.outbox import LINK_CONTEXT, Status, queued

# --- Rendering ------------------------------------------------------------------------


def test_email_render_link_fills_the_plain_text_part():
    rendered = email_render(kind="link", context=LINK_CONTEXT)

    assert rendered.subject == "Your private link to your assessment"
    assert rendered.text == (
        "Hello Ana,\n"
        "\n"
        "Here is your private link to your assessment:\n"
        "\n"
        "http://testserver/assess/r/abc?x=1&y=2\n"
        "\n"
        "Anyone with this link can open it, so keep it to yourself. It stays valid,\n"
        "so you can come back to it whenever you like.\n"
        "\n"
        "The Consult team\n"
        "http://testserver\n"
    )


def test_email_render_link_html_is_inline_styled_and_escaped():
    rendered = email_render(kind="link", context={**LINK_CONTEXT, "name": "<b>Ana</b>"})

    assert rendered.html.startswith("<!DOCTYPE html>")
    assert 'href="http://testserver/assess/r/abc?x=1&amp;y=2"' in rendered.html
    assert "Hello &lt;b&gt;Ana&lt;/b&gt;," in rendered.html
    assert "max-width:600px" in rendered.html
    assert "<style" not in rendered.html
    assert "{%" not in rendered.html


def test_email_render_without_a_name_greets_plainly():
    rendered = email_render(kind="link", context={**LINK_CONTEXT, "name": ""})

    assert rendered.text.splitlines()[0] == "Hello,"


def test_email_render_refuses_a_kind_that_is_not_a_slug():
    with pytest.raises(ValidationError):
        email_render(kind="../link", context=LINK_CONTEXT)


# --- Attachments ----------------------------------------------------------------------


@pytest.mark.django_db
def test_email_send_attaches_text_and_stored_files_read_at_send_time(
    django_capture_on_commit_callbacks, mailoutbox
):
    email = queued(
        django_capture_on_commit_callbacks,
        attachments=[
            Attachment.text("invite.ics", "text/calendar; method=REQUEST", "BEGIN"),
            Attachment.stored("summary.pdf", "application/pdf", "summaries/1.pdf"),
        ],
    )
    stored_name = default_storage.save("summaries/1.pdf", ContentFile(b"%PDF-1.7"))

    assert email_send(email_id=email.pk) is True

    [sent] = mailoutbox
    assert stored_name == "summaries/1.pdf"
    assert [(a.filename, a.content, a.mimetype) for a in sent.attachments] == [
        ("invite.ics", "BEGIN", "text/calendar; method=REQUEST"),
        ("summary.pdf", b"%PDF-1.7", "application/pdf"),
    ]
    assert sent.alternatives[0].mimetype == "text/html"


@pytest.mark.django_db
def test_email_send_with_its_stored_file_deleted_fails_at_once(
    django_capture_on_commit_callbacks, mailoutbox
):
    # The client erased their data: the PDF is gone for good, so no retries.
    default_storage.save("summaries/erased.pdf", ContentFile(b"%PDF-1.7"))
    email = queued(
        django_capture_on_commit_callbacks,
        attachments=[
            Attachment.stored("summary.pdf", "application/pdf", "summaries/erased.pdf")
        ],
    )
    default_storage.delete("summaries/erased.pdf")

    assert email_send(email_id=email.pk) is False

    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.FAILED, 1)
    assert email.last_error.startswith("FileNotFoundError")
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("invite.ics\r\nX-Evil: 1", "text/calendar"),
        ("", "text/calendar"),
        ("invite.ics", "calendar"),
        ("invite.ics", "text/calendar\r\nX-Evil: 1"),
    ],
)
def test_attachment_refuses_names_and_types_that_would_break_headers(
    filename, content_type
):
    with pytest.raises(ValidationError):
        Attachment.text(filename, content_type, "BEGIN")
