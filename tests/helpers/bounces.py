"""Bounce reports shaped like the ones real mail servers send, and an SMTP server that
refuses some recipients.

The reports follow what Postfix (RFC 3464 multipart/report), Gmail (its report with
the original's headers as text/rfc822-headers) and Exim (plain text with a copy of the
message) write; the wording and headers are theirs, the addresses and ids the test's.
"""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from consult.emails import email_message_id

if TYPE_CHECKING:
    from consult.models import OutboundEmail


@dataclass
class RefusingSmtp:
    """An aiosmtpd handler: refuses the listed recipients, accepts the others."""

    # address -> the reply to RCPT TO, e.g. "550 5.1.1 <x@y>: Recipient address rejected"
    at_rcpt: dict[str, str] = field(default_factory=dict)
    # address -> the reply to DATA for a message to that recipient
    at_data: dict[str, str] = field(default_factory=dict)
    received: list[tuple[str, list[str], email.message.EmailMessage]] = field(
        default_factory=list
    )
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 -- aiosmtpd's hook name
        reply = self.at_rcpt.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's hook name
        for rcpt in envelope.rcpt_tos:
            reply = self.at_data.get(rcpt.lower())
            if reply:
                return reply
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        with self.lock:
            return [m for _, rcpts, m in self.received if address in rcpts]


def _crlf(text: str) -> bytes:
    return text.lstrip("\n").replace("\n", "\r\n").encode()


def postfix_dsn(
    *,
    row: OutboundEmail,
    to: str,
    action: str = "failed",
    status: str = "5.1.1",
    diagnostic: str = "smtp; 550 5.1.1 <{rcpt}>: Recipient address rejected: "
    "User unknown in virtual mailbox table",
) -> bytes:
    """A Postfix non-delivery (or delay) report, addressed to ``to``."""
    rcpt = row.to
    diagnostic = diagnostic.format(rcpt=rcpt)
    return _crlf(f"""
Return-Path: <>
Delivered-To: {to}
Received: by mx.consult.example (Postfix) id 4Qx1; Fri,  3 Jul 2026 10:15:02 +0000 (UTC)
Date: Fri,  3 Jul 2026 10:15:02 +0000 (UTC)
From: MAILER-DAEMON@mail.example.net (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: {to}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
 boundary="6A3B2C1D.1751537702/mail.example.net"
Message-Id: <20260703101502.6A3B2C1D@mail.example.net>

This is a MIME-encapsulated message.

--6A3B2C1D.1751537702/mail.example.net
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.example.net.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

                   The mail system

<{rcpt}>: host mx.example.org[203.0.113.5] said: {diagnostic[6:]} (in reply to RCPT TO command)

--6A3B2C1D.1751537702/mail.example.net
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.net
X-Postfix-Queue-ID: 6A3B2C1D
X-Postfix-Sender: rfc822; {to}
Arrival-Date: Fri,  3 Jul 2026 10:15:01 +0000 (UTC)

Final-Recipient: rfc822; {rcpt}
Original-Recipient: rfc822;{rcpt}
Action: {action}
Status: {status}
Remote-MTA: dns; mx.example.org
Diagnostic-Code: {diagnostic}

--6A3B2C1D.1751537702/mail.example.net
Content-Description: Undelivered Message
Content-Type: message/rfc822

Return-Path: <{to}>
From: Consult <hello@consult.localhost>
To: {rcpt}
Subject: {row.subject}
Message-ID: {email_message_id(row)}
Auto-Submitted: auto-generated

The original message.

--6A3B2C1D.1751537702/mail.example.net--
""")


def gmail_bounce(*, row: OutboundEmail, to: str = "hello@consult.localhost") -> bytes:
    """Gmail's "Address not found", with the original's headers only."""
    rcpt = row.to
    return _crlf(f"""
Delivered-To: {to}
Return-Path: <>
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: {to}
Auto-Submitted: auto-replied
Subject: Delivery Status Notification (Failure)
Date: Fri, 03 Jul 2026 03:15:02 -0700 (PDT)
Message-ID: <6656fd3a.050a0220.b5e6.0b4a.GMR@mx.google.com>
MIME-Version: 1.0
Content-Type: multipart/report; boundary="000000000000c8d1f2061a2b3c4d"; report-type=delivery-status

--000000000000c8d1f2061a2b3c4d
Content-Type: multipart/related; boundary="000000000000c8d9a1061a2b3c4e"

--000000000000c8d9a1061a2b3c4e
Content-Type: multipart/alternative; boundary="000000000000c8d9a3061a2b3c4f"

--000000000000c8d9a3061a2b3c4f
Content-Type: text/plain; charset="UTF-8"


** Address not found **

Your message wasn't delivered to {rcpt} because the address couldn't be found, or is unable to receive mail.

Learn more here: https://support.google.com/mail/?p=NoSuchUser

The response was:

The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces.

--000000000000c8d9a3061a2b3c4f
Content-Type: text/html; charset="UTF-8"

<html><body><h1>Address not found</h1><p>Your message wasn't delivered to <a>{rcpt}</a>.</p></body></html>

--000000000000c8d9a3061a2b3c4f--
--000000000000c8d9a1061a2b3c4e--
--000000000000c8d1f2061a2b3c4d
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; mail.consult.example
Arrival-Date: Fri, 03 Jul 2026 03:15:01 -0700 (PDT)
X-Original-Message-ID: {email_message_id(row)}

Final-Recipient: rfc822; {rcpt}
Action: failed
Status: 5.1.1
Remote-MTA: dns; gmail-smtp-in.l.google.com. (142.250.1.26, the server for the domain gmail.com.)
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try
 550-5.1.1 double-checking the recipient's email address for typos or
 550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser
Last-Attempt-Date: Fri, 03 Jul 2026 03:15:02 -0700 (PDT)

--000000000000c8d1f2061a2b3c4d
Content-Type: text/rfc822-headers

Return-Path: <{to}>
From: Consult <hello@consult.localhost>
To: {rcpt}
Subject: {row.subject}
Message-ID: {email_message_id(row)}
Auto-Submitted: auto-generated

--000000000000c8d1f2061a2b3c4d--
""")


def exim_bounce(*, row: OutboundEmail, to: str) -> bytes:
    """Exim's plain-text "Mail delivery failed", the message quoted below."""
    rcpt = row.to
    return _crlf(f"""
Return-path: <>
Envelope-to: {to}
Received: from Debian-exim by mail.example.org with local (Exim 4.98)
	id 1uXyZa-0001Ab-2C; Fri, 03 Jul 2026 10:15:02 +0000
X-Failed-Recipients: {rcpt}
Auto-Submitted: auto-replied
From: Mail Delivery System <Mailer-Daemon@mail.example.org>
To: {to}
Content-Type: text/plain; charset=us-ascii
Subject: Mail delivery failed: returning message to sender
Message-Id: <E1uXyZa-0001Ab-2C@mail.example.org>
Date: Fri, 03 Jul 2026 10:15:02 +0000

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  {rcpt}
    host mx.example.org [203.0.113.5]
    SMTP error from remote mail server after RCPT TO:<{rcpt}>:
    550 5.1.1 <{rcpt}>: mailbox unavailable

------ This is a copy of the message, including all the headers. ------

Return-path: <{to}>
From: Consult <hello@consult.localhost>
To: {rcpt}
Subject: {row.subject}
Message-ID: {email_message_id(row)}
Auto-Submitted: auto-generated

The original message.
""")


def vacation_reply(*, row: OutboundEmail, to: str) -> bytes:
    return _crlf(f"""
Delivered-To: {to}
From: {row.to}
To: {to}
Subject: Out of office: {row.subject}
Auto-Submitted: auto-replied
In-Reply-To: {email_message_id(row)}
Content-Type: text/plain; charset=utf-8

I am away until Monday and will answer your message when I am back.
""")
