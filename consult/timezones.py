"""Time zones by name, and times written out for people: pages, emails and the admin.

The labels here go through ``clock_label``, so the hour that repeats when clocks go back
says which of its two instants it means. Pages, emails and the bookings admin use them;
the admin's dashboard and prep sheet still format dates with template filters.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from django.utils import dateformat, timezone
from django.utils.translation.trans_real import parse_accept_lang_header

if TYPE_CHECKING:
    from datetime import date, datetime


@functools.cache
def timezone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def zone_or_none(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The zone called ``name`` if it is a known IANA name, else None (never raises)."""
    if not name or name not in timezone_names():
        return None
    return zoneinfo.ZoneInfo(name)


def _accepted_locales(accept_language: str) -> list[Locale]:
    """The locales of an Accept-Language header that CLDR knows, preferred first."""
    locales = []
    for tag, _quality in parse_accept_lang_header(accept_language[:500])[:8]:
        if tag == "*":
            continue
        try:
            locales.append(Locale.parse(tag, sep="-"))
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    return locales


# Headers vary without end: a bounded cache, for the few that most visitors send.
@functools.lru_cache(maxsize=512)
def prefers_12_hour_clock(accept_language: str) -> bool:
    """Whether the visitor's first known language writes times "9:30 AM" (CLDR).

    en-US, en-CA, en-AU, en-IN, hi... do; en-GB, de, fr, ja... write "09:30" or
    "9:30". No known language: the 24-hour clock, read everywhere.
    """
    for locale in _accepted_locales(accept_language):
        pattern = re.sub(r"'[^']*'", "", locale.time_formats["short"].pattern)
        return "h" in pattern or "K" in pattern
    return False


@functools.lru_cache(maxsize=512)
def accept_language_region(accept_language: str) -> str | None:
    """The country of the visitor's first language that names one ("en-GB": "GB")."""
    for locale in _accepted_locales(accept_language):
        if locale.territory and locale.territory.isalpha():
            return str(locale.territory)
    return None


def clock_label(local: datetime, *, hour12: bool = False) -> str:
    """``local``'s time of day, like "09:30", or "9:30 AM" with ``hour12``.

    In the hour repeated when clocks go back each time of day names two instants, so
    there it says which: "01:30 EDT", then "01:30 EST". Everywhere else it stays bare.
    """
    if hour12:
        label = (
            f"{(local.hour % 12) or 12}:{local:%M} {'AM' if local.hour < 12 else 'PM'}"
        )
    else:
        label = f"{local:%H:%M}"
    other = local.replace(fold=1 - local.fold)
    if other.utcoffset() == local.utcoffset():
        return label
    if other.tzname() == local.tzname():
        # A zone that keeps its abbreviation when the offset changes.
        return f"{label} UTC{local:%:z}"
    return f"{label} {local:%Z}"


def day_label(day: date, *, year: bool = False) -> str:
    """Like "Thursday 3 December", or "Thursday 3 December 2026" with ``year``."""
    return dateformat.format(day, "l j F Y" if year else "l j F")


def label_at(day: str, clock: str, tz_name: str) -> str:
    """``start_label`` from its parts, for a caller that labels many times of one day."""
    return f"{day}, {clock} ({tz_name})"


def start_label(
    start: datetime,
    zone: zoneinfo.ZoneInfo,
    tz_name: str,
    *,
    year: bool = True,
    hour12: bool = False,
) -> str:
    """Like "Thursday 3 December 2026, 18:30 (Asia/Tokyo)"; the slot picker omits the year."""
    local = start.astimezone(zone)
    return label_at(
        day_label(local.date(), year=year), clock_label(local, hour12=hour12), tz_name
    )


def when_label(
    start: datetime,
    end: datetime,
    zone: zoneinfo.ZoneInfo,
    tz_name: str,
    *,
    hour12: bool = False,
) -> str:
    """Like "Thursday 3 December 2026, 09:30-10:00 (Asia/Tokyo)", with an en dash."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    clocks = (
        f"{clock_label(local_start, hour12=hour12)}"
        f"\u2013{clock_label(local_end, hour12=hour12)}"
    )
    return label_at(day_label(local_start.date(), year=True), clocks, tz_name)


def short_label(value: datetime, zone: zoneinfo.ZoneInfo, tz_name: str) -> str:
    """Like "Thu 03 Dec 2026 09:30 (Europe/London)": a column of the admin's lists."""
    local = value.astimezone(zone)
    return (
        f"{dateformat.format(local.date(), 'D d M Y')} {clock_label(local)} ({tz_name})"
    )


def viewer_label(value: datetime) -> str:
    """``short_label`` in the viewer's zone (a consultant's own in the admin), named.

    The one way the admin writes an instant: lists, pages, notes and the dashboard.
    """
    return short_label(
        value, timezone.get_current_timezone(), timezone.get_current_timezone_name()
    )
