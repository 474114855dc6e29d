"""HTTP helpers the apps' views share."""

from __future__ import annotations

from urllib.parse import urlencode


def query_string(**params: object) -> str:
    """``?a=1&b=2`` of the parameters that have a value, or "" when none has."""
    present = {key: value for key, value in params.items() if value not in {None, ""}}
    # ":" and "/" stay readable in times and zone names (both are legal in a query).
    return f"?{urlencode(present, safe=':/')}" if present else ""
