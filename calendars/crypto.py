"""Secrets at rest: CalDAV app passwords and feed addresses (a Google "secret address" is a
password to the calendar) are stored encrypted with Fernet.

Keys come from ``CALENDAR_ENCRYPTION_KEYS`` (comma-separated Fernet keys): the first
encrypts, every one decrypts, so a key is rotated by putting a new one first, running
``manage.py calendar_keys_rotate`` and then dropping the old one (see SECURITY.md). Without
the setting a key derived from ``SECRET_KEY`` encrypts, which is enough for development but
ties the secrets to that key.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = ["InvalidToken", "secret_decrypt", "secret_encrypt", "secrets_rotate_value"]


def _derived_key(secret: str) -> bytes:
    digest = hashlib.sha256(b"consult.calendars.secret:" + secret.encode())
    return base64.urlsafe_b64encode(digest.digest())


def _fernet() -> MultiFernet:
    # The derived keys come last, to decrypt only: secrets stored before the keys were
    # set are still read, and ``calendar_keys_rotate`` moves them to the first key; a
    # secret key since rotated still opens them from among its fallbacks.
    keys = [
        *getattr(settings, "CALENDAR_ENCRYPTION_KEYS", []),
        *(
            _derived_key(secret)
            for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)
        ),
    ]
    return MultiFernet([Fernet(key) for key in keys])


def secret_encrypt(value: str) -> str:
    if not value:
        return ""
    return _fernet().encrypt(value.encode()).decode()


def secret_decrypt(value: str) -> str:
    """The plain text; ``InvalidToken`` if no configured key opens it."""
    if not value:
        return ""
    return _fernet().decrypt(value.encode()).decode()


def secrets_rotate_value(value: str) -> str:
    """``value`` encrypted again under the first key (for key rotation)."""
    if not value:
        return ""
    return _fernet().rotate(value.encode()).decode()
