"""HTTP helpers the apps' views share: the client's address, the headers of private
pages, query strings."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


def client_ip(request: HttpRequest) -> str:
    """The client's address, as the proxies this site trusts saw it.

    Each trusted proxy appends the address it received the request from to
    X-Forwarded-For, so with N of them in front (``TRUSTED_PROXIES``) the client's
    address is the N-th from the right; anything left of it was written by the
    client and is ignored. Without trusted proxies the header is not read at all.
    The rate limits and the login lockout (django-axes) both use this function.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXIES
    if trusted <= 0:
        return remote
    hops = [
        hop.strip()
        for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if hop.strip()
    ]
    if len(hops) < trusted:
        return remote
    candidate = hops[-trusted]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


# Pages reached through a private link: the address is the credential. Pages with a POST
# form use SAME_ORIGIN: under no-referrer browsers send "Origin: null", which CSRF
# protection rightly refuses, and same-origin still keeps the address on this site.
NO_REFERRER = "no-referrer"
SAME_ORIGIN = "same-origin"


def private_response(
    response: HttpResponse, *, referrer_policy: str = NO_REFERRER
) -> HttpResponse:
    """``response`` kept out of caches, search engines and other sites' Referer logs."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = referrer_policy
    return response


def query_string(**params: object) -> str:
    """``?a=1&b=2`` of the parameters that have a value, or "" when none has."""
    present = {key: value for key, value in params.items() if value not in {None, ""}}
    # ":" and "/" stay readable in times and zone names (both are legal in a query).
    return f"?{urlencode(present, safe=':/')}" if present else ""
