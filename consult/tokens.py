"""Private links: a random token in the URL, only its hash in the database.

A leaked database dump gives no working links, and a lookup by hash plus a
constant-time comparison gives away nothing through timing.
"""

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32  # 256 bits: unguessable, 43 URL-safe characters


def token_new() -> tuple[str, str]:
    """Return ``(token, token_hash)``: the token goes in the link, the hash in the row."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(token_hash(token), stored_hash)
