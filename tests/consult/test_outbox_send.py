"""Sending a queued email: claimed once, retried with backoff on transient errors
for EMAIL_RETRY_HOURS, failed on permanent ones; logged without its recipient."""

import smtplib
from datetime import timedelta

import pytest
from django.utils import timezone

from consult.emails import (
    WORKER_STOPPED_ERROR,
    WORKER_STOPPED_TWICE_ERROR,
    EmailSendDeferred,
    email_backoff,
    email_claim_release,
    email_relay,
    email_send,
    email_sent_record,
)
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
def test_email_send_task_in_a_worker_leaves_the_retry_to_the_relay(
    django_capture_on_commit_callbacks, flaky, mailoutbox
):
    email = queued(django_capture_on_commit_callbacks)
    flaky.append(TimeoutError("timed out"))

    # Called directly (as a worker does, not eagerly): no Celery retry, whose
    # countdown would wait in the broker; the row holds the next attempt time.
    assert email_send_task(email_id=email.pk) is False

    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.QUEUED, 1)
    assert email_relay(now=email.next_attempt_at - timedelta(seconds=1)) == 0
    # Its time comes: the relay enqueues it at once, not RELAY_GRACE later as
    # it does a first try the broker lost.
    now = timezone.now()
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=now)
    with django_capture_on_commit_callbacks(execute=True):
        assert email_relay(now=now) == 1
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert len(mailoutbox) == 1


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
        smtplib.SMTPSenderRefused(553, b"sender not allowed", "hello@example.com"),
        smtplib.SMTPAuthenticationError(535, b"bad credentials"),
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


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            smtplib.SMTPRecipientsRefused({"ana@example.com": (550, b"no such user")}),
            "550 no such user",
        ),
        (smtplib.SMTPDataError(554, b"rejected as spam"), "554 rejected as spam"),
    ],
    ids=lambda value: type(value).__name__,
)
@pytest.mark.django_db
def test_email_send_recipient_refused_for_good_bounces_the_email(
    django_capture_on_commit_callbacks, flaky, error, reason, mailoutbox
):
    email = queued(django_capture_on_commit_callbacks)
    flaky.append(error)

    assert email_send(email_id=email.pk) is False

    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (
        Status.BOUNCED,
        1,
        reason,
    )
    assert email.bounced_at is not None
    assert email_send(email_id=email.pk) is False
    assert mailoutbox == []


def deferred_until_failed(email, flaky, *, now):
    """The waits between attempts of an email the server defers every time."""
    flaky.extend(smtplib.SMTPServerDisconnected("gone") for _ in range(100))
    waits = []
    while True:
        try:
            email_send(email_id=email.pk, now=now)
        except EmailSendDeferred as deferred:
            waits.append(deferred.retry_in)
            now += timedelta(seconds=deferred.retry_in)
        else:
            return waits


@pytest.mark.django_db
def test_email_send_retries_for_two_days_then_fails(
    django_capture_on_commit_callbacks, flaky, mailoutbox
):
    email = queued(django_capture_on_commit_callbacks)

    waits = deferred_until_failed(email, flaky, now=email.created_at)

    email.refresh_from_db()
    assert waits[:8] == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    # The last attempt comes 48 hours after the first, within the hour.
    assert 48 * 3600 <= sum(waits) < 49 * 3600
    assert (email.status, email.attempts) == (Status.FAILED, len(waits) + 1)
    assert email.last_error == "SMTPServerDisconnected: gone"
    assert mailoutbox == []


@pytest.mark.django_db
def test_email_send_retry_window_follows_the_setting(
    django_capture_on_commit_callbacks, flaky, settings
):
    settings.EMAIL_RETRY_HOURS = 1
    email = queued(django_capture_on_commit_callbacks)
    # First tried long after it was queued (the workers were down): it still
    # gets its hour of retries.
    waits = deferred_until_failed(
        email, flaky, now=email.created_at + timedelta(days=3)
    )

    email.refresh_from_db()
    assert waits == [60, 120, 240, 480, 960, 1920]
    assert email.status == Status.FAILED


def test_email_backoff_doubles_and_is_capped_at_an_hour():
    waits = [email_backoff(attempts=attempts) for attempts in range(1, 10)]

    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


# --- Logs name the row and the kind of email, never the recipient ----------------------


@pytest.mark.django_db
def test_email_send_logs_carry_no_recipient_address(
    django_capture_on_commit_callbacks, flaky, caplog
):
    sent = queued(django_capture_on_commit_callbacks, to="ana@example.com", key="a")
    refused = queued(django_capture_on_commit_callbacks, to="bo@example.com", key="b")
    deferred = queued(django_capture_on_commit_callbacks, to="cy@example.com", key="c")
    caplog.set_level("INFO", logger="consult.emails")

    email_send(email_id=sent.pk)
    flaky.append(smtplib.SMTPRecipientsRefused({"bo@example.com": (550, b"no")}))
    email_send(email_id=refused.pk)
    flaky.append(
        smtplib.SMTPRecipientsRefused({"cy@example.com": (450, b"<cy@example.com>")})
    )
    with pytest.raises(EmailSendDeferred):
        email_send(email_id=deferred.pk)

    lines = [record.getMessage() for record in caplog.records]
    assert lines[0] == f"email {sent.pk}: link sent"
    assert lines[1] == (
        f"email {refused.pk}: link bounced: the server refused the recipient (550 no)"
    )
    assert lines[2].startswith(f"email {deferred.pk}: link, attempt 1 failed")
    assert "@example.com" not in caplog.text
    # The row keeps the server's words for staff.
    refused.refresh_from_db()
    assert refused.last_error == "550 no"


# --- A sender that died, and a send recorded late -------------------------------------


@pytest.mark.django_db
def test_email_claim_release_puts_back_only_the_claim_it_names(
    django_capture_on_commit_callbacks,
):
    email = queued(django_capture_on_commit_callbacks)
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=Status.SENDING, claimed_by="task-1", attempts=1
    )

    assert email_claim_release(email_id=email.pk, claimed_by="task-2") is False
    assert email_claim_release(email_id=email.pk, claimed_by="task-1") is True

    email.refresh_from_db()
    assert (email.status, email.last_error) == (Status.QUEUED, WORKER_STOPPED_ERROR)


@pytest.mark.django_db
def test_email_claim_release_fails_an_email_whose_sender_died_twice(
    django_capture_on_commit_callbacks,
):
    # It may be what kills the worker (a huge attachment): staff decide.
    email = queued(django_capture_on_commit_callbacks)
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=Status.SENDING,
        claimed_by="task-1",
        attempts=2,
        last_error=WORKER_STOPPED_ERROR,
    )

    assert email_claim_release(email_id=email.pk, claimed_by="task-1") is False

    email.refresh_from_db()
    assert (email.status, email.last_error) == (
        Status.FAILED,
        WORKER_STOPPED_TWICE_ERROR,
    )


@pytest.mark.django_db
def test_email_sent_record_late_takes_a_row_put_back_but_not_a_new_claim(
    django_capture_on_commit_callbacks,
):
    email = queued(django_capture_on_commit_callbacks)
    now = timezone.now()
    # The relay took the row for a dead worker's before the send was recorded.
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=Status.QUEUED, claimed_by="task-1", attempts=1
    )

    assert email_sent_record(email_id=email.pk, claimed_by="task-1", sent_at=now)
    email.refresh_from_db()
    assert (email.status, email.sent_at) == (Status.SENT, now)

    OutboundEmail.objects.filter(pk=email.pk).update(
        status=Status.SENDING, claimed_by="task-2"
    )
    assert not email_sent_record(email_id=email.pk, claimed_by="task-1", sent_at=now)
