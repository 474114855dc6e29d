"""The email outbox: rendering, queuing on commit, claiming, retries, relay."""

import smtplib
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consult.celery import app
from consult.emails import (
    MAX_ATTEMPTS,
    RELAY_GRACE,
    SENDING_TIMEOUT,
    Attachment,
    EmailSendDeferred,
    email_backoff,
    email_queue,
    email_relay,
    email_render,
    email_resend,
    email_send,
)
from consult.models import OutboundEmail
from consult.tasks import email_relay_queued
from consult.tasks import email_send as email_send_task

Status = OutboundEmail.Status

LINK_CONTEXT = {
    "name": "Ana",
    "url": "http://testserver/assess/r/abc?x=1&y=2",
    "what": "your assessment",
}


def queue_link(*, to="ana@example.com", key="link:1", **overrides):
    return email_queue(
        kind="link",
        to=to,
        context={**LINK_CONTEXT, **overrides.pop("context", {})},
        dedupe_key=key,
        **overrides,
    )


def queued(django_capture_on_commit_callbacks, **kwargs) -> OutboundEmail:
    # Queues without running the send, so a test can drive it by hand.
    with django_capture_on_commit_callbacks(execute=False):
        return queue_link(**kwargs)


# --- Rendering -------------------------------------------------------------


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


# --- Queuing ---------------------------------------------------------------


@pytest.mark.django_db
def test_email_queue_collapses_the_subject_to_one_line(
    django_capture_on_commit_callbacks,
):
    email = queued(
        django_capture_on_commit_callbacks,
        context={"what": "your\r\nBcc: evil@example.com\r\n\r\nassessment"},
    )

    assert email.subject == "Your private link to your Bcc: evil@example.com assessment"


@pytest.mark.django_db
def test_email_send_header_injection_in_user_input_never_reaches_headers(
    django_capture_on_commit_callbacks, mailoutbox
):
    injected = "Ana\r\nBcc: evil@example.com\r\nX-Evil: 1"
    with django_capture_on_commit_callbacks(execute=True):
        queue_link(context={"name": injected, "what": injected})

    [sent] = mailoutbox
    message = sent.message()
    assert sent.recipients() == ["ana@example.com"]
    assert message["Bcc"] is None
    assert message["X-Evil"] is None
    assert "\n" not in message["Subject"]
    assert "\r" not in message["Subject"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "to",
    [
        "not-an-email",
        "ana@example.com\r\nBcc: evil@example.com",
        "ana@example.com\n",
        "Ana <ana@example.com>",
        "",
    ],
)
def test_email_queue_refuses_an_invalid_recipient(to):
    with pytest.raises(ValidationError):
        queue_link(to=to)

    assert OutboundEmail.objects.count() == 0


@pytest.mark.django_db
def test_email_queue_refuses_an_invalid_reply_to():
    with pytest.raises(ValidationError):
        queue_link(reply_to="x@example.com\r\nBcc: evil@example.com")

    assert OutboundEmail.objects.count() == 0


@pytest.mark.django_db
def test_email_queue_same_dedupe_key_keeps_one_row_and_one_callback(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = queue_link(key="booking:7:confirmation:0")
        second = queue_link(
            key="booking:7:confirmation:0", to="someone-else@example.com"
        )

    assert second.pk == first.pk
    assert second.to == "ana@example.com"
    assert OutboundEmail.objects.count() == 1
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_email_queue_sends_after_commit(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = queue_link()
        assert mailoutbox == []

    email.refresh_from_db()
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Your private link to your assessment"
    assert email.status == Status.SENT
    assert email.attempts == 1
    assert email.sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_email_queue_in_a_rolled_back_transaction_sends_nothing(mailoutbox):
    class Boom(Exception):
        pass

    def queue_then_fail():
        with transaction.atomic():
            queue_link()
            raise Boom

    with pytest.raises(Boom):
        queue_then_fail()

    assert OutboundEmail.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_email_queue_outside_a_test_transaction_sends_on_commit(mailoutbox):
    with transaction.atomic():
        email = queue_link()
        assert mailoutbox == []

    email.refresh_from_db()
    assert email.status == Status.SENT
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_email_queue_records_what_caused_it(django_capture_on_commit_callbacks):
    user = get_user_model().objects.create_user("consultant")

    email = queued(django_capture_on_commit_callbacks, related=user)

    assert email.related_model == "auth.user"
    assert email.related_id == str(user.pk)


@pytest.fixture
def unreachable_broker(monkeypatch):
    # The real producer, pointed at a port nobody listens on. Celery reads
    # CELERY_BROKER_URL from the environment ahead of its configuration.
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    producer_reset()
    yield
    app.conf.task_always_eager, app.conf.broker_url = saved
    producer_reset()


def producer_reset():
    # Celery keeps its broker connection pool once made; a new URL needs a
    # new pool. The old one stays open in kombu's registry for the old URL.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.django_db
def test_email_queue_with_the_broker_down_keeps_the_row_for_the_relay(
    django_capture_on_commit_callbacks, unreachable_broker, mailoutbox, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_link()

    email.refresh_from_db()
    assert email.status == Status.QUEUED
    assert mailoutbox == []
    assert f"email {email.pk}: not handed to the worker; the relay will send it" in (
        caplog.text
    )


# --- Attachments -----------------------------------------------------------


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
def test_email_send_with_a_stored_file_not_written_yet_retries(
    django_capture_on_commit_callbacks, mailoutbox
):
    email = queued(
        django_capture_on_commit_callbacks,
        attachments=[Attachment.stored("summary.pdf", "application/pdf", "no.pdf")],
    )

    with pytest.raises(EmailSendDeferred):
        email_send(email_id=email.pk)

    email.refresh_from_db()
    assert email.status == Status.QUEUED
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


# --- Sending ---------------------------------------------------------------


@pytest.mark.django_db
def test_email_send_task_run_twice_sends_once(
    django_capture_on_commit_callbacks, mailoutbox
):
    email = queued(django_capture_on_commit_callbacks)

    first = email_send_task.apply(kwargs={"email_id": email.pk}).get()
    second = email_send_task.apply(kwargs={"email_id": email.pk}).get()

    assert (first, second) == (True, False)
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_email_send_a_row_claimed_by_another_worker_is_left_alone(
    django_capture_on_commit_callbacks, mailoutbox
):
    email = queued(django_capture_on_commit_callbacks)
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=Status.SENDING, claimed_at=timezone.now()
    )

    assert email_send(email_id=email.pk) is False
    assert mailoutbox == []


@pytest.mark.django_db
def test_email_send_sets_a_stable_message_id_and_auto_submitted(
    django_capture_on_commit_callbacks, mailoutbox
):
    email = queued(
        django_capture_on_commit_callbacks, reply_to="consultant@example.com"
    )

    email_send(email_id=email.pk)

    message = mailoutbox[0].message()
    stamp = int(email.created_at.timestamp())
    assert message["Message-ID"] == f"<outbox.{email.pk}.{stamp}@consult.localhost>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Reply-To"] == "consultant@example.com"


@pytest.mark.django_db
def test_email_send_transient_failure_backs_off_then_succeeds(
    django_capture_on_commit_callbacks, flaky, mailoutbox
):
    email = queued(django_capture_on_commit_callbacks)
    flaky.extend(
        [
            smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
            smtplib.SMTPResponseException(451, b"Try again later"),
        ]
    )
    t0 = timezone.now()

    with pytest.raises(EmailSendDeferred) as first:
        email_send(email_id=email.pk, now=t0)
    email.refresh_from_db()
    assert first.value.retry_in == 60
    assert (email.status, email.attempts) == (Status.QUEUED, 1)
    assert email.next_attempt_at == t0 + timedelta(seconds=60)
    assert email.last_error == (
        "SMTPServerDisconnected: Connection unexpectedly closed"
    )

    assert email_send(email_id=email.pk, now=t0 + timedelta(seconds=59)) is False

    with pytest.raises(EmailSendDeferred) as second:
        email_send(email_id=email.pk, now=t0 + timedelta(seconds=60))
    assert second.value.retry_in == 120

    t2 = t0 + timedelta(seconds=180)
    assert email_send(email_id=email.pk, now=t2) is True
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (Status.SENT, 3, "")
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_email_send_task_in_process_leaves_a_transient_failure_queued(
    django_capture_on_commit_callbacks, flaky, mailoutbox
):
    email = queued(django_capture_on_commit_callbacks)
    flaky.append(ConnectionRefusedError(111, "Connection refused"))

    assert email_send_task.apply(kwargs={"email_id": email.pk}).get() is False

    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.QUEUED, 1)
    assert mailoutbox == []


@pytest.mark.django_db
def test_email_send_task_in_a_worker_asks_celery_to_retry(
    django_capture_on_commit_callbacks, flaky
):
    email = queued(django_capture_on_commit_callbacks)
    flaky.append(TimeoutError("timed out"))

    # Called directly (not eagerly), Task.retry re-raises the given exception.
    with pytest.raises(EmailSendDeferred) as deferred:
        email_send_task(email_id=email.pk)

    assert deferred.value.retry_in == 60


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPServerDisconnected("gone"),
        smtplib.SMTPConnectError(421, b"busy"),
        smtplib.SMTPResponseException(452, b"mailbox full for now"),
        smtplib.SMTPSenderRefused(451, b"try later", "hello@consult.localhost"),
        smtplib.SMTPRecipientsRefused({"ana@example.com": (450, b"greylisted")}),
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
    ],
    ids=lambda error: type(error).__name__,
)
@pytest.mark.django_db
def test_email_send_transient_errors_queue_the_email_again(
    django_capture_on_commit_callbacks, flaky, error
):
    email = queued(django_capture_on_commit_callbacks)
    flaky.append(error)

    with pytest.raises(EmailSendDeferred):
        email_send(email_id=email.pk)

    email.refresh_from_db()
    assert email.status == Status.QUEUED


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPResponseException(550, b"no such user"),
        smtplib.SMTPRecipientsRefused({"ana@example.com": (550, b"no such user")}),
        smtplib.SMTPAuthenticationError(535, b"bad credentials"),
        smtplib.SMTPDataError(554, b"rejected as spam"),
        smtplib.SMTPNotSupportedError("STARTTLS extension not supported"),
    ],
    ids=lambda error: type(error).__name__,
)
@pytest.mark.django_db
def test_email_send_permanent_errors_fail_the_email_with_its_error(
    django_capture_on_commit_callbacks, flaky, error, mailoutbox
):
    email = queued(django_capture_on_commit_callbacks)
    flaky.append(error)

    assert email_send(email_id=email.pk) is False

    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.FAILED, 1)
    assert email.last_error == f"{type(error).__name__}: {error}"
    assert email_send(email_id=email.pk) is False
    assert mailoutbox == []


@pytest.mark.django_db
def test_email_send_gives_up_after_the_last_attempt(
    django_capture_on_commit_callbacks, flaky, mailoutbox
):
    email = queued(django_capture_on_commit_callbacks)
    flaky.extend(smtplib.SMTPServerDisconnected("gone") for _ in range(MAX_ATTEMPTS))
    now = timezone.now()
    waits = []

    for _ in range(MAX_ATTEMPTS - 1):
        with pytest.raises(EmailSendDeferred) as deferred:
            email_send(email_id=email.pk, now=now)
        waits.append(deferred.value.retry_in)
        now += timedelta(seconds=deferred.value.retry_in)
    assert email_send(email_id=email.pk, now=now) is False

    email.refresh_from_db()
    assert waits == [60, 120, 240, 480]
    assert (email.status, email.attempts) == (Status.FAILED, MAX_ATTEMPTS)
    assert email.last_error == "SMTPServerDisconnected: gone"
    assert mailoutbox == []


def test_email_backoff_doubles_and_is_capped():
    waits = [email_backoff(attempts=attempts) for attempts in range(1, 8)]

    assert waits == [60, 120, 240, 480, 900, 900, 900]


# --- Relay -----------------------------------------------------------------


@pytest.mark.django_db
def test_email_relay_reenqueues_stale_rows_and_leaves_fresh_ones(
    django_capture_on_commit_callbacks, mailoutbox
):
    now = timezone.now()
    old = now - RELAY_GRACE - timedelta(seconds=1)
    stuck = now - SENDING_TIMEOUT - timedelta(seconds=1)

    def row(name, **fields):
        email = queued(
            django_capture_on_commit_callbacks, to=f"{name}@example.com", key=name
        )
        OutboundEmail.objects.filter(pk=email.pk).update(**fields)
        return email.pk

    rows = {
        "fresh-queued": row("fresh-queued"),
        "stale-queued": row("stale-queued", next_attempt_at=old, created_at=old),
        "backing-off": row("backing-off", next_attempt_at=now + timedelta(minutes=1)),
        "fresh-sending": row(
            "fresh-sending", status=Status.SENDING, claimed_at=now, attempts=1
        ),
        "stale-sending": row(
            "stale-sending",
            status=Status.SENDING,
            claimed_at=stuck,
            next_attempt_at=stuck,
            attempts=1,
        ),
        "died-on-last-attempt": row(
            "died-on-last-attempt",
            status=Status.SENDING,
            claimed_at=stuck,
            next_attempt_at=stuck,
            attempts=MAX_ATTEMPTS,
        ),
        "sent": row("sent", status=Status.SENT, sent_at=old, next_attempt_at=old),
    }

    with django_capture_on_commit_callbacks(execute=True):
        relayed = email_relay(now=now)

    statuses = dict(
        OutboundEmail.objects.filter(pk__in=rows.values()).values_list("to", "status")
    )
    assert relayed == 2
    assert sorted(m.to[0] for m in mailoutbox) == [
        "stale-queued@example.com",
        "stale-sending@example.com",
    ]
    assert statuses == {
        "fresh-queued@example.com": Status.QUEUED,
        "stale-queued@example.com": Status.SENT,
        "backing-off@example.com": Status.QUEUED,
        "fresh-sending@example.com": Status.SENDING,
        "stale-sending@example.com": Status.SENT,
        "died-on-last-attempt@example.com": Status.FAILED,
        "sent@example.com": Status.SENT,
    }
    assert OutboundEmail.objects.get(pk=rows["died-on-last-attempt"]).last_error == (
        "The worker stopped while sending the last attempt."
    )


@pytest.mark.django_db
def test_email_relay_does_not_reenqueue_a_row_it_just_relayed(
    django_capture_on_commit_callbacks,
):
    email = queued(django_capture_on_commit_callbacks)
    now = email.created_at + RELAY_GRACE + timedelta(seconds=1)

    with django_capture_on_commit_callbacks(execute=False) as first_callbacks:
        first = email_relay(now=now)
    with django_capture_on_commit_callbacks(execute=False) as second_callbacks:
        second = email_relay(now=now + timedelta(seconds=60))
    third = email_relay(now=now + RELAY_GRACE + timedelta(seconds=1))

    assert (first, second, third) == (1, 0, 1)
    assert (len(first_callbacks), len(second_callbacks)) == (1, 0)


@pytest.mark.django_db
def test_email_relay_queued_task_runs_the_relay(
    django_capture_on_commit_callbacks, mailoutbox
):
    email = queued(django_capture_on_commit_callbacks)
    OutboundEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() - RELAY_GRACE - timedelta(seconds=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert email_relay_queued.apply().get() == 1

    assert len(mailoutbox) == 1


def test_celery_beat_runs_the_relay_every_minute():
    [entry] = [
        entry
        for entry in app.conf.beat_schedule.values()
        if entry["task"] == "email.relay_queued"
    ]

    assert entry["schedule"] == 60.0
    assert app.tasks["email.relay_queued"].name == email_relay_queued.name
    assert app.tasks["email.send"].name == email_send_task.name


# --- Resend ----------------------------------------------------------------


@pytest.mark.django_db
def test_email_resend_queues_a_failed_email_with_fresh_attempts(
    django_capture_on_commit_callbacks, mailoutbox
):
    email = queued(django_capture_on_commit_callbacks)
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=Status.FAILED, attempts=MAX_ATTEMPTS, last_error="SMTPDataError: 554"
    )

    with django_capture_on_commit_callbacks(execute=True):
        email_resend(email=email)

    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 1)
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_email_resend_refuses_an_email_that_did_not_fail(
    django_capture_on_commit_callbacks,
):
    email = queued(django_capture_on_commit_callbacks)

    with pytest.raises(ValidationError):
        email_resend(email=email)


# --- Admin -----------------------------------------------------------------


@pytest.mark.django_db
def test_email_log_changelist_query_count_is_the_same_for_1_and_3_rows(
    admin_client, django_capture_on_commit_callbacks
):
    # Compared rather than hard-coded: the admin's sidebar asks every
    # registered app, so the absolute number belongs to the whole project.
    url = reverse("admin:consult_outboundemail_changelist")

    def changelist_queries(item_count):
        for number in range(OutboundEmail.objects.count(), item_count):
            queued(
                django_capture_on_commit_callbacks,
                to=f"client{number}@example.com",
                key=f"link:{number}",
            )
        OutboundEmail.objects.filter(to="client0@example.com").update(
            status=Status.FAILED, last_error="SMTPDataError: " + "x" * 200
        )
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url)
        content = response.content.decode()
        assert response.status_code == 200
        assert content.count("@example.com</td>") == item_count
        assert "SMTPDataError: xxxx" in content
        assert "Resend selected failed emails" in content
        return len(queries)

    admin_client.get(url)
    assert changelist_queries(1) == changelist_queries(3)


@pytest.mark.django_db
def test_email_log_changelist_filters_and_searches(
    admin_client, django_capture_on_commit_callbacks
):
    queued(django_capture_on_commit_callbacks, to="ana@example.com", key="a")
    queued(django_capture_on_commit_callbacks, to="bo@example.com", key="b")
    url = reverse("admin:consult_outboundemail_changelist")

    by_search = admin_client.get(url, {"q": "bo@"})
    by_status = admin_client.get(url, {"status__exact": "failed"})

    assert [row.to for row in by_search.context["cl"].result_list] == ["bo@example.com"]
    assert list(by_status.context["cl"].result_list) == []


@pytest.mark.django_db
def test_email_log_detail_is_read_only(
    admin_client, django_capture_on_commit_callbacks
):
    user = get_user_model().objects.get(username="admin")
    email = queued(django_capture_on_commit_callbacks, related=user)
    url = reverse("admin:consult_outboundemail_change", args=[email.pk])

    response = admin_client.get(url)

    content = response.content.decode()
    assert response.status_code == 200
    assert "Here is your private link to your assessment:" in content
    assert f"/admin/auth/user/{user.pk}/change/" in content
    assert 'name="_save"' not in content
    assert admin_client.post(url, {"subject": "changed"}).status_code == 403


@pytest.mark.django_db
def test_email_log_resend_action_queues_failed_rows_only(
    admin_client, django_capture_on_commit_callbacks, mailoutbox
):
    failed = queued(django_capture_on_commit_callbacks, to="ana@example.com", key="a")
    pending = queued(django_capture_on_commit_callbacks, to="bo@example.com", key="b")
    OutboundEmail.objects.filter(pk=failed.pk).update(
        status=Status.FAILED, attempts=MAX_ATTEMPTS, last_error="SMTPDataError: 554"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:consult_outboundemail_changelist"),
            {"action": "resend", "_selected_action": [failed.pk, pending.pk]},
            follow=True,
        )

    failed.refresh_from_db()
    pending.refresh_from_db()
    notes = [str(message) for message in response.context["messages"]]
    assert notes == [
        "1 email(s) queued to be sent again.",
        "1 email(s) skipped: only failed emails can be resent.",
    ]
    assert (failed.status, pending.status) == (Status.SENT, Status.QUEUED)
    assert [m.to for m in mailoutbox] == [["ana@example.com"]]
