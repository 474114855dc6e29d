"""The seven local dates a page of slots shows, kept within the booking horizon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bookings.availability.inputs import require_aware, require_date

if TYPE_CHECKING:
    from datetime import datetime
    from zoneinfo import ZoneInfo

WEEK_DAYS = 7


@dataclass(frozen=True, slots=True)
class ShownWeek:
    """The seven days a page of slots shows and the bounds of its week navigation.

    Each is a local date in the viewer's zone: ``start`` is the first day shown,
    ``first`` is today (no page shows a day already gone) and ``last`` the latest
    first day whose seven days end with the last day of the booking horizon, so
    ``first <= start <= last``. A week starts on any weekday: the page opens on the
    days that can hold free times rather than on a Monday.
    """

    start: date
    first: date
    last: date

    @property
    def monday(self) -> date:
        """``start``, under the name it had when shown weeks began on a Monday."""
        return self.start

    @property
    def earlier(self) -> date | None:
        """The first day of the seven days before, or None at today's week."""
        if self.start <= self.first:
            return None
        return max(self.start - timedelta(days=WEEK_DAYS), self.first)

    @property
    def later(self) -> date | None:
        """The first day of the seven days after, or None at the horizon's week."""
        if self.start >= self.last:
            return None
        return min(self.start + timedelta(days=WEEK_DAYS), self.last)


def week_monday(day: date) -> date:
    """The Monday of ``day``'s week; weeks run Monday to Sunday, as ``date.weekday()``."""
    return require_date(day, "day") - timedelta(days=day.weekday())


def week_shown(
    requested: date | None, *, now: datetime, horizon_days: int, zone: ZoneInfo
) -> ShownWeek:
    """The seven days from ``requested``, kept within today and the horizon.

    Days are counted in the viewer's ``zone``. Without a request, the seven days from
    today; a day before today starts at today and one too close to the end of the
    horizon at ``last``, so however the address is edited the page shows days that
    can hold free slots.
    """
    now = require_aware(now, "now")
    first = now.astimezone(zone).date()
    horizon_end = (now + timedelta(days=horizon_days)).astimezone(zone).date()
    last = max(first, horizon_end - timedelta(days=WEEK_DAYS - 1))
    wanted = first if requested is None else require_date(requested, "requested")
    return ShownWeek(start=min(max(wanted, first), last), first=first, last=last)
