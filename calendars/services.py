"""Writes of the calendars app: connect feeds, read them, the subscription token.

A read (``feed_sync``) claims the calendar with a conditional update, so two workers never
read the same one at once, fetches it through ``consult.outbound`` (every hop checked, a
deadline, a size cap) with a conditional GET, and hands the busy time of the booking
horizon to ``bookings.services.busy_intervals_replace``. A read that fails keeps the busy
time already stored, records the error for the consultant, and backs off.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bookings import services as booking_services
from bookings.models import BookingPolicy
from calendars import busy
from calendars.crypto import secret_decrypt, secret_encrypt, secrets_rotate_value
from calendars.models import CalendarFeed, CalendarSubscription
from consult import outbound
from consult.enqueue import enqueue, enqueue_on_commit
from consult.tokens import token_new

if TYPE_CHECKING:
    from bookings.models import Consultant

logger = logging.getLogger(__name__)

# A read left claimed this long (its worker died) may be taken over.
CLAIM_TIMEOUT = timedelta(minutes=10)
# Past the horizon as the slot queries read it (bookings.selectors.MARGIN).
WINDOW_MARGIN = timedelta(days=2)
# A "not modified" feed keeps the busy time computed for a window up to this much shorter
# than today's (it still covers the horizon itself); past that it is read whole again,
# so about once a day.
FULL_READ_SLACK = timedelta(days=1)


def feed_url_normal(url: str) -> str:
    """``url`` as it is fetched: webcal:// is https:// by another name."""
    url = url.strip()
    scheme, _, rest = url.partition("://")
    if scheme.lower() in {"webcal", "webcals"}:
        return f"https://{rest}"
    return url


def url_hint(url: str) -> str:
    """The scheme and host of ``url``: enough to recognise it, none of its secret."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}/…"


def feed_url_check(url: str) -> str:
    """The address to store, or ``outbound.UnsafeURL`` with a message for the field."""
    url = feed_url_normal(url)
    try:
        outbound.url_check(url)
    except outbound.OutboundError as exc:
        raise outbound.UnsafeURL(str(exc)) from exc
    return url


def feed_url(feed: CalendarFeed) -> str:
    return secret_decrypt(feed.url_encrypted)


def feed_url_set(feed: CalendarFeed, url: str) -> None:
    """Put ``url`` (already checked) on ``feed``, unsaved; a new address is read afresh."""
    url = feed_url_normal(url)
    feed.url_encrypted = secret_encrypt(url)
    feed.url_hint = url_hint(url)
    feed.etag = feed.last_modified = ""
    feed.covered_until = None
    feed.next_sync_at = None


def feed_save(*, feed: CalendarFeed, url: str | None = None) -> CalendarFeed:
    """Save ``feed`` (from the admin), with a new address if ``url`` is given.

    An inactive feed's busy time goes at once; a new or changed one is read on the next
    scan (``sync_due``), within a minute.
    """
    if url:
        feed_url_set(feed, url)
    with transaction.atomic():
        feed.save()
        if not feed.is_active:
            booking_services.busy_intervals_delete(source=feed.source)
    return feed


def feed_delete(*, feed: CalendarFeed) -> None:
    with transaction.atomic():
        booking_services.busy_intervals_delete(source=feed.source)
        feed.delete()


def _jittered(delay: timedelta) -> timedelta:
    # Calendars connected together would otherwise be read together, for ever.
    return delay * random.uniform(0.8, 1.2)  # noqa: S311 -- spreading load, not a secret


def next_sync_delay(failures: int) -> timedelta:
    """When to read again: the usual interval, or after ``failures`` failed reads in a
    row, 2, 4, 8... minutes up to ``CALENDAR_BACKOFF_MAX_MINUTES``."""
    if not failures:
        return _jittered(timedelta(minutes=settings.CALENDAR_SYNC_MINUTES))
    minutes = min(2**failures, settings.CALENDAR_BACKOFF_MAX_MINUTES)
    return _jittered(timedelta(minutes=minutes))


def sync_window(now: datetime) -> tuple[datetime, datetime]:
    """The stretch of time whose busy time is stored: the booking horizon."""
    horizon = timedelta(days=BookingPolicy.current().horizon_days)
    return now, now + horizon + WINDOW_MARGIN


@dataclass(frozen=True)
class SyncResult:
    ok: bool
    # Whether the stored busy time changed.
    changed: bool = False
    # Another worker was reading it, or it is gone.
    skipped: bool = False
    error: str = ""


def _claim(model: type[CalendarFeed], pk: int, now: datetime) -> bool:
    free = Q(syncing_since__isnull=True) | Q(syncing_since__lt=now - CLAIM_TIMEOUT)
    return bool(
        model.objects.filter(free, pk=pk, is_active=True).update(syncing_since=now)
    )


class FeedError(Exception):
    """A read failed; the message is for the consultant."""


def _fetch_feed(feed: CalendarFeed, *, conditional: bool) -> outbound.Fetched:
    headers = {
        "Accept": "text/calendar, */*;q=0.5",
        "User-Agent": "Consult calendar sync",
    }
    if conditional and feed.etag:
        headers["If-None-Match"] = feed.etag
    if conditional and feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    try:
        fetched = outbound.fetch(
            feed_url_normal(feed_url(feed)),
            headers=headers,
            timeout=settings.CALENDAR_FETCH_TIMEOUT,
            max_bytes=settings.CALENDAR_FEED_MAX_BYTES,
        )
    except (outbound.UnsafeURL, outbound.OutboundError) as exc:
        raise FeedError(str(exc)) from exc
    if fetched.status == 304 and conditional:
        return fetched
    if fetched.status != 200:
        raise FeedError(f"The calendar's server answered with HTTP {fetched.status}.")
    return fetched


def feed_sync(
    *, feed_id: int, now: datetime | None = None, force: bool = False
) -> SyncResult:
    """Read one feed and store its busy time; ``force`` skips the conditional GET."""
    now = now or timezone.now()
    if not _claim(CalendarFeed, feed_id, now):
        return SyncResult(ok=False, skipped=True)
    feed = CalendarFeed.objects.select_related("consultant").get(pk=feed_id)
    start, end = sync_window(now)
    # "Not modified" is only as good as the window last computed.
    conditional = (
        not force
        and feed.covered_until is not None
        and feed.covered_until >= end - FULL_READ_SLACK
    )
    fields = ["syncing_since", "last_attempt_at", "failures", "next_sync_at"]
    feed.syncing_since = None
    feed.last_attempt_at = now
    try:
        fetched = _fetch_feed(feed, conditional=conditional)
        changed = False
        if fetched.status == 200:
            intervals = busy.busy_from_ics(
                fetched.body, zone=feed.consultant.zone, start=start, end=end
            )
            changed = booking_services.busy_intervals_replace(
                consultant_id=feed.consultant_id,
                source=feed.source,
                intervals=intervals,
            )
            feed.etag = fetched.headers.get("etag", "")[:500]
            feed.last_modified = fetched.headers.get("last-modified", "")[:100]
            feed.covered_until = end
            feed.busy_count = len(intervals)
            fields += ["etag", "last_modified", "covered_until", "busy_count"]
    except (FeedError, busy.FeedInvalid) as exc:
        feed.failures += 1
        feed.last_error = str(exc)
        feed.next_sync_at = now + next_sync_delay(feed.failures)
        # The address is a secret: the log names the feed, not where it points.
        logger.warning("Calendar feed %s failed: %s", feed.pk, exc)
        feed.save(update_fields=[*fields, "last_error"])
        return SyncResult(ok=False, error=str(exc))
    feed.failures = 0
    feed.last_error = ""
    feed.last_success_at = now
    feed.next_sync_at = now + next_sync_delay(0)
    feed.save(update_fields=[*fields, "last_error", "last_success_at"])
    return SyncResult(ok=True, changed=changed)


FEED_SYNC_TASK = "calendars.feed_sync"


def feed_sync_now(*, feed: CalendarFeed) -> None:
    """ "Sync now" in the admin: read it straight away, backoff or not."""
    CalendarFeed.objects.filter(pk=feed.pk).update(next_sync_at=None)
    enqueue_on_commit(
        FEED_SYNC_TASK,
        kwargs={"feed_id": feed.pk},
        about=f"Calendar feed {feed.pk}",
        if_lost="read at the next scan",
    )


def syncs_due(*, now: datetime | None = None) -> int:
    """Queue a read of every active calendar that is due; the beat scan."""
    now = now or timezone.now()
    due = (
        Q(is_active=True)
        & (Q(next_sync_at__isnull=True) | Q(next_sync_at__lte=now))
        & (Q(syncing_since__isnull=True) | Q(syncing_since__lt=now - CLAIM_TIMEOUT))
    )
    feed_ids = list(CalendarFeed.objects.filter(due).values_list("pk", flat=True))
    # Not due again before a worker had time to take it: the next scans do not pile
    # copies of a read the broker still holds.
    CalendarFeed.objects.filter(pk__in=feed_ids).update(
        next_sync_at=now + CLAIM_TIMEOUT
    )
    for feed_id in feed_ids:
        enqueue(
            FEED_SYNC_TASK,
            kwargs={"feed_id": feed_id},
            about=f"Calendar feed {feed_id}",
            if_lost="read at the next scan",
            expires=300,
        )
    return len(feed_ids)


def subscription_rotate(*, consultant: Consultant) -> str:
    """A new private subscription address for ``consultant``; the old one stops working.

    Returns the token, which is shown once: only its hash is kept.
    """
    token, hashed = token_new()
    CalendarSubscription.objects.update_or_create(
        consultant=consultant, defaults={"token_hash": hashed}
    )
    return token


def secrets_rotate() -> int:
    """Encrypt every stored secret again under the first key; returns how many rows."""
    count = 0
    with transaction.atomic():
        for feed in CalendarFeed.objects.select_for_update().only("url_encrypted"):
            feed.url_encrypted = secrets_rotate_value(feed.url_encrypted)
            feed.save(update_fields=["url_encrypted"])
            count += 1
    return count
