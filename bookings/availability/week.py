"""The week of local dates a page of slots shows, kept within the booking horizon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bookings.availability.inputs import require_aware, require_date

if TYPE_CHECKING:
    from datetime import datetime
    from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class ShownWeek:
    """The week a page of slots shows and the bounds of its week navigation.

    Each is the Monday of a week of local dates in the viewer's zone: ``first`` holds
    ``now``, ``last`` the end of the booking horizon, and ``first <= monday <= last``.
    """

    monday: date
    first: date
    last: date


def week_monday(day: date) -> date:
    """The Monday of ``day``'s week; weeks run Monday to Sunday, as ``date.weekday()``."""
    return require_date(day, "day") - timedelta(days=day.weekday())


def week_shown(
    requested: date | None, *, now: datetime, horizon_days: int, zone: ZoneInfo
) -> ShownWeek:
    """The week to show for ``requested`` (any day of it), kept within the horizon.

    Weeks are counted in the viewer's ``zone``. Without a request, the first week; a
    week before ``now`` shows the first week and one past the horizon the last, so
    however the address is edited the page shows a week that can hold free slots.
    """
    now = require_aware(now, "now")
    first = week_monday(now.astimezone(zone).date())
    last = week_monday((now + timedelta(days=horizon_days)).astimezone(zone).date())
    wanted = first if requested is None else week_monday(requested)
    return ShownWeek(monday=min(max(wanted, first), last), first=first, last=last)
