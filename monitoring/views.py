"""``/metrics``: for the monitoring system only.

Allowed with ``Authorization: Bearer <METRICS_TOKEN>`` when a token is set, or from an
address in ``METRICS_ALLOWED_NETWORKS`` (by default this machine only), the address
being the one the trusted proxies saw (``consult.http.client_ip``).
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_prometheus.exports import ExportToDjangoView

from consult.http import client_ip

if TYPE_CHECKING:
    from django.http import HttpRequest


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if given and hmac.compare_digest(given, token):
            return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse(
            "Metrics are for the monitoring system.",
            status=403,
            content_type="text/plain",
        )
    return ExportToDjangoView(request)
