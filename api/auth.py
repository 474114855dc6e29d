"""Who is calling: a staff API token in ``Authorization: Bearer``, counted against its
own rate limit (``API_TOKEN_RATE``) in the shared cache."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from ninja.security import HttpBearer

from api.services import api_token_authenticate
from consult.ratelimit import Rate, hit

if TYPE_CHECKING:
    from django.http import HttpRequest

    from api.models import ApiToken


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def rate_check(*, scope: str, key: str, rate: str) -> None:
    """Raise ``RateLimited`` past ``rate``; never while the cache is away."""
    if not settings.RATELIMIT_ENABLED:
        return
    limited, retry_after = hit(scope=scope, key=key, rate=Rate.parse(rate))
    if limited:
        raise RateLimited(retry_after)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = api_token_authenticate(secret=token)
        if found is None:
            return None
        rate_check(scope="api:token", key=str(found.pk), rate=settings.API_TOKEN_RATE)
        return found
