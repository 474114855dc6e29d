"""The project's own request middleware."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone

from consult.staff import STAFF_TIMEZONE_SESSION_KEY
from consult.timezones import zone_or_none

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse


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
