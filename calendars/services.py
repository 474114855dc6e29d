"""Writes of the calendars app: connect feeds, read them, the subscription token.

A read (``feed_sync``) claims the calendar with a conditional update, so two workers never
read the same one at once, fetches it through ``consult.outbound`` (every hop checked, a
deadline, a size cap) with a conditional GET, and hands the busy time of the booking
horizon to ``bookings.services.busy_intervals_replace``. A read that fails keeps the busy
time already stored, records the error for the consultant, and backs off.
"""

from __future__ import annotations

import contextlib
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import requests
from caldav.lib import error as caldav_errors
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from icalendar import Calendar as ICalendar

from bookings import services as booking_services
from bookings.enums import BookingStatus
from bookings.ics import booking_uid
from bookings.models import Booking, BookingPolicy
from calendars import busy
from calendars.caldav_client import (
    CalDAVError,
    caldav_client,
    calendar_at,
    calendar_ctag,
    calendars_of,
    event_data_between,
)
from calendars.crypto import (
    InvalidToken,
    secret_decrypt,
    secret_encrypt,
    secrets_rotate_value,
)
from calendars.enums import WriteStatus
from calendars.models import (
    CalDAVAccount,
    CalendarFeed,
    CalendarSubscription,
    CalendarWrite,
)
from calendars.subscription import consultant_event_ics
from consult import outbound, outbox
from consult.enqueue import enqueue, enqueue_on_commit
from consult.tokens import token_new

if TYPE_CHECKING:
    from caldav import DAVClient

    from bookings.models import Consultant

logger = logging.getLogger(__name__)

# The UIDs of Consult's own calls (bookings.ics.booking_uid): in a consultant's calendar
# they are the booking itself, which blocks its time already.
OWN_UID_SUFFIX = "@consult"
# The keys in CALENDAR_ENCRYPTION_KEYS no longer open a stored secret.
UNDECRYPTABLE = (
    "The stored secret can no longer be decrypted (the encryption keys changed): "
    "type it in again."
)
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


def _claim(model: type[CalendarFeed | CalDAVAccount], pk: int, now: datetime) -> bool:
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
        url = feed_url(feed)
    except InvalidToken as exc:
        raise FeedError(UNDECRYPTABLE) from exc
    try:
        fetched = outbound.fetch(
            feed_url_normal(url),
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
                fetched.body,
                zone=feed.consultant.zone,
                start=start,
                end=end,
                skip_uid_suffix=OWN_UID_SUFFIX,
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
ACCOUNT_SYNC_TASK = "calendars.account_sync"
WRITE_TASK = "calendars.write_deliver"


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
    """Queue a read of every active calendar that is due, and every write-back due a
    try; the beat scan. Returns how many were queued."""
    now = now or timezone.now()
    due = (
        Q(is_active=True)
        & (Q(next_sync_at__isnull=True) | Q(next_sync_at__lte=now))
        & (Q(syncing_since__isnull=True) | Q(syncing_since__lt=now - CLAIM_TIMEOUT))
    )
    queued = 0
    for model, task, name in (
        (CalendarFeed, FEED_SYNC_TASK, "feed_id"),
        (CalDAVAccount, ACCOUNT_SYNC_TASK, "account_id"),
    ):
        ids = list(model.objects.filter(due).values_list("pk", flat=True))
        # Not due again before a worker had time to take it: the next scans do not pile
        # copies of a read the broker still holds.
        model.objects.filter(pk__in=ids).update(next_sync_at=now + CLAIM_TIMEOUT)
        for pk in ids:
            enqueue(
                task,
                kwargs={name: pk},
                about=f"Calendar {name} {pk}",
                if_lost="read at the next scan",
                expires=300,
            )
        queued += len(ids)
    writes = CalendarWrite.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT),
        status=WriteStatus.QUEUED,
        next_attempt_at__lte=now,
    ).values_list("pk", flat=True)
    for write_id in writes:
        enqueue(
            WRITE_TASK,
            kwargs={"write_id": write_id},
            about=f"Calendar write {write_id}",
            if_lost="tried at the next scan",
            expires=300,
        )
        queued += 1
    return queued


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
        for account in CalDAVAccount.objects.select_for_update().only(
            "password_encrypted"
        ):
            account.password_encrypted = secrets_rotate_value(
                account.password_encrypted
            )
            account.save(update_fields=["password_encrypted"])
            count += 1
    return count


# --- CalDAV accounts -------------------------------------------------------------------

# The errors a CalDAV exchange ends in; their messages carry no password.
_CALDAV_ERRORS = (CalDAVError, caldav_errors.DAVError, requests.RequestException)
# Write-backs are tried this many times (1, 2, 4... minutes apart, at most an hour) before
# they are marked failed for staff to see and retry.
WRITE_ATTEMPTS = 10


def account_url_check(url: str) -> str:
    """The server address to store, or ``outbound.UnsafeURL`` with a message."""
    url = url.strip()
    try:
        outbound.url_check(url)
    except outbound.OutboundError as exc:
        raise outbound.UnsafeURL(str(exc)) from exc
    return url


def account_save(
    *, account: CalDAVAccount, password: str | None = None
) -> CalDAVAccount:
    """Save ``account`` (from the admin), with a new app password if one is given.

    A calendar to write into, new or changed, gets the consultant's upcoming calls too,
    not only those booked from now on.
    """
    if password:
        account.password_encrypted = secret_encrypt(password)
    account.next_sync_at = None
    before = (
        CalDAVAccount.objects.filter(pk=account.pk)
        .values_list("write_calendar_url", flat=True)
        .first()
    )
    with transaction.atomic():
        account.save()
        if not account.is_active:
            booking_services.busy_intervals_delete(source=account.source)
        elif account.write_calendar_url and account.write_calendar_url != before:
            upcoming = Booking.objects.filter(
                consultant_id=account.consultant_id,
                status=BookingStatus.CONFIRMED,
                end__gt=timezone.now(),
            ).values_list("pk", flat=True)
            for booking_id in upcoming:
                _write_queue(booking_id=booking_id, account=account)
    return account


def account_delete(*, account: CalDAVAccount) -> None:
    with transaction.atomic():
        booking_services.busy_intervals_delete(source=account.source)
        account.delete()


def _account_client(account: CalDAVAccount) -> DAVClient:
    try:
        password = secret_decrypt(account.password_encrypted)
    except InvalidToken as exc:
        raise CalDAVError(UNDECRYPTABLE) from exc
    return caldav_client(
        url=account.server_url, username=account.username, password=password
    )


def _account_busy(
    account: CalDAVAccount, *, start: datetime, end: datetime, force: bool
) -> tuple[list[busy.Interval] | None, dict[str, object]]:
    """The account's busy time (None when no calendar read changed since the last
    read), and the calendars' state to remember."""
    client = _account_client(account)
    calendars = calendars_of(client)
    wanted = set(account.read_calendars)
    chosen = [c for c in calendars if not wanted or str(c.url) in wanted]
    ctags = {str(c.url): calendar_ctag(c) for c in chosen}
    state: dict[str, object] = {
        "calendars": {str(c.url): c.name or str(c.url) for c in calendars},
        "ctags": ctags,
    }
    previous = account.calendar_state.get("ctags")
    covered = account.covered_until is not None and (
        account.covered_until >= end - FULL_READ_SLACK
    )
    if not force and covered and all(ctags.values()) and previous == ctags:
        return None, state
    combined = ICalendar()
    for calendar in chosen:
        for data in event_data_between(calendar, start, end):
            for component in ICalendar.from_ical(data).subcomponents:
                combined.add_component(component)
    intervals = busy.busy_from_calendar(
        combined,
        zone=account.consultant.zone,
        start=start,
        end=end,
        skip_uid_suffix=OWN_UID_SUFFIX,
    )
    return intervals, state


def account_sync(
    *, account_id: int, now: datetime | None = None, force: bool = False
) -> SyncResult:
    """Read the account's calendars (those chosen, or all) and store their busy time.

    Calendars whose ctag has not changed are not read again while the stored busy time
    still covers the horizon.
    """
    now = now or timezone.now()
    if not _claim(CalDAVAccount, account_id, now):
        return SyncResult(ok=False, skipped=True)
    account = CalDAVAccount.objects.select_related("consultant").get(pk=account_id)
    start, end = sync_window(now)
    fields = ["syncing_since", "last_attempt_at", "failures", "next_sync_at"]
    account.syncing_since = None
    account.last_attempt_at = now
    changed = False
    try:
        intervals, state = _account_busy(account, start=start, end=end, force=force)
        if intervals is not None:
            changed = booking_services.busy_intervals_replace(
                consultant_id=account.consultant_id,
                source=account.source,
                intervals=intervals,
            )
            account.covered_until = end
            account.busy_count = len(intervals)
            fields += ["covered_until", "busy_count"]
        account.calendar_state = state
        fields.append("calendar_state")
    except (*_CALDAV_ERRORS, busy.FeedInvalid) as exc:
        account.failures += 1
        account.last_error = _caldav_message(exc)
        account.next_sync_at = now + next_sync_delay(account.failures)
        logger.warning("CalDAV account %s failed: %s", account.pk, account.last_error)
        account.save(update_fields=[*fields, "last_error"])
        return SyncResult(ok=False, error=account.last_error)
    account.failures = 0
    account.last_error = ""
    account.last_success_at = now
    account.next_sync_at = now + next_sync_delay(0)
    account.save(update_fields=[*fields, "last_error", "last_success_at"])
    return SyncResult(ok=True, changed=changed)


def _caldav_message(exc: Exception) -> str:
    if isinstance(exc, caldav_errors.AuthorizationError):
        return "The server refused the username or app password."
    if isinstance(exc, caldav_errors.NotFoundError):
        return "The server has no calendar at that address."
    if isinstance(exc, caldav_errors.DAVError):
        return f"The CalDAV server answered with an error ({type(exc).__name__})."
    if isinstance(exc, requests.RequestException):
        return "The CalDAV server could not be reached."
    return str(exc)


def account_sync_now(*, account: CalDAVAccount) -> None:
    CalDAVAccount.objects.filter(pk=account.pk).update(next_sync_at=None)
    enqueue_on_commit(
        ACCOUNT_SYNC_TASK,
        kwargs={"account_id": account.pk},
        about=f"CalDAV account {account.pk}",
        if_lost="read at the next scan",
    )


# --- Write-back ------------------------------------------------------------------------


def writes_queue(
    *, booking: Booking, now: datetime, consultant_id: int | None = None
) -> int:
    """Queue ``booking`` for each calendar of its consultant that bookings go into.

    ``consultant_id`` names another consultant whose calendars to bring up to date (the
    one a call was handed from: there the write removes it). Called inside the
    booking's own transaction (the domain events' receivers); the rows commit or roll
    back with the change, and are delivered once it commits.
    """
    accounts = CalDAVAccount.objects.filter(
        consultant_id=consultant_id or booking.consultant_id, is_active=True
    ).exclude(write_calendar_url="")
    for account in accounts:
        _write_queue(booking_id=booking.pk, account=account)
    return len(accounts)


def _write_queue(*, booking_id: int, account: CalDAVAccount) -> None:
    write, _ = CalendarWrite.objects.update_or_create(
        booking_id=booking_id,
        account=account,
        defaults={
            "status": WriteStatus.QUEUED,
            "attempts": 0,
            "next_attempt_at": timezone.now(),
            # A delivery under way finds its claim gone, and leaves the row queued
            # for this newer state.
            "claimed_at": None,
            "last_error": "",
        },
    )
    enqueue_on_commit(
        WRITE_TASK,
        kwargs={"write_id": write.pk},
        about=f"Calendar write {write.pk}",
        if_lost="tried at the next scan",
    )


def writes_requeue(*, booking_ids: list[int]) -> int:
    """Write again the bookings already in consultants' calendars (a client erased: the
    event is rewritten without their details once the erasure commits)."""
    writes = list(
        CalendarWrite.objects.filter(booking_id__in=booking_ids).values_list(
            "pk", flat=True
        )
    )
    CalendarWrite.objects.filter(pk__in=writes).update(
        status=WriteStatus.QUEUED,
        attempts=0,
        next_attempt_at=timezone.now(),
        claimed_at=None,
    )
    for write_id in writes:
        enqueue_on_commit(
            WRITE_TASK,
            kwargs={"write_id": write_id},
            about=f"Calendar write {write_id}",
            if_lost="tried at the next scan",
        )
    return len(writes)


def write_retry(*, write: CalendarWrite, now: datetime | None = None) -> None:
    """Try a failed write-back again (from the admin)."""
    now = now or timezone.now()
    CalendarWrite.objects.filter(pk=write.pk).update(
        status=WriteStatus.QUEUED, attempts=0, next_attempt_at=now, claimed_at=None
    )
    enqueue_on_commit(
        WRITE_TASK,
        kwargs={"write_id": write.pk},
        about=f"Calendar write {write.pk}",
        if_lost="tried at the next scan",
    )


def _write(write: CalendarWrite, *, now: datetime) -> None:
    booking = write.booking
    client = _account_client(write.account)
    calendar = calendar_at(client, write.account.write_calendar_url)
    if (
        booking.status == BookingStatus.CANCELLED
        or booking.consultant_id != write.account.consultant_id
    ):
        # Cancelled, or handed to another consultant: not (or no longer) in this
        # calendar. Never written, or removed already: the outcome wanted either way.
        with contextlib.suppress(caldav_errors.NotFoundError):
            calendar.event_by_uid(booking_uid(booking)).delete()
        return
    # Saved under the UID's own address: writing it again replaces it.
    calendar.save_event(consultant_event_ics(booking, now=now))


def write_deliver(*, write_id: int, now: datetime | None = None) -> bool:
    """Bring the booking up to date in the account's calendar: the event as the booking
    now is, or its removal once cancelled. Idempotent; a failure is retried with backoff
    and, after ``WRITE_ATTEMPTS``, marked failed."""
    now = now or timezone.now()
    claim = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)
    if not CalendarWrite.objects.filter(
        claim, pk=write_id, status=WriteStatus.QUEUED, next_attempt_at__lte=now
    ).update(claimed_at=now):
        return False
    write = CalendarWrite.objects.select_related(
        "booking__consultant__user", "account"
    ).get(pk=write_id)
    mine = CalendarWrite.objects.filter(pk=write_id, claimed_at=now)
    try:
        _write(write, now=now)
    except _CALDAV_ERRORS as exc:
        attempts = write.attempts + 1
        message = _caldav_message(exc)
        logger.warning("Calendar write %s failed: %s", write.pk, message)
        # 1, 2, 4... minutes, at most an hour.
        delay = timedelta(seconds=outbox.backoff(attempts - 1, base=60, cap=60 * 60))
        mine.update(
            attempts=attempts,
            last_error=message,
            claimed_at=None,
            next_attempt_at=now + delay,
            status=(
                WriteStatus.FAILED if attempts >= WRITE_ATTEMPTS else WriteStatus.QUEUED
            ),
        )
        return False
    mine.update(
        status=WriteStatus.DONE,
        attempts=F("attempts") + 1,
        last_error="",
        claimed_at=None,
        written_sequence=write.booking.sequence,
    )
    return True
