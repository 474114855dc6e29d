"""Private links: a random token in the URL, only its hash in the database.

A leaked database dump gives no working links, and a lookup by hash plus a
constant-time comparison gives away nothing through timing.
"""

import hashlib
import hmac
import logging
import re
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


# Where a private token appears in a URL: the assessment's and the booking's pages, a
# result's read-only share page, the booking page's link back to an assessment (also in
# a bare query string) and a consultant's calendar subscription. Shorter segments
# ("resume") are not tokens and stay readable.
_PRIVATE_LINK = re.compile(
    r"(/assess/shared/|/assess/|/book/manage/|/book/confirmed/|/calendar/|(?:^|[?&])assessment=)"
    r"[A-Za-z0-9_-]{20,}"
)
MASK = "[private]"


def private_links_masked(text: str) -> str:
    """``text`` with every private token in it replaced, for logs."""
    return _PRIVATE_LINK.sub(rf"\g<1>{MASK}", text)


class PrivateLinkFilter(logging.Filter):
    """Masks private tokens in log lines (Django logs every 4xx with its path).

    Logs are kept and shared more widely than the database, which holds only hashes.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = private_links_masked(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True
