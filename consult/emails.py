"""The email outbox: every email is a row written with the change that causes it.

- ``email_queue`` renders an email and writes its row in the caller's
  transaction; the send is enqueued only once that transaction commits.
- ``email_send`` (run by the ``email.send`` task) claims the row with a
  conditional update, sends it and marks it sent, so running it twice sends once.
  A transient failure queues the row again with a backoff (``email_backoff``)
  for ``EMAIL_RETRY_HOURS``; the relay hands it to a worker when it is due, so
  no retry waits in the broker. Marking a row sent survives a dropped database
  connection (``email_sent_record``), so an email the SMTP server accepted is
  not sent again. A recipient the server refuses for good (5xx) marks the row
  bounced at once; a bounce reported later is read by ``consult.bounces``, and
  the envelope sender names the row for it (``consult.verp``).
- ``email_relay`` (beat, every minute) re-enqueues rows the broker never got
  and rows due for another try, and puts back rows whose worker died mid-send
  (``email_claim_release`` does it at once when the worker saw its child die).
- ``email_resend`` lets staff try a failed email again.

Each kind of email has ``templates/emails/<kind>/subject.txt``, ``body.txt``
and ``body.html`` (extending ``emails/base.html``); ``email_render`` is the one
helper that builds them all.
"""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from typing import TYPE_CHECKING

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.core.validators import EmailValidator
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connections,
    transaction,
)
from django.template import Context, Engine
from django.utils import timezone

from consult import outbox
from consult.enqueue import enqueue, enqueue_on_commit
from consult.logs import email_addresses_masked
from consult.models import ERASED_SUBJECT, OutboundEmail, related_key
from consult.verp import verp_address

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from django.db import models

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 60 * 60
# A connection that broke (the server restarted, failed over or ended it) is
# worth another try on a new one, unlike a constraint or a bug.
DATABASE_CONNECTION_ERRORS = (OperationalError, InterfaceError)
# A row still queued this long after it was due was never handed to a worker
# (the broker was down at commit, or a retry message was lost).
RELAY_GRACE = timedelta(minutes=2)
# Longer than the task's hard time limit plus the SMTP timeout: a row sending
# for this long belongs to a worker that died.
SENDING_TIMEOUT = timedelta(minutes=10)
EXPIRED_ERROR = (
    "Not sent: it was still waiting when it stopped being true (expires_at)."
)
WORKER_STOPPED_ERROR = "The worker stopped while sending it."
WORKER_STOPPED_TWICE_ERROR = (
    "The worker stopped while sending it, twice in a row; it may have been "
    "delivered. Send it again if it was not."
)
WORKER_STOPPED_LAST_ERROR = (
    "The worker stopped while sending its last attempt; it may have been "
    "delivered. Send it again if it was not."
)
RELAY_BATCH = 500
SUBJECT_MAX_LENGTH = 255
DEDUPE_KEY_MAX_LENGTH = 255
ERROR_MAX_LENGTH = 2000

_KIND = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_CONTENT_TYPE = re.compile(
    r"^[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*"
    r'(\s*;\s*[a-z0-9-]+=("[^"\r\n]*"|[a-z0-9.+-]+))*$',
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_validate_email = EmailValidator()


class EmailSendDeferred(Exception):
    """A transient failure: the row is queued again, due in ``retry_in`` s."""

    def __init__(self, *, email_id: int, retry_in: int, error: str) -> None:
        super().__init__(f"email {email_id}: {error}; retrying in {retry_in} s")
        self.email_id = email_id
        self.retry_in = retry_in
        self.error = error


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file attached at send time: small text inline, or a stored file."""

    filename: str
    content_type: str
    content: str | None = None
    storage_name: str | None = None

    def __post_init__(self) -> None:
        # Both end up in MIME headers, so they get the same scrutiny as a
        # subject or an address.
        if not self.filename or _CONTROL.search(self.filename):
            raise ValidationError(f"Invalid attachment file name {self.filename!r}.")
        if not _CONTENT_TYPE.match(self.content_type):
            raise ValidationError(f"Invalid content type {self.content_type!r}.")
        if (self.content is None) == (self.storage_name is None):
            raise ValidationError("An attachment has either text or a stored file.")

    @classmethod
    def text(cls, filename: str, content_type: str, text: str) -> Attachment:
        return cls(filename=filename, content_type=content_type, content=text)

    @classmethod
    def stored(cls, filename: str, content_type: str, storage_name: str) -> Attachment:
        return cls(
            filename=filename, content_type=content_type, storage_name=storage_name
        )

    def as_json(self) -> dict[str, str]:
        part = {"filename": self.filename, "content_type": self.content_type}
        if self.storage_name is not None:
            part["storage_name"] = self.storage_name
        else:
            part["text"] = self.content or ""
        return part


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def subject_line(raw: str) -> str:
    # Collapsing every run of whitespace (CR and LF included) keeps user input
    # in a subject on one header line.
    line = " ".join(_CONTROL.sub(" ", raw).split())
    if len(line) > SUBJECT_MAX_LENGTH:
        line = line[: SUBJECT_MAX_LENGTH - 1].rstrip() + "…"
    return line


def _text_tidy(raw: str) -> str:
    # Template tags leave blank lines and trailing spaces behind; plain-text
    # readers see every one of them.
    lines = [line.rstrip() for line in raw.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def email_render(*, kind: str, context: Mapping[str, object]) -> RenderedEmail:
    if not _KIND.match(kind):
        raise ValidationError(f"Invalid email kind {kind!r}.")
    engine = Engine.get_default()
    values = {"site_url": settings.SITE_URL, **context}

    def render(name: str, *, autoescape: bool) -> str:
        template = engine.get_template(f"emails/{kind}/{name}")
        return template.render(Context(values, autoescape=autoescape))

    # Plain-text parts are not HTML: escaping would show "&amp;" to readers.
    return RenderedEmail(
        subject=subject_line(render("subject.txt", autoescape=False)),
        text=_text_tidy(render("body.txt", autoescape=False)),
        html=render("body.html", autoescape=True),
    )


def _address_check(value: str, *, field: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValidationError(f"{field} must not contain line breaks.")
    try:
        _validate_email(value)
    except ValidationError:
        raise ValidationError(f"{field} is not a valid email address.") from None
    return value


SEND_TASK = "email.send"
SENT_RECORD_TASK = "email.sent_record"


def _send_enqueue_on_commit(email_id: int) -> None:
    # The row is committed and the relay re-enqueues it, so a broker outage
    # must not turn into an error for whoever caused the email.
    enqueue_on_commit(
        SEND_TASK,
        kwargs={"email_id": email_id},
        about=f"email {email_id}",
        if_lost="not handed to the worker; the relay will send it",
    )


def email_queue(  # noqa: PLR0913 -- keyword-only, each part of the email
    *,
    kind: str,
    to: str,
    context: Mapping[str, object],
    dedupe_key: str,
    attachments: Sequence[Attachment] = (),
    reply_to: str | None = None,
    related: models.Model | None = None,
    expires_at: datetime | None = None,
) -> OutboundEmail:
    """Write an email to the outbox in the caller's transaction.

    Idempotent on ``dedupe_key``: a second call returns the first row and
    queues nothing. The send is enqueued when the caller's transaction
    commits, and never if it rolls back.
    """
    _address_check(to, field="to")
    if reply_to is not None:
        _address_check(reply_to, field="reply_to")
    if not 0 < len(dedupe_key) <= DEDUPE_KEY_MAX_LENGTH:
        raise ValidationError(
            f"dedupe_key must be 1 to {DEDUPE_KEY_MAX_LENGTH} characters."
        )
    if related is not None and related.pk is None:
        raise ValidationError("related must be saved before its email is queued.")

    existing = OutboundEmail.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing

    rendered = email_render(kind=kind, context=context)
    now = timezone.now()
    related_model, related_id = related_key(related) if related else ("", "")
    email = OutboundEmail(
        kind=kind,
        to=to,
        reply_to=reply_to or "",
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        attachments=[attachment.as_json() for attachment in attachments],
        dedupe_key=dedupe_key,
        created_at=now,
        next_attempt_at=now,
        related_model=related_model,
        related_id=related_id,
        expires_at=expires_at,
    )
    try:
        # A savepoint, so losing a race on dedupe_key leaves the caller's
        # transaction usable.
        with transaction.atomic():
            email.save(force_insert=True)
    except IntegrityError:
        existing = OutboundEmail.objects.filter(dedupe_key=dedupe_key).first()
        if existing is None:
            raise
        return existing
    _send_enqueue_on_commit(email.pk)
    return email


def email_backoff(*, attempts: int) -> int:
    """Seconds to wait after the ``attempts``-th failed attempt."""
    return outbox.backoff(attempts, base=BACKOFF_BASE_SECONDS, cap=BACKOFF_MAX_SECONDS)


def email_attempts_max() -> int:
    """Attempts spanning ``EMAIL_RETRY_HOURS``: the waits between them add up to it.

    Counted in attempts rather than read off a clock, so an email first tried
    late (the workers were down) still gets its hours of retries.
    """
    return outbox.attempts_within(
        settings.EMAIL_RETRY_HOURS * 3600, lambda n: email_backoff(attempts=n)
    )


def _error_is_transient(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        # Greylisting refuses a recipient with 4xx: worth another try.
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPException):
        # No reply code: the server lacks something we need (AUTH, STARTTLS).
        return False
    if isinstance(exc, FileNotFoundError):
        # A stored attachment is written before its email is queued; one that
        # is gone was deleted (the client erased their data) and stays gone.
        return False
    # Connection refused or timed out, storage briefly unreachable, the task's
    # soft time limit: another try later may well succeed.
    return isinstance(exc, (OSError, SoftTimeLimitExceeded))


def _refusal_of_recipient(exc: BaseException) -> str:
    """The server's words when it refused the recipient for good, else "".

    A 5xx to RCPT TO (every recipient: an email has one) or to DATA once the
    recipient was taken: the address does not exist, or its server will not
    have the message. Another try would only be refused again.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = list(exc.recipients.values())
        if replies and all(500 <= code < 600 for code, _ in replies):
            return "; ".join(_reply_text(code, text) for code, text in replies)
        return ""
    if isinstance(exc, smtplib.SMTPDataError) and 500 <= exc.smtp_code < 600:
        reply = _reply_text(exc.smtp_code, exc.smtp_error)
        # At DATA a refusal may be about the message, not the mailbox (5.7.x: policy,
        # spam, DMARC; 5.2.3: too large): the address is right and correcting it
        # would not help, so only an unknown, disabled or full mailbox (5.1.x, 5.2.1,
        # 5.2.2), or a reply without a status code, counts as a bounce. The rest fail.
        enhanced = _ENHANCED_STATUS.search(reply)
        code = enhanced.group(1) if enhanced else ""
        if not code or code.startswith("5.1.") or code in MAILBOX_REFUSED:
            return reply
    return ""


# RFC 3463's enhanced status code at the start of a reply's text: 5.<subject>.<detail>.
_ENHANCED_STATUS = re.compile(r"^\d{3}[ -](5\.\d{1,3}\.\d{1,3})\b")
# Mailbox disabled, mailbox full: of 5.2.x, the ones about the mailbox.
MAILBOX_REFUSED = frozenset({"5.2.1", "5.2.2"})


def _reply_text(code: int, text: bytes | str) -> str:
    words = text.decode(errors="replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(words.split())}"[:ERROR_MAX_LENGTH]


def _error_describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text[:ERROR_MAX_LENGTH]


def _error_for_log(error: str) -> str:
    # The row keeps the whole error for staff; a log line names no recipient
    # (an SMTP refusal quotes the address it refused).
    return email_addresses_masked(error)


def _database_connections_reset() -> None:
    # Close connections an error left broken; the next query opens a new one.
    for connection in connections.all(initialized_only=True):
        with contextlib.suppress(DatabaseError):
            connection.close()


def email_message_id(email: OutboundEmail) -> str:
    # Stable per row: if a send is ever repeated (the worker died after the
    # server accepted it), receiving systems can recognise the duplicate.
    domain = Address(addr_spec=_sender_address()).domain or "localhost"
    stamp = int(email.created_at.timestamp())
    return f"<outbox.{email.pk}.{stamp}@{domain}>"


def _sender_address() -> str:
    from_email: str = settings.DEFAULT_FROM_EMAIL
    if "<" in from_email:
        return from_email.rsplit("<", 1)[1].rstrip(">").strip()
    return from_email.strip()


def email_message_build(*, email: OutboundEmail) -> EmailMultiAlternatives:
    headers = {
        "Message-ID": email_message_id(email),
        # RFC 3834: asks vacation responders not to answer automatically.
        "Auto-Submitted": "auto-generated",
    }
    # The SMTP backend uses from_email as the envelope sender, where bounces go:
    # with a bounce address it names this row, and readers still see the
    # site's own From.
    envelope_sender = verp_address(email.pk)
    if envelope_sender:
        headers["From"] = settings.DEFAULT_FROM_EMAIL
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=envelope_sender or None,
        to=[email.to],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers=headers,
    )
    message.attach_alternative(email.body_html, "text/html")
    for part in email.attachments:
        if "storage_name" in part:
            with default_storage.open(part["storage_name"], "rb") as stored:
                content: str | bytes = stored.read()
        else:
            content = part["text"]
        message.attach(part["filename"], content, part["content_type"])
    return message


def email_send(
    *, email_id: int, now: datetime | None = None, claimed_by: str = ""
) -> bool:
    """Send one queued email; True if this call sent it.

    Safe to run any number of times for the same row: only the call whose
    conditional update claims the row sends it (``claimed_by``, the task id,
    names the claim). A transient failure puts the row back in the queue with
    a backoff and raises ``EmailSendDeferred``; a permanent one, or one after
    ``EMAIL_RETRY_HOURS``, marks it failed. A database error before the send
    gives the claim back and is raised, for the task to try again.
    """
    now = now or timezone.now()
    claim = claimed_by or uuid.uuid4().hex
    OutboundEmail.objects.filter(
        pk=email_id, status=Status.QUEUED, expires_at__lte=now
    ).update(status=Status.FAILED, last_error=EXPIRED_ERROR)
    claimed = outbox.claim(
        OutboundEmail.objects.all(),
        pk=email_id,
        ready=Status.QUEUED,
        sending=Status.SENDING,
        claim_id=claim,
        now=now,
    )
    if not claimed:
        # Sent, failed, being sent by another worker, or not due yet.
        return False
    try:
        email = OutboundEmail.objects.get(pk=email_id)
    except DATABASE_CONNECTION_ERRORS:
        _claim_give_back(email_id=email_id, claim=claim)
        raise
    try:
        email_message_build(email=email).send()
    except Exception as exc:  # noqa: BLE001 -- every failure is recorded on the row
        try:
            _email_failure_record(email=email, exc=exc, now=now, claim=claim)
        except DATABASE_CONNECTION_ERRORS:
            _claim_give_back(email_id=email_id, claim=claim)
            raise
        return False
    _email_sent_record_now_or_later(email=email, claim=claim, sent_at=timezone.now())
    logger.info("email %s: %s sent", email_id, email.kind)
    return True


def _claim_give_back(*, email_id: int, claim: str) -> None:
    # The database failed between claim and send: nothing went out, so the row
    # goes back to the queue for the task's next try (or the relay's).
    _database_connections_reset()
    try:
        OutboundEmail.objects.filter(
            pk=email_id, status=Status.SENDING, claimed_by=claim
        ).update(status=Status.QUEUED)
    except DATABASE_CONNECTION_ERRORS:
        _database_connections_reset()
        logger.warning(
            "email %s: claim kept after a database error; the relay puts it back",
            email_id,
        )


def _email_sent_record_now_or_later(
    *, email: OutboundEmail, claim: str, sent_at: datetime
) -> None:
    # The SMTP server has it: from here on nothing may send it again. A
    # connection dropped since the claim is replaced and the write tried once
    # more; if the database is still away, a task keeps trying (the relay
    # would otherwise take the row for a dead worker's and send it again).
    for _ in range(2):
        try:
            email_sent_record(email_id=email.pk, claimed_by=claim, sent_at=sent_at)
        except DATABASE_CONNECTION_ERRORS:
            _database_connections_reset()
        else:
            return
    logger.warning(
        "email %s: %s sent, but the database is unavailable; recording it later",
        email.pk,
        email.kind,
    )
    enqueue(
        SENT_RECORD_TASK,
        kwargs={
            "email_id": email.pk,
            "claimed_by": claim,
            "sent_at": sent_at.isoformat(),
        },
        about=f"email {email.pk}",
        if_lost="sent but not recorded; it may be sent again",
    )


def email_sent_record(*, email_id: int, claimed_by: str, sent_at: datetime) -> bool:
    """Record that the SMTP server accepted the email sent under ``claimed_by``.

    Also takes a row the relay put back in the queue meanwhile (the write was
    late), as long as no one claimed it again. Erases its content if the
    client deleted their data while it waited.
    """
    with transaction.atomic():
        marked = OutboundEmail.objects.filter(
            pk=email_id,
            claimed_by=claimed_by,
            status__in=[Status.SENDING, Status.QUEUED],
        ).update(status=Status.SENT, sent_at=sent_at, last_error="")
        if marked:
            # Read from the row: the client may have deleted their data while
            # this was being sent (privacy.services).
            OutboundEmail.objects.filter(
                pk=email_id, erase_when_done=True
            ).content_erase()
    return bool(marked)


def _email_failure_record(
    *, email: OutboundEmail, exc: Exception, now: datetime, claim: str
) -> None:
    error = _error_describe(exc)
    still_sending = OutboundEmail.objects.filter(
        pk=email.pk, status=Status.SENDING, claimed_by=claim
    )
    refusal = _refusal_of_recipient(exc)
    if refusal:
        still_sending.update(
            status=Status.BOUNCED, bounced_at=timezone.now(), last_error=refusal
        )
        logger.warning(
            "email %s: %s bounced: the server refused the recipient (%s)",
            email.pk,
            email.kind,
            _error_for_log(refusal),
        )
        return
    if _error_is_transient(exc) and email.attempts < email_attempts_max():
        retry_in = email_backoff(attempts=email.attempts)
        still_sending.update(
            status=Status.QUEUED,
            next_attempt_at=now + timedelta(seconds=retry_in),
            last_error=error,
        )
        logger.warning(
            "email %s: %s, attempt %s failed (%s); next attempt in %s s",
            email.pk,
            email.kind,
            email.attempts,
            _error_for_log(error),
            retry_in,
        )
        raise EmailSendDeferred(
            email_id=email.pk, retry_in=retry_in, error=error
        ) from exc
    still_sending.update(status=Status.FAILED, last_error=error)
    logger.error(
        "email %s: %s failed after %s attempt(s): %s",
        email.pk,
        email.kind,
        email.attempts,
        _error_for_log(error),
    )


def _stuck_put_back(rows: models.QuerySet[OutboundEmail]) -> int:
    """Rows whose sender died mid-send: queued again, or failed for staff.

    The SMTP server may have accepted it before the sender died, so a second
    death in a row, or one on the last attempt, leaves it to staff.
    """
    rows.filter(last_error=WORKER_STOPPED_ERROR).update(
        status=Status.FAILED, last_error=WORKER_STOPPED_TWICE_ERROR
    )
    rows.filter(attempts__gte=email_attempts_max()).update(
        status=Status.FAILED, last_error=WORKER_STOPPED_LAST_ERROR
    )
    return outbox.stuck_put_back(rows, ready=Status.QUEUED, error=WORKER_STOPPED_ERROR)


def email_claim_release(*, email_id: int, claimed_by: str) -> bool:
    """Put back the row ``claimed_by`` was sending when its process died.

    Called by the worker's main process when a pool child running the send
    died (killed, out of memory), so the message it gives back to the broker
    finds the row queued instead of waiting for the relay's ``SENDING_TIMEOUT``.
    """
    rows = OutboundEmail.objects.filter(
        pk=email_id, status=Status.SENDING, claimed_by=claimed_by
    )
    returned = _stuck_put_back(rows)
    if returned:
        logger.warning("email %s: its sender stopped mid-send; queued again", email_id)
    return bool(returned)


def email_relay(*, now: datetime | None = None) -> int:
    """Hand over what no worker holds; return how many rows were re-enqueued.

    Rows sending for longer than ``SENDING_TIMEOUT`` belonged to a worker that
    died: they go back to the queue (or fail, see ``_stuck_put_back``). Rows
    due for another try are enqueued when due; rows still queued
    ``RELAY_GRACE`` after they were due never reached a worker (the broker
    was down, or lost the message) and are enqueued again. A row that did
    reach one is harmless to enqueue twice, since only one claim succeeds.
    """
    now = now or timezone.now()
    stuck = outbox.stuck(
        OutboundEmail.objects.all(),
        sending=Status.SENDING,
        now=now,
        timeout=SENDING_TIMEOUT,
    )
    stuck_count = stuck.count()
    returned = _stuck_put_back(stuck) if stuck_count else 0
    # next_attempt_at may be empty on an email's row: a first try is then due from
    # when it was written.
    email_ids = outbox.relay_due(
        OutboundEmail.objects.all(),
        ready=Status.QUEUED,
        now=now,
        grace=RELAY_GRACE,
        batch=RELAY_BATCH,
        enqueue=_send_enqueue_on_commit,
        undated_lost=True,
    )
    if stuck_count:
        logger.warning(
            "email relay: %s stuck sending, %s put back, %s failed",
            stuck_count,
            returned,
            stuck_count - returned,
        )
    if email_ids:
        logger.info("email relay: %s enqueued", len(email_ids))
    return len(email_ids)


def email_resend(*, email: OutboundEmail) -> None:
    """Queue a failed email again with a fresh set of attempts.

    Not one whose content was erased with its client's data: there is nothing left
    to send, and nobody left to send it to.
    """
    now = timezone.now()
    updated = outbox.fresh_start(
        OutboundEmail.objects.filter(pk=email.pk, status=Status.FAILED).exclude(
            subject=ERASED_SUBJECT
        ),
        ready=Status.QUEUED,
        now=now,
    )
    if not updated:
        raise ValidationError(
            "Only a failed email whose content was not erased can be sent again."
        )
    email.status = Status.QUEUED
    email.attempts = 0
    email.next_attempt_at = now
    email.claimed_at = None
    email.relayed_at = None
    _send_enqueue_on_commit(email.pk)


def email_copy_to(
    *,
    email: OutboundEmail,
    to: str,
    attachments: Sequence[Attachment] | None = None,
) -> OutboundEmail:
    """Queue ``email`` again, as it was, to the address ``to`` (a corrected address).

    A new row with the same content, cause and kind, in the caller's transaction;
    once per original and address, so a double submit sends one copy.
    ``attachments`` replace the original's (a calendar invitation made out to
    the new address).
    """
    _address_check(to, field="to")
    if email.subject == ERASED_SUBJECT:
        raise ValidationError("Its content was erased with its client's data.")
    suffix = f":to:{uuid.uuid5(uuid.NAMESPACE_URL, to.lower()).hex[:16]}"
    dedupe_key = email.dedupe_key[: DEDUPE_KEY_MAX_LENGTH - len(suffix)] + suffix
    existing = OutboundEmail.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    now = timezone.now()
    copy = OutboundEmail.objects.create(
        kind=email.kind,
        to=to,
        reply_to=email.reply_to,
        subject=email.subject,
        body_text=email.body_text,
        body_html=email.body_html,
        attachments=email.attachments
        if attachments is None
        else [attachment.as_json() for attachment in attachments],
        dedupe_key=dedupe_key,
        created_at=now,
        next_attempt_at=now,
        related_model=email.related_model,
        related_id=email.related_id,
        expires_at=email.expires_at,
    )
    _send_enqueue_on_commit(copy.pk)
    return copy
