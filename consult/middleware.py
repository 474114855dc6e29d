"""The project's own request middleware."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from consult.staff import STAFF_TIMEZONE_SESSION_KEY
from consult.timezones import zone_or_none

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, QueryDict


class StaffTimezoneMiddleware:
    """Shows the admin in the signed-in consultant's own time zone (read at sign-in).

    Dates and times, "today" in the date filters and the dashboard's weeks then follow
    the consultant's day rather than UTC's, and times they type into the admin mean
    their wall clock. Staff without a consultant profile, and every public page, keep
    the site's zone: clients see times converted to the zone they chose.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        zone = None
        if request.path.startswith(self.admin_prefix):
            zone = zone_or_none(request.session.get(STAFF_TIMEZONE_SESSION_KEY))
        if zone is None:
            return self.get_response(request)
        with timezone.override(zone):
            return self.get_response(request)


# Date-part lookups the admin's filters and date hierarchy put in the query string,
# with the values a date can have. Anything else reaches the database as a date it
# cannot build (year -1, month 13) and would fail there.
_DATE_PARTS = {
    "year": (1, 9999),
    "iso_year": (1, 9999),
    "month": (1, 12),
    "day": (1, 31),
    "week": (1, 53),
    "week_day": (1, 7),
    "iso_week_day": (1, 7),
    "quarter": (1, 4),
    "hour": (0, 23),
    "minute": (0, 59),
    "second": (0, 59),
}


def _junk_in(query: QueryDict, *, admin: bool) -> str | None:
    """Why this query string cannot be answered, or None."""
    for key, values in query.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return "The address contains a character that is not allowed."
        part = key.rsplit("__", 1)[-1] if admin and "__" in key else None
        if part in _DATE_PARTS:
            low, high = _DATE_PARTS[part]
            for value in values:
                try:
                    number = int(value)
                except ValueError:
                    return f"{key} must be a whole number."
                if not low <= number <= high:
                    return f"{key} must be between {low} and {high}."
    return None


class JunkQueryMiddleware:
    """Answers 400 to a query string no page can use, instead of failing in the database.

    A NUL character anywhere (PostgreSQL refuses it in text), and in the admin a
    date-part filter out of a date's range (``?created_at__year=-1``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        problem = _junk_in(
            request.GET, admin=request.path.startswith(self.admin_prefix)
        )
        if problem is not None:
            return HttpResponseBadRequest(problem, content_type="text/plain")
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """A database that cannot be reached answers 503 with a kind page, not a 500.

    The failure is an outage, not a bug: the log gets one line (the health check and
    the database's own logs say why), the client is asked to come back in a minute,
    and the orchestrator's retry sees a 503 with ``Retry-After``.
    """

    RETRY_AFTER_SECONDS = 30

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning(
            "Database unavailable (%s); answered 503", type(exception).__name__
        )
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response
