"""Dates and times in templates, through ``consult.timezones`` only.

Templates never use ``|date`` or ``|time`` (a test holds them to it): ``viewer_time``
writes an instant for the admin ("Tue 08 Dec 2026 12:30 (Europe/London)", the viewer's
zone unless one is named), ``short_date`` a day there ("Tue 08 Dec 2026"), ``utc_time``
the same instant in UTC (a tooltip), ``date_label`` a date for clients ("5 March 2026"),
and ``iso`` the machine-readable value of a ``<time datetime>`` attribute.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django import template
from django.utils import timezone

from consult import timezones
from consult.timezones import short_label, viewer_label, zone_or_none

if TYPE_CHECKING:
    from datetime import date

register = template.Library()


@register.filter
def viewer_time(value: datetime | None, zone_name: str = "") -> str:
    """``value`` in ``zone_name`` if given and known, else the viewer's zone."""
    if value is None:
        return ""
    zone = zone_or_none(zone_name)
    if zone is None:
        return viewer_label(value)
    return short_label(value, zone, zone_name)


@register.filter
def utc_time(value: datetime | None) -> str:
    """``value`` in UTC, named: "Tue 08 Dec 2026 12:30 (UTC)"."""
    return "" if value is None else timezones.utc_label(value)


@register.filter
def iso(value: datetime | None) -> str:
    """ISO 8601 with the offset, for machines: a ``<time datetime>`` attribute."""
    return "" if value is None else value.isoformat()


@register.filter
def short_date(value: date | datetime | None) -> str:
    """Like "Tue 08 Dec 2026": a day in the admin (an instant's, in the viewer's zone)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return timezones.short_date_label(value)


@register.filter
def date_label(value: date | None) -> str:
    """Like "5 March 2026": a date for clients (prices as of, submitted on)."""
    return "" if value is None else timezones.date_label(value)
