"""Sending a queued email: claimed once, retried with backoff on transient errors,
failed on permanent ones."""

import smtplib
from datetime import timedelta

import pytest
from django.utils import timezone

from consult.emails import MAX_ATTEMPTS, EmailSendDeferred, email_backoff, email_send
from consult.models import OutboundEmail
from consult.tasks import email_send as email_send_task
from tests.helpers.outbox import Status, queued


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
