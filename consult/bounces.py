"""Bounces: reports that an email the mail server took never reached its recipient.

A bounce comes back, days later perhaps, to the email's envelope sender. With
``EMAIL_BOUNCE_ADDRESS`` set that is an address naming the email's row
(``consult.verp``), so the report is matched to exactly that email, and a report
sent to an address the site never made (a forged signature) is ignored. Without it,
or when a server sent the report elsewhere, the email is found by its Message-ID in
the copy of the original most reports carry (``message/rfc822`` or
``text/rfc822-headers``, RFC 3464), or in a quoted copy of it.

Only a permanent failure marks an email bounced: a delivery status notification's
``Action: failed`` or a ``5.x.x`` status, or a non-standard report that
flufl.bounce reads as permanent. "Delayed" reports and auto-replies are read and
left alone, and a report about another address (the client's mailbox forwards to
one that no longer exists) marks nothing: the client's own address works.

Reports are read from a Maildir folder (``EMAIL_BOUNCE_MAILDIR``), an IMAP mailbox
(``EMAIL_BOUNCE_IMAP_URL``; both by the ``email.bounces_read`` beat task), or files
(``manage.py email_bounces``). Each message read is removed from the mailbox, since
what it said is now on the email's row.
"""

from __future__ import annotations

import contextlib
import email
import email.message
import email.parser
import email.utils
import imaplib
import logging
import mailbox
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from flufl.bounce import all_failures

from consult.emails import ERROR_MAX_LENGTH, email_message_id
from consult.logs import email_addresses_masked
from consult.models import ERASED_SUBJECT, OutboundEmail
from consult.verp import VerpForged, verp_email_id

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from datetime import datetime

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status

# Headers a delivering server writes with the envelope recipient (the bounce
# address), and To:, where most servers address the report.
_RECIPIENT_HEADERS = (
    "Delivered-To",
    "X-Original-To",
    "Envelope-To",
    "X-Envelope-To",
    "To",
)
_OUTBOX_ID = re.compile(r"^<outbox\.(\d{1,18})\.\d+@[^>\s]+>$", re.IGNORECASE)
_QUOTED_MESSAGE_ID = re.compile(
    r"^\s*Message-ID:\s*(<[^>\s]+>)", re.IGNORECASE | re.MULTILINE
)
# An SMTP reply in a non-standard report: "550 5.1.1 <x@y>: user unknown".
_SMTP_REPLY = re.compile(r"\b5\d\d[ -](?:5\.\d{1,3}\.\d{1,3}\b)?.*")
_STATUS = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}")
# Statuses a bounce may end: an email taken by the server, or one it gave up on.
BOUNCEABLE = (Status.SENT, Status.SENDING, Status.FAILED)
UNKNOWN_REASON = "The recipient's mail server reported it undeliverable."
IMAP_BATCH = 200


@dataclass(frozen=True, slots=True)
class BounceOutcome:
    """What one message said: the email it marked bounced, or why it marked none."""

    bounced: bool
    reason: str
    email_id: int | None = None

    def __str__(self) -> str:
        if self.bounced:
            return f"email {self.email_id} bounced: {self.reason}"
        about = f"email {self.email_id}: " if self.email_id is not None else ""
        return f"ignored: {about}{self.reason}"


@dataclass(frozen=True, slots=True)
class _Failure:
    recipient: str
    permanent: bool
    reason: str


def _addresses(message: email.message.Message, names: Iterable[str]) -> list[str]:
    values = [str(value) for name in names for value in message.get_all(name, [])]
    return [address for _, address in email.utils.getaddresses(values) if address]


def _verp_row(message: email.message.Message) -> int | None:
    """The email id of the site's bounce address the report came to, if any.

    Raises ``VerpForged`` for an address of the site's form it did not sign.
    """
    for address in _addresses(message, _RECIPIENT_HEADERS):
        email_id = verp_email_id(address)
        if email_id is not None:
            return email_id
    return None


def _quoted_message_ids(message: email.message.Message) -> list[str]:
    """Message-IDs of the original the report quotes, first the attached copies'."""
    found: list[str] = []
    quoted_text: list[str] = []
    for part in message.walk():
        if part is message and message.is_multipart():
            continue
        content_type = part.get_content_type()
        if content_type == "message/rfc822" and part.is_multipart():
            original = part.get_payload(0)
            if isinstance(original, email.message.Message):
                found += [str(value) for value in original.get_all("Message-ID", [])]
        elif content_type == "text/rfc822-headers":
            headers = email.parser.HeaderParser().parsestr(_text(part))
            found += [str(value) for value in headers.get_all("Message-ID", [])]
        elif part.get_content_maintype() == "text":
            quoted_text.append(_text(part))
    found += [
        match for text in quoted_text for match in _QUOTED_MESSAGE_ID.findall(text)
    ]
    # A bounce quotes one message; a report naming many is a guess at ours, and each
    # guess would cost a query.
    return [value.strip() for value in found[:MESSAGE_IDS_READ]]


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# How many quoted Message-IDs of one report are looked up, the attached copies first.
MESSAGE_IDS_READ = 3


def _text(part: email.message.Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(part.get_payload())
    try:
        return payload.decode(part.get_content_charset() or "utf-8", errors="replace")
    except LookupError:
        # A charset Python does not know: the report's words are ASCII anyway.
        return payload.decode("utf-8", errors="replace")


def _message_id_row(message: email.message.Message) -> OutboundEmail | None:
    for value in _quoted_message_ids(message):
        match = _OUTBOX_ID.match(value)
        if match is None:
            continue
        row = OutboundEmail.objects.filter(pk=int(match.group(1))).first()
        # The whole id must be the one the site gave it (its time stamp too).
        if row is not None and email_message_id(row).lower() == value.lower():
            return row
    return None


def _dsn_failures(message: email.message.Message) -> list[_Failure] | None:
    """Each recipient's block of the delivery status parts; None with no such part."""
    failures: list[_Failure] | None = None
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        failures = failures or []
        if not part.is_multipart():
            continue
        for block in part.get_payload():
            if not isinstance(block, email.message.Message):
                continue
            action = str(block.get("Action", "")).strip().lower()
            status = str(block.get("Status", "")).strip()
            recipient = str(
                block.get("Original-Recipient") or block.get("Final-Recipient") or ""
            )
            if ";" in recipient:
                recipient = recipient.split(";", 1)[1]
            diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
            if diagnostic.lower().startswith("smtp;"):
                diagnostic = diagnostic[5:].strip()
            # "failed" is final by definition; a 5.x.x status is permanent
            # whatever the action says ("error" from some servers). A 4.x.x with
            # "delayed" is a server still trying.
            permanent = (
                action.startswith(("fail", "error")) and not status.startswith("4")
            ) or (status.startswith("5") and not action.startswith("delayed"))
            reason = diagnostic or (
                f"Status {status}" if _STATUS.match(status) else UNKNOWN_REASON
            )
            failures.append(
                _Failure(
                    recipient=email.utils.parseaddr(recipient.strip())[1].lower(),
                    permanent=permanent,
                    reason=reason,
                )
            )
    return failures


def _heuristic_failures(message: email.message.Message) -> list[_Failure]:
    """Non-standard reports (Exim's and older servers'), read by flufl.bounce."""
    temporary, permanent = all_failures(message)
    reason = _smtp_reply_quoted(message) or UNKNOWN_REASON
    return [
        _Failure(recipient=address.decode().lower(), permanent=True, reason=reason)
        for address in permanent
    ] + [
        _Failure(recipient=address.decode().lower(), permanent=False, reason="")
        for address in temporary
    ]


def _smtp_reply_quoted(message: email.message.Message) -> str:
    for part in message.walk():
        if part.get_content_type() != "text/plain":
            continue
        for line in _text(part).splitlines():
            match = _SMTP_REPLY.search(line)
            if match:
                return " ".join(match.group(0).split())
    return ""


def email_bounce_record(
    *, email_id: int, reason: str, now: datetime | None = None
) -> bool:
    """Mark the email bounced, with the server's words; False if it cannot be.

    Compare-and-swap from a state a bounce may follow: one still queued was never
    handed over, and one already bounced keeps its first report.
    """
    now = now or timezone.now()
    marked = (
        OutboundEmail.objects.filter(pk=email_id, status__in=BOUNCEABLE)
        # An erased email keeps no words about its recipient, a late report's neither.
        .exclude(subject=ERASED_SUBJECT)
        .update(
            status=Status.BOUNCED,
            bounced_at=now,
            last_error=reason[:ERROR_MAX_LENGTH],
        )
    )
    return bool(marked)


def bounce_ingest(*, raw: bytes, now: datetime | None = None) -> BounceOutcome:
    """Read one message from the bounce mailbox; mark the email it reports bounced."""
    message = email.message_from_bytes(raw)
    try:
        email_id = _verp_row(message)
    except VerpForged:
        return BounceOutcome(
            bounced=False, reason="sent to a bounce address the site did not make"
        )
    signed = email_id is not None
    if email_id is None:
        row = _message_id_row(message)
        email_id = row.pk if row is not None else None
    if email_id is None:
        return BounceOutcome(bounced=False, reason="no email of ours is named in it")
    row = OutboundEmail.objects.filter(pk=email_id).only("to", "status").first()
    if row is None:
        return BounceOutcome(
            bounced=False, reason="its email is gone", email_id=email_id
        )

    failures = _dsn_failures(message)
    if failures is None:
        failures = _heuristic_failures(message)
    permanent = [failure for failure in failures if failure.permanent]
    if not permanent:
        reason = (
            "a delay report: the mail server is still trying"
            if failures
            else "not a bounce (an auto-reply or other mail)"
        )
        return BounceOutcome(bounced=False, reason=reason, email_id=email_id)
    # A Message-ID can be guessed, unlike the signed VERP address: matched by it, the
    # report must name the address the email went to.
    ours = [
        f
        for f in permanent
        if f.recipient == row.to.lower() or (signed and not f.recipient)
    ]
    if not ours:
        return BounceOutcome(
            bounced=False,
            reason="the report is about another address (a forward), not the client's",
            email_id=email_id,
        )
    # A report's words are the sender's: no control characters reach the log or the
    # database (PostgreSQL refuses a NUL in text).
    reason = " ".join(_CONTROL.sub(" ", ours[0].reason).split())
    if not email_bounce_record(email_id=email_id, reason=reason, now=now):
        return BounceOutcome(
            bounced=False,
            reason=f"already {row.get_status_display().lower()}",
            email_id=email_id,
        )
    logger.warning("email %s bounced: %s", email_id, email_addresses_masked(reason))
    return BounceOutcome(bounced=True, reason=reason, email_id=email_id)


def _ingest_logged(
    raw: bytes, *, source: str, now: datetime | None
) -> BounceOutcome | None:
    try:
        return bounce_ingest(raw=raw, now=now)
    except (OperationalError, InterfaceError):
        # The database is down, not the message's fault: the next run reads it again.
        # (Other database errors come from what the message holds, and are its own.)
        raise
    except Exception:
        # One message the parser chokes on must not stop the rest; it stays in
        # the mailbox for a person to look at.
        logger.exception("bounce message %s could not be read; left in place", source)
        return None


def bounces_read_maildir(
    *, path: str, now: datetime | None = None
) -> list[BounceOutcome]:
    """Read every message in the Maildir folder ``path``, removing each one read."""
    folder = mailbox.Maildir(path, factory=None, create=False)
    outcomes = []
    for key in list(folder.keys()):
        try:
            raw = folder.get_bytes(key)
        except KeyError:
            # Another reader took it meanwhile.
            continue
        outcome = _ingest_logged(raw, source=key, now=now)
        if outcome is None:
            continue
        outcomes.append(outcome)
        # Another reader may have removed it meanwhile.
        with contextlib.suppress(KeyError, FileNotFoundError):
            folder.remove(key)
    return outcomes


def _imap_connect(url: str) -> tuple[imaplib.IMAP4, str]:
    parts = urlsplit(url)
    if parts.scheme not in {"imap", "imaps", "imap+starttls"} or not parts.hostname:
        raise ImproperlyConfigured(
            "EMAIL_BOUNCE_IMAP_URL must be imaps://user:password@host[:port]/folder "
            "(or imap+starttls://, or imap:// on a trusted network)."
        )
    if parts.scheme == "imaps":
        client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            parts.hostname, parts.port or 993, timeout=30
        )
    else:
        client = imaplib.IMAP4(parts.hostname, parts.port or 143, timeout=30)
        if parts.scheme == "imap+starttls":
            client.starttls()
    client.login(unquote(parts.username or ""), unquote(parts.password or ""))
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return client, folder


def _imap_messages(client: imaplib.IMAP4) -> Iterator[tuple[str, bytes]]:
    # Messages that could not be read are left flagged for a person: without the
    # flag they would fill every batch and nothing newer would be read.
    status, data = client.uid("SEARCH", "UNFLAGGED")
    if status != "OK" or not isinstance(data[0], bytes):
        return
    for uid in data[0].decode().split()[:IMAP_BATCH]:
        status, fetched = client.uid("FETCH", uid, "(RFC822)")
        if status == "OK" and fetched and isinstance(fetched[0], tuple):
            yield uid, fetched[0][1]


def bounces_read_imap(*, url: str, now: datetime | None = None) -> list[BounceOutcome]:
    """Read the IMAP folder in ``url``; each message read is deleted there."""
    client, folder = _imap_connect(url)
    outcomes = []
    try:
        status, _ = client.select(folder)
        if status != "OK":
            raise ImproperlyConfigured(f"The IMAP folder {folder!r} cannot be opened.")
        for uid, raw in _imap_messages(client):
            outcome = _ingest_logged(raw, source=f"imap uid {uid}", now=now)
            if outcome is None:
                client.uid("STORE", uid, "+FLAGS", r"(\Flagged)")
                continue
            outcomes.append(outcome)
            client.uid("STORE", uid, "+FLAGS", r"(\Deleted)")
        client.expunge()
        client.close()
    finally:
        client.logout()
    return outcomes


def bounces_read(*, now: datetime | None = None) -> list[BounceOutcome]:
    """Read the configured bounce mailboxes (``EMAIL_BOUNCE_MAILDIR``, ``_IMAP_URL``)."""
    outcomes = []
    if settings.EMAIL_BOUNCE_MAILDIR:
        outcomes += bounces_read_maildir(path=settings.EMAIL_BOUNCE_MAILDIR, now=now)
    if settings.EMAIL_BOUNCE_IMAP_URL:
        outcomes += bounces_read_imap(url=settings.EMAIL_BOUNCE_IMAP_URL, now=now)
    bounced = sum(outcome.bounced for outcome in outcomes)
    if outcomes:
        logger.info("bounces: %s read, %s bounced", len(outcomes), bounced)
    return outcomes
