"""What a visitor reads the booking pages' times in: their zone and their clock.

The zone comes from the page's field (a city, country, abbreviation or IANA name, see
``consult.zone_names``), else from the booking being moved, else from the country of
the browser's Accept-Language when it has one clock, else UTC with a prompt to choose.
The clock is the visitor's choice (``?clock=``, then kept in a cookie), else the one
their booking was made on, else the one their language writes
(``consult.timezones.clock_choice``, which the advisor's pages use too). The booking, details and reschedule pages share them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.cache import patch_vary_headers
from django.utils.html import format_html, format_html_join

from consult.timezones import (
    CLOCK_COOKIE,
    accept_language_region,
    timezone_names,
    zone_or_none,
)
from consult.zone_names import (
    ZoneChoice,
    zone_from_region,
    zone_label,
    zone_lookup,
    zone_options,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from zoneinfo import ZoneInfo

    from django.http import HttpRequest, HttpResponse

DEFAULT_TZ = "UTC"
# The visitor's explicit choice of clock, remembered for a year.
CLOCK_COOKIE_SECONDS = 365 * 24 * 3600


@functools.cache
def timezone_datalist() -> str:
    """The ``<datalist>`` behind the time zone fields, built once per process.

    Each zone a country uses is labelled with its city and country, so typing "los"
    or "germ" finds it; the other IANA names follow bare. Rendered through the
    template on every request it was most of the booking page's rendering time.
    """
    labelled = zone_options()
    named = {choice.name for choice in labelled}
    return format_html(
        '<datalist id="timezone-names">{}{}</datalist>',
        format_html_join(
            "",
            '<option value="{}">{}</option>',
            ((c.name, c.label) for c in labelled),
        ),
        format_html_join(
            "",
            '<option value="{}">',
            ((n,) for n in timezone_names() if n not in named),
        ),
    )


@dataclass(frozen=True)
class VisitorZone:
    """The zone a page shows times in, and what the zone field says about it.

    ``value`` is what the field shows; ``error`` and ``choices`` go next to it (an
    unknown name, or a country with several clocks); ``guessed`` when the zone came
    from the browser's language rather than the visitor; ``prompt`` when the page
    fell back to UTC without being asked.
    """

    zone: ZoneInfo
    tz_name: str
    value: str = ""
    place: str = ""
    error: str = ""
    choices: tuple[ZoneChoice, ...] = ()
    given: bool = False
    guessed: bool = False
    prompt: bool = False
    ambiguous: bool = False
    # What the visitor typed, when they typed a zone.
    typed: str = ""


def visitor_zone(
    request: HttpRequest, value: str | None, *, fallback: str = ""
) -> VisitorZone:
    """The zone for ``value`` as typed (a city, country, abbreviation or IANA name).

    Without one: ``fallback`` (the zone a booking was made in), else the zone of the
    country in the browser's Accept-Language when it has one clock, else UTC with a
    prompt to choose (listing the country's zones when it has several). A name it
    cannot place keeps the fallback, says so next to the field and suggests names.
    """
    value = (value or "").strip()[:64]
    if value:
        found = zone_lookup(value)
        zone = zone_or_none(found.zone)
        if found.zone and zone is not None:
            return VisitorZone(
                zone,
                found.zone,
                value=found.zone,
                place=found.place,
                given=True,
                typed=value,
            )
        base = visitor_zone(request, "", fallback=fallback)
        if found.ambiguous:
            error = f"{found.place} has several time zones: choose the one you are in."
        else:
            error = (
                f"We don't know a time zone called “{value}”. Type a city or "
                "country, like Los Angeles or Germany."
            )
        return VisitorZone(
            base.zone,
            base.tz_name,
            value=value,
            place=base.place,
            error=error,
            choices=found.choices,
            given=True,
            ambiguous=found.ambiguous,
            typed=value,
        )
    if fallback and (zone := zone_or_none(fallback)) is not None:
        return VisitorZone(zone, fallback, value=fallback, place=zone_label(fallback))
    guess = zone_from_region(
        accept_language_region(request.headers.get("Accept-Language", ""))
    )
    if guess.zone and (zone := zone_or_none(guess.zone)) is not None:
        return VisitorZone(
            zone, guess.zone, value=guess.zone, place=guess.place, guessed=True
        )
    return VisitorZone(
        zone_or_none(DEFAULT_TZ),
        DEFAULT_TZ,
        choices=guess.choices,
        place=guess.place,
        prompt=True,
        ambiguous=guess.ambiguous,
    )


def zone_choice_links(
    choices: Sequence[ZoneChoice], url: Callable[[str], str]
) -> list[tuple[str, str]]:
    """(label, link) of each zone offered; "Chicago" rather than "Chicago, United
    States" when they are all in one country."""
    suffixes = {choice.label.rpartition(", ")[2] for choice in choices}
    one_country = len(choices) > 1 and len(suffixes) == 1
    return [
        (
            choice.label.rpartition(", ")[0] or choice.label
            if one_country
            else choice.label,
            url(choice.name),
        )
        for choice in choices
    ]


def clock_remember(request: HttpRequest, response: HttpResponse) -> None:
    chosen = request.GET.get("clock", "")
    if chosen in {"12", "24"} and request.COOKIES.get(CLOCK_COOKIE) != chosen:
        response.set_cookie(
            CLOCK_COOKIE,
            chosen,
            max_age=CLOCK_COOKIE_SECONDS,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
