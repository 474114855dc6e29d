"""Time zones by name, and the one place dates and times are written out for people.

Pages, emails, the PDF and the admin all write an instant through here. ``Times`` (a
reader's zone and 12- or 24-hour clock) gives clients' labels: the day, the time, the
"when" range and the zone's name ("Los Angeles time (PST)"), said once per email or
page, after the first time. The admin's are the short ones (``short_label``,
``viewer_label``: "Tue 08 Dec 2026 12:30 (Europe/London)"); ``date_label`` writes a
date with no time ("5 March 2026"), the PDF's included (its selector writes them, the
PDF importing no Django). Times go through ``clock_label``, so the hour that repeats
when clocks go back says which of its two instants it means. Templates use the
``consult_time`` filters, never ``|date`` or ``|time``; the API, webhooks, CSV exports
and calendar files keep ISO 8601 or UTC.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import get_timezone_location
from django.utils import dateformat, timezone
from django.utils.translation.trans_real import parse_accept_lang_header

if TYPE_CHECKING:
    from datetime import date, datetime, time

    from django.http import HttpRequest


_UTC = zoneinfo.ZoneInfo("UTC")


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


def _writes_12_hour(locale: Locale) -> bool:
    pattern = re.sub(r"'[^']*'", "", locale.time_formats["short"].pattern)
    return "h" in pattern or "K" in pattern


# Headers vary without end: a bounded cache, for the few that most visitors send.
@functools.lru_cache(maxsize=512)
def prefers_12_hour_clock(accept_language: str) -> bool:
    """Whether the visitor's first known language writes times "9:30 AM" (CLDR).

    en-US, en-CA, en-AU, en-IN, hi... do; en-GB, de, fr, ja... write "09:30" or
    "9:30". No known language: the 24-hour clock, read everywhere.
    """
    for locale in _accepted_locales(accept_language):
        return _writes_12_hour(locale)
    return False


# The visitor's explicit choice of clock ("12" or "24"): bookings.visitor keeps it.
CLOCK_COOKIE = "clock"


@dataclass(frozen=True)
class ClockChoice:
    hour12: bool
    # "12" or "24" when the visitor chose, "" when read from their language.
    chosen: str


def clock_choice(request: HttpRequest, *, booked: bool | None = None) -> ClockChoice:
    """12- or 24-hour: the visitor's choice (this request's, else remembered), else
    the one their booking was made on (``booked``), else what their browser's
    language writes."""
    for chosen in (request.GET.get("clock", ""), request.COOKIES.get(CLOCK_COOKIE, "")):
        if chosen in {"12", "24"}:
            return ClockChoice(chosen == "12", chosen)
    if booked is not None:
        return ClockChoice(booked, "")
    return ClockChoice(
        prefers_12_hour_clock(request.headers.get("Accept-Language", "")), ""
    )


def _zone_territory(tz_name: str) -> str | None:
    """The country a zone is in (CLDR), None for UTC and the Etc/ offsets."""
    territory = get_global("zone_territories").get(tz_name)
    if not territory or not territory.isalpha() or territory == "ZZ":
        return None
    return str(territory)


@functools.cache
def zone_prefers_12_hour(tz_name: str) -> bool:
    """Whether a zone's country mostly writes "9:30 AM": its likeliest language's clock.

    For someone whose browser never told us (a consultant, a booking made before the
    clock was kept): America/Los_Angeles is en-US, 12-hour; Europe/Berlin is de-DE
    and Asia/Tokyo ja-JP, 24-hour; Asia/Kolkata is hi-IN, 12-hour. UTC and the Etc/
    offsets belong to no country: the 24-hour clock.
    """
    territory = _zone_territory(tz_name)
    if territory is None:
        return False
    try:
        return _writes_12_hour(Locale.parse(f"und_{territory}"))
    except (UnknownLocaleError, ValueError):
        return False


@functools.lru_cache(maxsize=512)
def accept_language_region(accept_language: str) -> str | None:
    """The country of the visitor's first language that names one ("en-GB": "GB")."""
    for locale in _accepted_locales(accept_language):
        if locale.territory and locale.territory.isalpha():
            return str(locale.territory)
    return None


def time_label(value: time | datetime, *, hour12: bool = False) -> str:
    """A time of day, like "09:30", or "9:30 AM" with ``hour12`` (no zone)."""
    if hour12:
        return (
            f"{(value.hour % 12) or 12}:{value:%M} {'AM' if value.hour < 12 else 'PM'}"
        )
    return f"{value:%H:%M}"


def clock_label(local: datetime, *, hour12: bool = False) -> str:
    """``local``'s time of day, like "09:30", or "9:30 AM" with ``hour12``.

    In the hour repeated when clocks go back each time of day names two instants, so
    there it says which: "01:30 EDT", then "01:30 EST". Everywhere else it stays bare.
    """
    label = time_label(local, hour12=hour12)
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


def date_label(day: date) -> str:
    """Like "5 March 2026": a date with no time of day (prices as of, submitted on).

    Plain Python, no settings: the PDF is laid out with it too.
    """
    return f"{day.day} {day:%B %Y}"


def short_date_label(day: date) -> str:
    """Like "Tue 08 Dec 2026": a day in the admin's lists and pages."""
    return dateformat.format(day, "D d M Y")


def _stamp_label(local: datetime, *, hour12: bool = False) -> str:
    return f"{short_date_label(local.date())} {clock_label(local, hour12=hour12)}"


def utc_offset_label(local: datetime) -> str:
    """Like "UTC+05:30" or "UTC-03:00"; "UTC" at no offset."""
    if not local.utcoffset():
        return "UTC"
    return f"UTC{local:%:z}"


def zone_abbreviation(local: datetime) -> str:
    """The zone's letters at ``local`` ("PST", "CEST", "IST"), else its offset."""
    letters = local.tzname() or ""
    return letters if letters.isalpha() else utc_offset_label(local)


@functools.cache
def _zone_city(tz_name: str) -> str:
    if _zone_territory(tz_name) is None:
        return ""
    return str(get_timezone_location(tz_name, locale="en", return_city=True))


def zone_name_label(tz_name: str, local: datetime | None = None) -> str:
    """Like "Los Angeles time (PST)" or "Chatham Islands time (UTC+13:45)"; "UTC".

    Without ``local``, for a list of instants on both sides of a clock change, the
    zone's letters are left out: "Los Angeles time".
    """
    city = _zone_city(tz_name)
    if city and local is None:
        return f"{city} time"
    abbreviation = zone_abbreviation(
        local or timezone.now().astimezone(zoneinfo.ZoneInfo(tz_name))
    )
    return f"{city} time ({abbreviation})" if city else abbreviation


@dataclass(frozen=True)
class Times:
    """How one reader reads instants: in their zone, on their 12- or 24-hour clock.

    Every label a person reads is made here. The labels leave the zone out; a page or
    email names it once with ``zone_label`` (or ``zoned``, after its first time),
    since "09:30 (Europe/Berlin)" on every line is noise and one line without it
    reads as if in another zone.
    """

    zone: zoneinfo.ZoneInfo
    tz_name: str
    hour12: bool = False

    @classmethod
    def of(cls, tz_name: str, *, hour12: bool | None = None) -> Times:
        """``tz_name``'s times, UTC for an unknown name (never raises); the clock
        people there use unless ``hour12`` says."""
        zone = zone_or_none(tz_name)
        if zone is None:
            zone, tz_name = zoneinfo.ZoneInfo("UTC"), "UTC"
        if hour12 is None:
            hour12 = zone_prefers_12_hour(tz_name)
        return cls(zone, tz_name, hour12)

    def local(self, value: datetime) -> datetime:
        return value.astimezone(self.zone)

    def time(self, value: datetime) -> str:
        """Like "9:30 AM" or "09:30"."""
        return clock_label(self.local(value), hour12=self.hour12)

    def day(self, value: datetime, *, year: bool = True) -> str:
        """Like "Thursday 3 December 2026", the local day of ``value``."""
        return day_label(self.local(value).date(), year=year)

    def start(self, value: datetime, *, year: bool = True) -> str:
        """Like "Thursday 3 December 2026, 9:30 AM"."""
        return f"{self.day(value, year=year)}, {self.time(value)}"

    def when(self, start: datetime, end: datetime) -> str:
        """Like "Thursday 3 December 2026, 9:30 AM\u201310:00 AM", with an en dash."""
        return f"{self.day(start)}, {self.time(start)}\u2013{self.time(end)}"

    def zone_label(self, at: datetime | None = None) -> str:
        """Like "Los Angeles time (PST)", the zone's letters at ``at``; without it
        "Los Angeles time"."""
        return zone_name_label(self.tz_name, self.local(at) if at else None)

    def zoned(self, label: str, at: datetime) -> str:
        """``label`` with the zone after it: "..., 9:30 AM Los Angeles time (PST)"."""
        return f"{label} {self.zone_label(at)}"

    def heading(self, at: datetime | None = None) -> str:
        """Like "All times in Los Angeles time.": a page's one zone line (with the
        zone's letters when every time on it is near ``at``)."""
        return f"All times in {self.zone_label(at)}."


def label_at(day: str, clock: str, tz_name: str) -> str:
    """``start_label`` from its parts, for a caller that labels many times of one day.

    The slot picker's labels: each free time is a link a screen reader reads alone,
    so each names its zone; the picker's visible times are bare (``Times.time``).
    """
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
    times = Times(zone, tz_name, hour12)
    return label_at(times.day(start, year=year), times.time(start), tz_name)


def short_label(value: datetime, zone: zoneinfo.ZoneInfo, tz_name: str) -> str:
    """Like "Thu 03 Dec 2026 09:30 (Europe/London)": a column of the admin's lists."""
    return f"{_stamp_label(value.astimezone(zone))} ({tz_name})"


def utc_label(value: datetime) -> str:
    """``short_label`` in UTC: "Tue 08 Dec 2026 12:30 (UTC)", for comparing zones."""
    return short_label(value, _UTC, "UTC")


def utc_range_label(start: datetime, end: datetime) -> str:
    """Like "Mon 01 Mar 2027 00:00 to Mon 01 Mar 2027 08:00 (UTC)": a record's name,
    which is written once and read by people in any zone."""
    return (
        f"{_stamp_label(start.astimezone(_UTC))} to "
        f"{_stamp_label(end.astimezone(_UTC))} (UTC)"
    )


def viewer_label(value: datetime) -> str:
    """``short_label`` in the viewer's zone (a consultant's own in the admin), named.

    The one way the admin writes an instant: lists, pages, notes and the dashboard.
    """
    return short_label(
        value, timezone.get_current_timezone(), timezone.get_current_timezone_name()
    )
