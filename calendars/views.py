"""The private subscription feed, ``/calendar/<token>.ics``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from calendars import selectors
from calendars.subscription import subscription_ics
from consult.http import private_response

if TYPE_CHECKING:
    from django.http import HttpRequest


@require_safe
def subscription_feed(request: HttpRequest, token: str) -> HttpResponse:
    consultant = selectors.subscription_consultant(token)
    if consultant is None:
        raise Http404
    now = timezone.now()
    body = subscription_ics(
        consultant=consultant,
        bookings=selectors.subscription_bookings(consultant=consultant, now=now),
        now=now,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="consult.ics"'
    return private_response(response)
