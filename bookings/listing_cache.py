"""The booking page's slot listing, cached, and what makes a cached listing stale.

The consultant choices and the week of slots are rendered once per availability
version, zone, week and consultant, and kept in the shared cache and in each process's
``process`` cache alias. Every cache key carries the version's token, so replacing the
version (``availability_changed``: on every booking change and, through
``signals_connect``, every save or delete of a model that shapes availability) makes
every cached listing stale at once; a version lives ``AVAILABILITY_VERSION_SECONDS`` at
most, for the changes that skip both.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from bookings import availability, selectors
from bookings.forms import parse_consultant_id
from bookings.models import (
    Booking,
    BookingPolicy,
    Consultant,
    DateOverride,
    TimeOff,
    WeeklyHours,
)
from bookings.weeks import week_page
from consult.cache import cache_delete, cache_get, cache_set
from consult.http import query_string

if TYPE_CHECKING:
    from datetime import date, datetime
    from zoneinfo import ZoneInfo


# --- the version ------------------------------------------------------------------------

# The cache holds the version as a plain tuple, never an instance of a class of this
# code: processes of two releases share the cache during a deploy, and an object whose
# class moved or changed would fail to unpickle in the other one. A change of the
# tuple's shape takes a new key ("-2" since the class moved out of bookings.selectors).
AVAILABILITY_VERSION_KEY = "bookings:availability-version-2"
# A version lives this long at most; every booking and availability change replaces it
# sooner (``availability_changed``). Changes that skip the models' signals (bulk
# edits, slots passing their notice period) show within this time.
AVAILABILITY_VERSION_SECONDS = 30


@dataclass(frozen=True)
class AvailabilityVersion:
    """Names one state of bookings and availability, and what the booking page checks.

    Cached slot listings carry ``token`` in their keys. ``consultant_ids`` (active) and
    ``horizon_days`` let the page reduce its query to a few checked values first.
    """

    token: str
    consultant_ids: frozenset[int]
    horizon_days: int

    def cached(self) -> tuple[str, tuple[int, ...], int]:
        return (self.token, tuple(sorted(self.consultant_ids)), self.horizon_days)

    @classmethod
    def from_cached(cls, value: object) -> AvailabilityVersion | None:
        """The version ``cached()`` wrote, or None for anything else under the key."""
        match value:
            case (str() as token, tuple() as ids, int() as horizon_days) if all(
                isinstance(pk, int) for pk in ids
            ):
                return cls(token, frozenset(ids), horizon_days)
        return None


def _availability_version_new() -> AvailabilityVersion:
    return AvailabilityVersion(
        token=secrets.token_hex(8),
        consultant_ids=frozenset(
            Consultant.objects.filter(is_active=True).values_list("pk", flat=True)
        ),
        horizon_days=BookingPolicy.current().horizon_days,
    )


def availability_version() -> AvailabilityVersion:
    """The current version; a fresh one (so nothing cached is trusted) when the shared
    cache is missing it, holds another release's value, or cannot be reached."""
    version = AvailabilityVersion.from_cached(cache_get(AVAILABILITY_VERSION_KEY))
    if version is None:
        version = _availability_version_new()
        cache_set(
            AVAILABILITY_VERSION_KEY, version.cached(), AVAILABILITY_VERSION_SECONDS
        )
    return version


def availability_changed(**kwargs) -> None:
    """Make every cached slot listing stale, now and again once this change commits.

    Now, so that the next read in this process sees the change; after the commit too,
    because another request may meanwhile have cached a listing, under the new
    version, from the rows as they were before it. Also called on every save and
    delete of a model that shapes availability (``signals_connect``), for the admin's
    edits.
    """
    cache_delete(AVAILABILITY_VERSION_KEY)
    transaction.on_commit(lambda: cache_delete(AVAILABILITY_VERSION_KEY))


# Saves and deletes of these, from the admin or the services, change what the listing
# shows; updates through querysets call availability_changed themselves.
AVAILABILITY_MODELS = (
    Booking,
    BookingPolicy,
    Consultant,
    DateOverride,
    TimeOff,
    WeeklyHours,
)


def signals_connect() -> None:
    """Renew the version on every save and delete of a model that shapes availability."""
    for model in AVAILABILITY_MODELS:
        for event, signal in (("saved", post_save), ("deleted", post_delete)):
            signal.connect(
                availability_changed,
                sender=model,
                dispatch_uid=f"availability-changed-{event}-{model.__name__}",
            )


# --- the listing ------------------------------------------------------------------------

# Stands in the cached listing's links for the client's assessment link, which is
# filled in per request: cached per client, listings would let anyone fill the cache.
ASSESSMENT_HOLE = "assessment-link-goes-here"


def listing_get(  # noqa: PLR0913 -- keyword-only; what the listing shows
    *,
    zone: ZoneInfo,
    tz_name: str,
    requested_week: date | None,
    raw_consultant: str,
    assessment: str,
    hour12: bool = False,
    all_times: bool = False,
    clock: str = "",
) -> dict:
    """The consultant choices and the week of the booking page, rendered, from the cache.

    ``hour12`` and ``all_times`` say how the week shows (12-hour clock, early and late
    times too); ``clock`` ("12", "24" or "") is the visitor's explicit choice of
    clock, kept in the page's links.

    Every client asking for the same week, zone and consultant gets the same listing
    until the availability version changes (at most 30 s); computing and rendering it
    was most of the page's cost. The booking form checks its slot again. The key is
    made of checked values only (a known zone, a week within the horizon, an active
    consultant or "unknown"), so however the query string is varied the cache holds
    a few entries.
    """
    clock = clock if clock in {"12", "24"} else ""
    now = timezone.now()
    version = availability_version()
    consultant_id = parse_consultant_id(raw_consultant)
    if raw_consultant in {"", "any"}:
        consultant_key = "any"
    elif (
        str(consultant_id) == raw_consultant and consultant_id in version.consultant_ids
    ):
        consultant_key = raw_consultant
    else:
        # Only the exact value the page writes names a consultant; anything else is
        # everyone, with a notice.
        consultant_id, consultant_key = None, "unknown"
    week = None
    if requested_week is not None:
        week = availability.week_shown(
            requested_week, now=now, horizon_days=version.horizon_days, zone=zone
        ).monday
    key = (
        f"bookings:listing:{version.token}:{tz_name}:"
        f"{week.isoformat() if week else 'first'}:{consultant_key}:"
        f"{'12' if hour12 else '24'}:{'all' if all_times else 'day'}:{clock}"
    )
    # This process's copy first: the shared cache costs a round trip and a 50 kB
    # transfer. Both are keyed by the version, so neither can serve a stale week.
    listing = caches["process"].get(key)
    if listing is None:
        listing = cache_get(key)
        if listing is None:
            listing = _listing_build(
                zone=zone,
                tz_name=tz_name,
                requested_week=week,
                consultant_id=consultant_id,
                raw_consultant=raw_consultant,
                now=now,
                hour12=hour12,
                all_times=all_times,
                clock=clock,
            )
            cache_set(key, listing, AVAILABILITY_VERSION_SECONDS)
        caches["process"].set(key, listing, AVAILABILITY_VERSION_SECONDS)
    hole = "&amp;" + urlencode({"assessment": ASSESSMENT_HOLE})
    filled = (
        "&amp;" + escape(urlencode({"assessment": assessment}, safe=":/"))
        if assessment
        else ""
    )
    # The cached markup, with the escaped link in place of the hole.
    week_html = mark_safe(listing["week_html"].replace(hole, filled))  # noqa: S308
    return {**listing, "week_html": week_html}


def _listing_build(  # noqa: PLR0913 -- keyword-only; see listing_get
    *,
    zone: ZoneInfo,
    tz_name: str,
    requested_week: date | None,
    consultant_id: int | None,
    raw_consultant: str,
    now: datetime,
    hour12: bool,
    all_times: bool,
    clock: str,
) -> dict:
    found = selectors.week_opened(
        lambda week: selectors.availability_week_get(
            zone=zone, week=week, consultant_id=consultant_id, now=now
        ),
        requested=requested_week,
        zone=zone,
    )
    consultants = found.consultants

    notices = []
    consultant = None
    if raw_consultant not in {"", "any"}:
        consultant = next((c for c in consultants if str(c.pk) == raw_consultant), None)
        if consultant is None:
            notices.append(
                "That consultant isn't taking bookings at the moment, "
                "so we're showing times with any consultant."
            )
    consultant_value = str(consultant.pk) if consultant else "any"

    details_url = reverse("bookings:details")

    def slot_url(value: str) -> str:
        return details_url + query_string(
            start=value,
            consultant=consultant_value,
            tz=tz_name,
            assessment=ASSESSMENT_HOLE,
        )

    def page_url(week: date, *, times: bool = all_times, chosen: str = clock) -> str:
        return reverse("bookings:book") + query_string(
            consultant=consultant_value,
            tz=tz_name,
            week=week.isoformat(),
            times="all" if times else "",
            clock=chosen,
            assessment=ASSESSMENT_HOLE,
        )

    def week_url(week: date) -> str:
        return page_url(week)

    week = week_page(
        week=found.week,
        slots=found.slots,
        next_slot=found.next_slot,
        first_week=found.first_week,
        last_week=found.last_week,
        zone=zone,
        tz_name=tz_name,
        slot_url=slot_url,
        week_url=week_url,
        hour12=hour12,
        all_times=all_times,
    )
    toggles = {
        "all_times": page_url(found.week, times=True),
        "daytime": page_url(found.week, times=False),
        "clock12": page_url(found.week, chosen="12"),
        "clock24": page_url(found.week, chosen="24"),
    }
    # Rendered here, so that the cache holds markup rather than models and slots.
    return {
        "consultant_value": consultant_value,
        "notices": notices,
        "meeting_minutes": found.policy.meeting_minutes,
        "consultants_html": render_to_string(
            "bookings/_consultant_choices.html",
            {"consultants": consultants, "consultant_value": consultant_value},
        ),
        "week_html": render_to_string(
            "bookings/_week.html",
            {"week": week, "tz_name": tz_name, "toggles": toggles},
        ),
    }
