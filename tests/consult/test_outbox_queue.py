"""Queuing an email: checked, kept once per dedupe key, and handed to the worker
only after commit."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from consult.celery import app
from consult.models import OutboundEmail
from tests.helpers.outbox import Status, queue_link, queued
from tests.helpers.realstack import producer_reset


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
