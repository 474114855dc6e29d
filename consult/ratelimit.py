"""Rate limits for public POSTs, counted in the shared cache.

Fixed windows counted with atomic ``add``/``incr``: with Redis as the cache
(``CACHE_URL``) every web process shares the counts; with the in-memory default
each process counts alone, which is enough on one machine. When the cache cannot
be reached the limits fail open: the request goes through, and the failure is
logged and counted (``consult.cache``). Refusing every client because a counter
is away would turn a Redis outage into a site outage.
"""

import functools
import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from consult.cache import cache_count
from consult.http import client_ip


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """``"10/h"`` -> ten a rolling hour window; units s, m, h, d."""
        count, unit = text.split("/")
        seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
        return cls(int(count), seconds)


def hit(*, scope: str, key: str, rate: Rate) -> tuple[bool, int]:
    """Count one request; return (over the limit, seconds until the window resets).

    Never over the limit while the cache is away (fail open).
    """
    now = time.time()
    window = int(now // rate.seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    count = cache_count(f"ratelimit:{scope}:{digest}:{window}", rate.seconds + 1)
    retry_after = int((window + 1) * rate.seconds - now) + 1
    return count is not None and count > rate.limit, retry_after


def too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = render(
        request,
        "429.html",
        {"retry_minutes": max(1, round(retry_after / 60))},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def ratelimit(
    *,
    scope: str,
    per_ip: str | None = None,
    per_email: str | None = None,
    email_fields: Iterable[str] = ("email", "contact_email"),
    reads_per_ip: str | None = None,
) -> Callable:
    """Limit POSTs to a view by client IP and, when the form names one, by email.

    ``reads_per_ip`` limits GETs (and HEADs) too, for pages whose reading computes
    something costly (free slots over a horizon): generous enough for any person,
    a bound on a script.
    """
    ip_rate = Rate.parse(per_ip) if per_ip else None
    email_rate = Rate.parse(per_email) if per_email else None
    read_rate = Rate.parse(reads_per_ip) if reads_per_ip else None
    fields = tuple(email_fields)

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if settings.RATELIMIT_ENABLED:
                checks = []
                if request.method == "POST":
                    if ip_rate:
                        checks.append(("ip", client_ip(request), ip_rate))
                    if email_rate:
                        for field in fields:
                            email = request.POST.get(field, "").strip().lower()
                            if email:
                                checks.append(("email", email, email_rate))
                elif request.method in {"GET", "HEAD"} and read_rate:
                    checks.append(("read", client_ip(request), read_rate))
                for kind, key, rate in checks:
                    limited, retry_after = hit(
                        scope=f"{scope}:{kind}", key=key, rate=rate
                    )
                    if limited:
                        return too_many(request, retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
