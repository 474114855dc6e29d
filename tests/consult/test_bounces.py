"""Bounces: a recipient refused while sending, and bounce reports read afterwards.

The SMTP tests send to a real aiosmtpd server that refuses one address; the reports
are shaped like Postfix's, Gmail's and Exim's (tests/helpers/bounces.py).
"""

import email
import mailbox
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from consult.admin_delivery import KIND_LABELS
from consult.bounces import bounce_ingest, bounces_read_imap
from consult.emails import EmailSendDeferred, email_send
from consult.models import OutboundEmail
from consult.tasks import email_bounces_read
from consult.verp import VerpForged, verp_address, verp_email_id
from tests.helpers.bounces import (
    exim_bounce,
    gmail_bounce,
    postfix_dsn,
    vacation_reply,
)
from tests.helpers.imap_server import ImapServer
from tests.helpers.outbox import Status, queued

pytestmark = pytest.mark.django_db

BOUNCES = "bounces@consult.example"
UNKNOWN_USER = "550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown"


@pytest.fixture
def bounce_address(settings):
    settings.EMAIL_BOUNCE_ADDRESS = BOUNCES
    return BOUNCES


def sent(django_capture_on_commit_callbacks, *, to="ana@example.org", key="k:1"):
    # Sent through the test mailer: the mail server took it.
    email_row = queued(django_capture_on_commit_callbacks, to=to, key=key)
    assert email_send(email_id=email_row.pk) is True
    email_row.refresh_from_db()
    return email_row


# --- refused while sending ------------------------------------------------------------


def test_smtp_550_to_the_recipient_marks_it_bounced_without_a_retry(
    refusing, django_capture_on_commit_callbacks
):
    refusing.at_rcpt["gone@example.org"] = UNKNOWN_USER
    row = queued(django_capture_on_commit_callbacks, to="gone@example.org")

    assert email_send(email_id=row.pk) is False

    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == (Status.BOUNCED, 1, None)
    assert row.last_error == UNKNOWN_USER
    assert row.bounced_at is not None
    assert refusing.received == []


def test_smtp_451_to_the_recipient_is_tried_again_later(
    refusing, django_capture_on_commit_callbacks
):
    refusing.at_rcpt["grey@example.org"] = "451 4.7.1 Greylisted, try again later"
    row = queued(django_capture_on_commit_callbacks, to="grey@example.org")

    with pytest.raises(EmailSendDeferred):
        email_send(email_id=row.pk)

    row.refresh_from_db()
    assert (row.status, row.bounced_at) == (Status.QUEUED, None)
    assert "451" in row.last_error


def test_smtp_552_at_data_for_a_full_mailbox_marks_it_bounced(
    refusing, django_capture_on_commit_callbacks
):
    refusing.at_data["ana@example.org"] = "552 5.2.2 Mailbox full"
    row = queued(django_capture_on_commit_callbacks, to="ana@example.org")

    email_send(email_id=row.pk)

    row.refresh_from_db()
    assert (row.status, row.last_error) == (Status.BOUNCED, "552 5.2.2 Mailbox full")


@pytest.mark.parametrize(
    "reply", ["554 5.7.1 Message rejected by policy", "552 5.2.3 Message too large"]
)
def test_smtp_refusal_at_data_of_the_message_fails_it_without_calling_it_a_bounce(
    refusing, django_capture_on_commit_callbacks, reply
):
    # The mailbox exists; its server refused the message itself.
    refusing.at_data["ana@example.org"] = reply
    row = queued(django_capture_on_commit_callbacks, to="ana@example.org")

    email_send(email_id=row.pk)

    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert row.bounced_at is None
    assert reply[4:] in row.last_error


def test_smtp_other_recipients_still_get_theirs(
    refusing, django_capture_on_commit_callbacks
):
    refusing.at_rcpt["gone@example.org"] = UNKNOWN_USER
    gone = queued(django_capture_on_commit_callbacks, to="gone@example.org", key="a")
    fine = queued(django_capture_on_commit_callbacks, to="ana@example.org", key="b")

    email_send(email_id=gone.pk)
    email_send(email_id=fine.pk)

    assert dict(OutboundEmail.objects.values_list("to", "status")) == {
        "gone@example.org": Status.BOUNCED,
        "ana@example.org": Status.SENT,
    }
    assert len(refusing.to("ana@example.org")) == 1


def test_envelope_sender_names_the_email_and_readers_see_the_site(
    refusing, bounce_address, django_capture_on_commit_callbacks
):
    row = queued(django_capture_on_commit_callbacks, to="ana@example.org")

    email_send(email_id=row.pk)

    [(mail_from, _, message)] = refusing.received
    assert mail_from == verp_address(row.pk)
    assert mail_from.startswith(f"bounces+{row.pk}-")
    assert mail_from.endswith("@consult.example")
    assert message["From"] == "Consult <hello@consult.localhost>"
    assert verp_email_id(mail_from) == row.pk


def test_envelope_sender_is_the_site_without_a_bounce_address(
    refusing, django_capture_on_commit_callbacks
):
    row = queued(django_capture_on_commit_callbacks, to="ana@example.org")

    email_send(email_id=row.pk)

    [(mail_from, _, _)] = refusing.received
    assert mail_from == "hello@consult.localhost"


# --- reports read afterwards ----------------------------------------------------------


def test_dsn_to_the_verp_address_marks_that_email_bounced(
    bounce_address, django_capture_on_commit_callbacks, mailoutbox
):
    row = sent(django_capture_on_commit_callbacks)
    other = sent(django_capture_on_commit_callbacks, key="k:2")

    outcome = bounce_ingest(raw=postfix_dsn(row=row, to=verp_address(row.pk)))

    assert (outcome.bounced, outcome.email_id) == (True, row.pk)
    row.refresh_from_db()
    assert row.status == Status.BOUNCED
    assert row.last_error == (
        "550 5.1.1 <ana@example.org>: Recipient address rejected: "
        "User unknown in virtual mailbox table"
    )
    assert row.sent_at is not None
    assert row.bounced_at is not None
    other.refresh_from_db()
    assert other.status == Status.SENT


def test_gmail_bounce_found_by_the_original_message_id(
    django_capture_on_commit_callbacks, mailoutbox
):
    row = sent(django_capture_on_commit_callbacks)

    outcome = bounce_ingest(raw=gmail_bounce(row=row))

    assert (outcome.bounced, outcome.email_id) == (True, row.pk)
    row.refresh_from_db()
    assert row.status == Status.BOUNCED
    assert row.last_error.startswith(
        "550-5.1.1 The email account that you tried to reach does not exist."
    )


def test_exim_plain_text_bounce_is_read(
    bounce_address, django_capture_on_commit_callbacks, mailoutbox
):
    row = sent(django_capture_on_commit_callbacks)

    outcome = bounce_ingest(raw=exim_bounce(row=row, to=verp_address(row.pk)))

    assert outcome.bounced is True
    row.refresh_from_db()
    assert (row.status, row.last_error) == (
        Status.BOUNCED,
        "550 5.1.1 <ana@example.org>: mailbox unavailable",
    )


def test_a_verp_address_signed_before_the_key_was_rotated_still_names_its_email(
    bounce_address, settings, django_capture_on_commit_callbacks, mailoutbox
):
    row = sent(django_capture_on_commit_callbacks)
    address = verp_address(row.pk)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 50
    settings.SECRET_KEY_FALLBACKS = [old_key]

    outcome = bounce_ingest(raw=postfix_dsn(row=row, to=address))

    settings.SECRET_KEY_FALLBACKS = []
    assert verp_address(row.pk) != address
    assert (outcome.bounced, outcome.email_id) == (True, row.pk)
    with pytest.raises(VerpForged):
        verp_email_id(address)


def test_exim_bounce_without_verp_found_by_the_quoted_message_id(
    django_capture_on_commit_callbacks, mailoutbox
):
    row = sent(django_capture_on_commit_callbacks)

    outcome = bounce_ingest(raw=exim_bounce(row=row, to="hello@consult.localhost"))

    assert (outcome.bounced, outcome.email_id) == (True, row.pk)


def test_delayed_dsn_is_ignored(
    bounce_address, django_capture_on_commit_callbacks, mailoutbox
):
    row = sent(django_capture_on_commit_callbacks)
    raw = postfix_dsn(
        row=row,
        to=verp_address(row.pk),
        action="delayed",
        status="4.4.1",
        diagnostic="smtp; 451 4.4.1 Connection timed out",
    )

    outcome = bounce_ingest(raw=raw)

    assert (outcome.bounced, outcome.reason) == (
        False,
        "a delay report: the mail server is still trying",
    )
    row.refresh_from_db()
    assert row.status == Status.SENT


def test_forged_verp_signature_is_ignored(
    bounce_address, django_capture_on_commit_callbacks, mailoutbox
):
    row = sent(django_capture_on_commit_callbacks)
    forged = f"bounces+{row.pk}-0123456789ab@consult.example"

    outcome = bounce_ingest(raw=postfix_dsn(row=row, to=forged))

    assert (outcome.bounced, outcome.reason) == (
        False,
        "sent to a bounce address the site did not make",
    )
    row.refresh_from_db()
    assert row.status == Status.SENT


def test_verp_of_one_email_cannot_mark_another(
    bounce_address, django_capture_on_commit_callbacks, mailoutbox
):
    row = sent(django_capture_on_commit_callbacks)
    other = sent(django_capture_on_commit_callbacks, key="k:2")
    # The signature of one email under another's id.
    signature = verp_address(row.pk).split("-", 1)[1]
    forged = f"bounces+{other.pk}-{signature}"

    assert bounce_ingest(raw=postfix_dsn(row=other, to=forged)).bounced is False
    other.refresh_from_db()
    assert other.status == Status.SENT


def test_vacation_reply_is_ignored(
    bounce_address, django_capture_on_commit_callbacks, mailoutbox
):
    row = sent(django_capture_on_commit_callbacks)

    outcome = bounce_ingest(raw=vacation_reply(row=row, to=verp_address(row.pk)))

    assert (outcome.bounced, outcome.reason) == (
        False,
        "not a bounce (an auto-reply or other mail)",
    )


def test_report_about_a_forwarded_address_leaves_the_client_s_alone(
    bounce_address, django_capture_on_commit_callbacks, mailoutbox
):
    row = sent(django_capture_on_commit_callbacks)
    raw = (
        postfix_dsn(row=row, to=verp_address(row.pk))
        .replace(b"rfc822; ana@example.org", b"rfc822; old-job@example.net")
        .replace(b"rfc822;ana@example.org", b"rfc822;old-job@example.net")
    )

    assert bounce_ingest(raw=raw).bounced is False
    row.refresh_from_db()
    assert row.status == Status.SENT


def test_a_second_report_keeps_the_first_reason(
    bounce_address, django_capture_on_commit_callbacks, mailoutbox
):
    row = sent(django_capture_on_commit_callbacks)
    bounce_ingest(raw=postfix_dsn(row=row, to=verp_address(row.pk)))

    again = bounce_ingest(raw=gmail_bounce(row=row, to=verp_address(row.pk)))

    assert (again.bounced, again.reason) == (False, "already bounced")
    row.refresh_from_db()
    assert row.last_error.startswith("550 5.1.1 <ana@example.org>")


def test_unrelated_mail_names_no_email(bounce_address):
    raw = b"From: someone@example.net\r\nTo: bounces@consult.example\r\n\r\nHello\r\n"

    outcome = bounce_ingest(raw=raw)

    assert (outcome.bounced, outcome.email_id) == (False, None)


# --- manage.py email_bounces ----------------------------------------------------------


def test_command_reads_a_maildir_and_empties_it(
    bounce_address, django_capture_on_commit_callbacks, mailoutbox, tmp_path
):
    gone = sent(django_capture_on_commit_callbacks)
    late = sent(django_capture_on_commit_callbacks, key="k:2", to="bo@example.org")
    folder = mailbox.Maildir(tmp_path / "bounces", create=True)
    folder.add(
        email.message_from_bytes(postfix_dsn(row=gone, to=verp_address(gone.pk)))
    )
    folder.add(
        email.message_from_bytes(
            postfix_dsn(
                row=late,
                to=verp_address(late.pk),
                action="delayed",
                status="4.4.1",
                diagnostic="smtp; 451 4.4.1 try later",
            )
        )
    )
    out = StringIO()

    call_command("email_bounces", "--maildir", str(tmp_path / "bounces"), stdout=out)

    assert out.getvalue().splitlines()[-1] == "2 read, 1 bounced."
    assert dict(OutboundEmail.objects.values_list("pk", "status")) == {
        gone.pk: Status.BOUNCED,
        late.pk: Status.SENT,
    }
    assert list(mailbox.Maildir(tmp_path / "bounces", create=False).keys()) == []


def test_command_reads_files(django_capture_on_commit_callbacks, mailoutbox, tmp_path):
    row = sent(django_capture_on_commit_callbacks)
    report = tmp_path / "bounce.eml"
    report.write_bytes(gmail_bounce(row=row))
    out = StringIO()

    call_command("email_bounces", str(report), stdout=out)

    assert (
        out.getvalue().splitlines()[0].startswith(f"email {row.pk} bounced: 550-5.1.1")
    )
    row.refresh_from_db()
    assert row.status == Status.BOUNCED


def test_command_without_a_source_says_what_to_set(settings):
    settings.EMAIL_BOUNCE_MAILDIR = ""
    settings.EMAIL_BOUNCE_IMAP_URL = ""

    with pytest.raises(CommandError, match="EMAIL_BOUNCE_MAILDIR"):
        call_command("email_bounces")


@pytest.mark.parametrize("url", ["pop3://u:p@mail.example", "imaps:///INBOX"])
def test_imap_url_that_cannot_be_read_says_what_it_must_be(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_BOUNCE_IMAP_URL must be"):
        bounces_read_imap(url=url)


def test_beat_task_reads_the_configured_maildir(
    settings, bounce_address, django_capture_on_commit_callbacks, mailoutbox, tmp_path
):
    row = sent(django_capture_on_commit_callbacks)
    folder = mailbox.Maildir(tmp_path / "bounces", create=True)
    folder.add(email.message_from_bytes(postfix_dsn(row=row, to=verp_address(row.pk))))
    settings.EMAIL_BOUNCE_MAILDIR = str(tmp_path / "bounces")
    settings.EMAIL_BOUNCE_IMAP_URL = ""

    bounced = email_bounces_read.apply().get()

    assert bounced == 1
    row.refresh_from_db()
    assert row.status == Status.BOUNCED


# --- reports that cannot be trusted ---------------------------------------------------


def test_a_report_found_by_message_id_must_name_the_address_it_went_to(
    django_capture_on_commit_callbacks, mailoutbox
):
    row = sent(django_capture_on_commit_callbacks)
    # A Message-ID can be guessed: with no recipient in the report, it proves nothing.
    raw = postfix_dsn(row=row, to="hello@consult.localhost").replace(
        b"Final-Recipient: rfc822; ana@example.org\r\n"
        b"Original-Recipient: rfc822;ana@example.org\r\n",
        b"",
    )

    outcome = bounce_ingest(raw=raw)

    row.refresh_from_db()
    assert b"Final-Recipient" not in raw
    assert outcome.bounced is False
    assert row.status == Status.SENT


def test_a_report_quoting_many_message_ids_is_read_for_its_first_few(
    django_capture_on_commit_callbacks, mailoutbox
):
    row = sent(django_capture_on_commit_callbacks)
    guesses = "".join(
        f"Message-ID: <outbox.{n}.1700000000@consult.localhost>\r\n"
        for n in range(900, 920)
    ).encode()
    raw = postfix_dsn(row=row, to="hello@consult.localhost")
    # The real id only after twenty others, as a guesser would send it.
    raw = raw.replace(b"Message-ID: <outbox.", guesses + b"Message-ID: <outbox.", 1)

    outcome = bounce_ingest(raw=raw)

    row.refresh_from_db()
    assert outcome.bounced is False
    assert row.status == Status.SENT


def test_erasing_an_email_drops_a_refusal_that_quotes_the_address(
    django_capture_on_commit_callbacks,
):
    row = sent(django_capture_on_commit_callbacks)
    OutboundEmail.objects.filter(pk=row.pk).update(
        status=Status.BOUNCED,
        bounced_at=row.sent_at,
        last_error="550 5.1.1 <ana@example.org> User unknown",
    )

    OutboundEmail.objects.filter(pk=row.pk).content_erase()

    row.refresh_from_db()
    assert row.last_error == ""
    assert "ana@example.org" not in row.to


# --- the IMAP mailbox, on a real IMAP server ------------------------------------------


@pytest.fixture
def imap_server():
    server = ImapServer()
    server.start()
    yield server
    server.stop()


def test_imap_mailbox_is_read_and_emptied_of_what_was_read(
    imap_server, bounce_address, django_capture_on_commit_callbacks, mailoutbox
):
    row = sent(django_capture_on_commit_callbacks)
    replied = sent(django_capture_on_commit_callbacks, key="k:2")
    imap_server.deliver(postfix_dsn(row=row, to=verp_address(row.pk)))
    imap_server.deliver(vacation_reply(row=replied, to=verp_address(replied.pk)))

    outcomes = bounces_read_imap(url=imap_server.url)
    again = bounces_read_imap(url=imap_server.url)

    row.refresh_from_db()
    replied.refresh_from_db()
    assert [(o.email_id, o.bounced) for o in outcomes] == [
        (row.pk, True),
        (replied.pk, False),
    ]
    assert (row.status, replied.status) == (Status.BOUNCED, Status.SENT)
    assert again == []
    assert imap_server.messages() == []


def test_imap_bounce_in_a_charset_python_does_not_know_is_still_read(
    imap_server, bounce_address, django_capture_on_commit_callbacks, mailoutbox
):
    row = sent(django_capture_on_commit_callbacks)
    # To the plain bounce address: found by the quoted Message-ID, so every text part
    # is read.
    raw = postfix_dsn(row=row, to="hello@consult.localhost").replace(
        b"charset=us-ascii", b"charset=x-mac-klingon"
    )
    imap_server.deliver(raw)

    [outcome] = bounces_read_imap(url=imap_server.url)

    assert b"x-mac-klingon" in raw
    assert (outcome.email_id, outcome.bounced) == (row.pk, True)


def test_beat_task_reads_the_configured_imap_mailbox(
    imap_server,
    bounce_address,
    settings,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    row = sent(django_capture_on_commit_callbacks)
    imap_server.deliver(postfix_dsn(row=row, to=verp_address(row.pk)))
    settings.EMAIL_BOUNCE_IMAP_URL = imap_server.url

    email_bounces_read.apply()

    row.refresh_from_db()
    assert row.status == Status.BOUNCED


def test_every_email_kind_has_words_for_the_admin():
    folders = Path(__file__).resolve().parents[2] / "templates" / "emails"
    kinds = {
        path.name
        for path in folders.iterdir()
        if path.is_dir() and (path / "subject.txt").exists()
    }

    assert kinds
    assert kinds <= set(KIND_LABELS)


def test_a_report_with_control_characters_is_read_and_stored_clean(
    bounce_address, django_capture_on_commit_callbacks, mailoutbox
):
    row = sent(django_capture_on_commit_callbacks)
    raw = postfix_dsn(
        row=row,
        to=verp_address(row.pk),
        diagnostic="smtp; 550 5.1.1 <{rcpt}>: User\x00 unknown\x07",
    )

    outcome = bounce_ingest(raw=raw)

    row.refresh_from_db()
    assert outcome.bounced is True
    assert row.status == Status.BOUNCED
    assert row.last_error == "550 5.1.1 <ana@example.org>: User unknown"
