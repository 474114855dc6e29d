"""Times in the admin, written one way everywhere: "Tue 08 Dec 2026 12:30 (Europe/London)".

The same label as the bookings admin's columns (``consult.timezones.short_label``), in
the viewer's zone (a consultant's own in the admin) unless a zone is named.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from consult.timezones import short_label, viewer_label, zone_or_none

if TYPE_CHECKING:
    from datetime import datetime

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
