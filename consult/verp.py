"""Envelope senders that name their email (VERP), so a bounce finds its outbox row.

``bounces+<id>-<signature>@domain`` for ``EMAIL_BOUNCE_ADDRESS`` =
``bounces@domain``. The signature is a short HMAC of the id under the secret key:
anyone may send a report to the bounce mailbox, but only one that came back from
an address the site made marks an email, and only that email.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

SIGNATURE_LENGTH = 12
_SALT = "consult.verp"
_TAG = re.compile(r"^(\d{1,18})-([0-9a-f]{%d})$" % SIGNATURE_LENGTH)  # noqa: UP031 -- a regex's braces


def _signature(email_id: int, secret: str | None = None) -> str:
    return salted_hmac(
        _SALT, str(email_id), secret=secret, algorithm="sha256"
    ).hexdigest()[:SIGNATURE_LENGTH]


def _signed(email_id: int, signature: str) -> bool:
    # An email sent before the secret key was rotated bounces days later: its
    # address was signed with a key now among the fallbacks.
    return any(
        constant_time_compare(signature, _signature(email_id, secret))
        for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)
    )


def verp_address(email_id: int) -> str:
    """The envelope sender for the email ``email_id``; "" without a bounce address."""
    base: str = settings.EMAIL_BOUNCE_ADDRESS
    if not base:
        return ""
    local, _, domain = base.rpartition("@")
    return f"{local}+{email_id}-{_signature(email_id)}@{domain}"


class VerpForged(ValueError):
    """A bounce address in the site's form whose signature is not the site's."""


def verp_email_id(address: str) -> int | None:
    """The email id ``address`` names, None if it is not one of the site's.

    Raises ``VerpForged`` when it has the form but not the signature.
    """
    base: str = settings.EMAIL_BOUNCE_ADDRESS
    if not base:
        return None
    base_local, _, base_domain = base.rpartition("@")
    local, _, domain = address.strip().strip("<>").rpartition("@")
    prefix = f"{base_local}+"
    if domain.lower() != base_domain.lower() or not local.lower().startswith(
        prefix.lower()
    ):
        return None
    match = _TAG.match(local[len(prefix) :].lower())
    if match is None:
        raise VerpForged(address)
    email_id = int(match.group(1))
    if not _signed(email_id, match.group(2)):
        raise VerpForged(address)
    return email_id
