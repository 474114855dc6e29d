"""Manage tokens for bookings, on top of the shared private-link helpers."""

from __future__ import annotations

import base64

from django.utils.crypto import salted_hmac

from consult.tokens import token_hash, token_matches, token_new

__all__ = [
    "MAX_TOKEN_LENGTH",
    "token_for_submission",
    "token_hash",
    "token_matches",
    "token_new",
]

# Tokens are 43 characters; anything much longer is not ours and not worth hashing.
MAX_TOKEN_LENGTH = 64


def token_for_submission(idempotency_key: str) -> str:
    """The manage token for one submitted booking form.

    The form carries a random idempotency key; deriving the token from it (keyed with the
    site's secret) lets a repeated submission of the same form find the booking it already
    made and show the same confirmation page, while the database still holds only a hash.
    """
    digest = salted_hmac(
        "bookings.manage-token", idempotency_key, algorithm="sha256"
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
