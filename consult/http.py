"""HTTP helpers the apps' views share: the headers of private pages, query strings."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    from django.http import HttpResponse

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
