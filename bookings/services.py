"""Writes: create, reschedule and cancel bookings.

Each service runs in one transaction and re-computes availability inside it. What keeps two
clients off the same consultant at the same time:

* PostgreSQL: the consultant rows are locked (``SELECT ... FOR UPDATE``) before the
  re-check, which serialises bookings per consultant (so the daily cap and the round robin
  see every committed booking), and the exclusion constraint refuses any overlap that got
  past the re-check anyway.
* SQLite: transactions are immediate-mode (see settings), so the write lock is held from
  the first statement and the re-check cannot race another writer.

A constraint violation is caught in a savepoint and turned into an outcome the page can
explain ("just taken, here are the nearest free times"), never an error page.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, QuerySet
from django.utils import timezone

from advisor.selectors import assessment_id_existing
from bookings import availability, events, listing_cache, selectors
from bookings import emails as booking_emails
from bookings.enums import (
    ACTIVE_STATUSES,
    HELD_STATUSES,
    BookingStatus,
    CancelledBy,
    Expertise,
)
from bookings.models import (
    Booking,
    BookingPolicy,
    BusyInterval,
    Consultant,
    email_key,
)
from bookings.tokens import token_for_submission, token_hash, token_new

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

ALTERNATIVES = 3


class Outcome(enum.StrEnum):
    CREATED = "created"
    # The same form arrived twice: the booking the first submission made.
    DUPLICATE = "duplicate"
    SLOT_TAKEN = "slot_taken"
    EMAIL_HAS_BOOKING = "email_has_booking"
    MOVED = "moved"
    UNCHANGED = "unchanged"
    CANCELLED = "cancelled"
    ALREADY_CANCELLED = "already_cancelled"
    # Cancelled, completed or no-show: nothing left to move or cancel.
    NOT_ACTIVE = "not_active"
    # The meeting has started or passed.
    TOO_LATE = "too_late"


@dataclass(frozen=True)
class AssessmentLink:
    """The assessment a client booked from, as far as routing and preparation need it."""

    reference: str
    stack: str = ""


@dataclass(frozen=True)
class BookingResult:
    outcome: Outcome
    booking: Booking | None = None
    # The private manage token, available only here: the database keeps its hash.
    manage_token: str = ""
    alternatives: tuple[availability.Slot, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome in {Outcome.CREATED, Outcome.DUPLICATE}


@dataclass(frozen=True)
class ChangeResult:
    outcome: Outcome
    booking: Booking
    alternatives: tuple[availability.Slot, ...] = ()
    # Whether the change was emailed (a call already over is cancelled silently).
    emailed: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome in {Outcome.MOVED, Outcome.UNCHANGED, Outcome.CANCELLED}


def _lock_consultants(consultants: Sequence[Consultant] | None) -> list[Consultant]:
    candidates = Consultant.objects.filter(is_active=True)
    if consultants is not None:
        candidates = candidates.filter(pk__in=[c.pk for c in consultants])
    # pk order, so two transactions locking overlapping sets cannot deadlock.
    # SQLite ignores FOR UPDATE; its immediate transaction already holds the lock.
    return list(candidates.select_for_update().order_by("pk"))


def _free_consultants(
    consultants: Sequence[Consultant],
    *,
    policy: BookingPolicy,
    start: datetime,
    now: datetime,
    exclude_booking_id: int | None = None,
) -> list[Consultant]:
    schedules = selectors.schedules_for(
        consultants,
        window_start=start,
        window_end=start + timedelta(minutes=policy.meeting_minutes),
        exclude_booking_id=exclude_booking_id,
    )
    rules = policy.to_policy()
    free_keys = {
        schedule.key
        for schedule in schedules
        if availability.is_slot_free(schedule, rules, start, now)
    }
    return [consultant for consultant in consultants if consultant.pk in free_keys]


def _matches_stack(consultant: Consultant, stack: str) -> bool:
    if stack in Expertise.values:
        return stack in consultant.expertise
    if stack == "hybrid":
        return bool(consultant.expertise)
    return False


# "Any consultant" spreads calls over a rolling window around the requested time:
# four weeks on either side, so a consultant who took many calls last week is not
# handed more this week, and a calendar week boundary changes nothing.
FAIRNESS_WINDOW = timedelta(days=28)
# Calls that took (or take) a consultant's time: upcoming, held, and missed.
FAIRNESS_STATUSES = (*ACTIVE_STATUSES, *HELD_STATUSES)


def _pick_consultant(
    consultants: Sequence[Consultant], *, stack: str, start: datetime
) -> Consultant:
    """Prefer expertise matching the client's stack, then the fewest calls in the window.

    Calls count while confirmed and after they were held or missed (a completed call
    still took the consultant's time), within ``FAIRNESS_WINDOW`` on either side of
    ``start``. A tie goes to whoever was given a booking least recently (never, first),
    so equal consultants take turns; the id decides only between consultants who
    have never had one.
    """
    if len(consultants) == 1:
        return consultants[0]
    ids = [c.pk for c in consultants]
    calls = dict.fromkeys(ids, 0)
    for consultant_id, count in (
        Booking.objects.filter(
            consultant_id__in=ids,
            status__in=FAIRNESS_STATUSES,
            start__gte=start - FAIRNESS_WINDOW,
            start__lt=start + FAIRNESS_WINDOW,
        )
        .values_list("consultant_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        calls[consultant_id] = count
    last_given = dict(
        Booking.objects.filter(consultant_id__in=ids)
        .values_list("consultant_id")
        .annotate(latest=Max("created_at"))
        .order_by()
    )
    never = datetime.min.replace(tzinfo=UTC)
    return min(
        consultants,
        key=lambda c: (
            not _matches_stack(c, stack),
            calls[c.pk],
            last_given.get(c.pk) or never,
            c.pk,
        ),
    )


def _alternatives(
    *,
    start: datetime,
    consultant: Consultant | None,
    now: datetime,
    moving: Booking | None = None,
) -> tuple[availability.Slot, ...]:
    """The free times nearest ``start``; for a booking ``moving``, those it can move to."""
    if moving is not None:
        slots = selectors.booking_move_slots(booking=moving, now=now)
    else:
        slots = selectors.availability_get(
            consultant_id=consultant.pk if consultant else None, now=now
        ).slots
    return tuple(selectors.slots_nearest(slots, start, limit=ALTERNATIVES))


def _address(email: str) -> str:
    """``email`` as bookings store and look it up: lowercased here, not in SQL.

    SQLite's LOWER() folds only ASCII letters, so left to the database "BÜCHER" and
    "bücher" would be two addresses there and one on PostgreSQL. Stored already
    lowercased, the one-per-address index reads the same on both.
    """
    return email.strip().lower()


def _active_for_email(email: str) -> QuerySet[Booking]:
    """Upcoming bookings of the mailbox ``email`` reaches (see ``email_key``)."""
    return Booking.objects.filter(
        email_key=email_key(email), status=BookingStatus.CONFIRMED
    )


def _assessment_id(link: AssessmentLink | None) -> int | None:
    # Looked up rather than trusted: the key is checked only at commit on PostgreSQL,
    # and a vanished assessment must not cost the client their booking.
    return None if link is None else assessment_id_existing(link.reference)


def _blocked(start: datetime, policy: BookingPolicy) -> dict[str, datetime]:
    end = start + timedelta(minutes=policy.meeting_minutes)
    return {
        "start": start,
        "end": end,
        "blocked_start": start - policy.buffer_before,
        "blocked_end": end + policy.buffer_after,
    }


@transaction.atomic
def booking_create(  # noqa: PLR0913 -- keyword-only, one per form field
    *,
    start: datetime,
    consultant: Consultant | None = None,
    name: str,
    email: str,
    company: str = "",
    topic: str = "",
    client_timezone: str = "UTC",
    consent: bool,
    manage_link_in_calendar: bool = False,
    assessment: AssessmentLink | None = None,
    idempotency_key: str = "",
    now: datetime | None = None,
) -> BookingResult:
    """Book ``start`` with ``consultant``, or with whichever consultant fits (``None``).

    ``idempotency_key`` comes from the booking form: the same form submitted twice yields
    the first booking (outcome DUPLICATE, same manage token) instead of an error.
    """
    if not consent:
        raise ValueError("A booking needs the client's consent to store their details.")
    now = now or timezone.now()
    manage_token = (
        token_for_submission(idempotency_key) if idempotency_key else token_new()[0]
    )
    hashed = token_hash(manage_token)
    policy = BookingPolicy.current()

    candidates = _lock_consultants([consultant] if consultant else None)

    # After the locks, so a concurrent copy of this submission has committed by now.
    existing = Booking.objects.select_related("consultant").filter(
        manage_token_hash=hashed
    )
    if booking := existing.first():
        return BookingResult(Outcome.DUPLICATE, booking, manage_token)

    # The partial unique index cannot see the clock: a confirmed booking whose time has
    # passed would otherwise keep its client from ever booking again.
    _active_for_email(email).filter(end__lte=now).update(
        status=BookingStatus.COMPLETED, updated_at=now
    )
    if _active_for_email(email).exists():
        return BookingResult(Outcome.EMAIL_HAS_BOOKING)

    free = _free_consultants(candidates, policy=policy, start=start, now=now)
    if not free:
        return BookingResult(
            Outcome.SLOT_TAKEN,
            alternatives=_alternatives(start=start, consultant=consultant, now=now),
        )
    stack = assessment.stack if assessment else ""
    chosen = _pick_consultant(free, stack=stack, start=start)

    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                consultant=chosen,
                name=name,
                email=_address(email),
                email_key=email_key(email),
                company=company,
                topic=topic,
                client_timezone=client_timezone,
                consent=True,
                consented_at=now,
                manage_link_in_calendar=manage_link_in_calendar,
                assessment_id=_assessment_id(assessment),
                assessment_ref=assessment.reference if assessment else "",
                stack=stack,
                manage_token_hash=hashed,
                **_blocked(start, policy),
            )
            # The confirmation emails are outbox rows written in the booking's own
            # transaction, so they exist exactly when the booking does; they are sent on
            # commit. This is the one place the manage token is known, so the client's
            # email is rendered here with its link.
            booking_emails.created_emails_queue(
                booking=booking, manage_token=manage_token, now=now
            )
            events.booking_created.send(Booking, booking=booking, now=now)
    except IntegrityError:
        # Only reachable when the checks above were overtaken (the locks make that rare
        # on PostgreSQL); the constraints had the last word, so explain which one.
        if booking := existing.first():
            return BookingResult(Outcome.DUPLICATE, booking, manage_token)
        if _active_for_email(email).exists():
            return BookingResult(Outcome.EMAIL_HAS_BOOKING)
        return BookingResult(
            Outcome.SLOT_TAKEN,
            alternatives=_alternatives(start=start, consultant=consultant, now=now),
        )

    return BookingResult(Outcome.CREATED, booking, manage_token)


def _reload(booking: Booking) -> Booking:
    return Booking.objects.select_related("consultant").get(pk=booking.pk)


@transaction.atomic
def booking_reschedule(
    *, booking: Booking, new_start: datetime, now: datetime | None = None
) -> ChangeResult:
    """Move ``booking`` (same row, same calendar event, SEQUENCE + 1) to ``new_start``.

    The new time must be free under the same rules a new booking meets; the booking's own
    current time does not count against it.
    """
    now = now or timezone.now()
    policy = BookingPolicy.current()
    Consultant.objects.select_for_update().filter(pk=booking.consultant_id).first()
    current = _reload(booking)

    if current.status != BookingStatus.CONFIRMED:
        return ChangeResult(Outcome.NOT_ACTIVE, current)
    if current.start <= now:
        return ChangeResult(Outcome.TOO_LATE, current)
    if new_start == current.start:
        return ChangeResult(Outcome.UNCHANGED, current)
    previous_start, previous_end = current.start, current.end

    def taken() -> ChangeResult:
        return ChangeResult(
            Outcome.SLOT_TAKEN,
            current,
            _alternatives(
                start=new_start, consultant=current.consultant, now=now, moving=current
            ),
        )

    if not _free_consultants(
        [current.consultant],
        policy=policy,
        start=new_start,
        now=now,
        exclude_booking_id=current.pk,
    ):
        return taken()
    try:
        with transaction.atomic():
            # Compare-and-swap: only a booking still confirmed at the sequence we read
            # moves, so a cancel or move that got in first wins cleanly.
            moved = Booking.objects.filter(
                pk=current.pk,
                status=BookingStatus.CONFIRMED,
                sequence=current.sequence,
            ).update(
                **_blocked(new_start, policy),
                sequence=F("sequence") + 1,
                updated_at=now,
            )
    except IntegrityError:
        return taken()
    current = _reload(current)
    if not moved:
        return ChangeResult(Outcome.NOT_ACTIVE, current)
    listing_cache.availability_changed()
    booking_emails.moved_emails_queue(
        booking=current,
        previous_start=previous_start,
        previous_end=previous_end,
        now=now,
    )
    events.booking_rescheduled.send(
        Booking,
        booking=current,
        previous_start=previous_start,
        previous_end=previous_end,
        now=now,
    )
    return ChangeResult(Outcome.MOVED, current, emailed=True)


@transaction.atomic
def booking_cancel(
    *,
    booking: Booking,
    reason: str = "",
    by: CancelledBy,
    now: datetime | None = None,
) -> ChangeResult:
    """Cancel a confirmed booking; cancelling again changes nothing and says so.

    Clients can cancel only before the meeting starts; staff can cancel any confirmed one.
    """
    now = now or timezone.now()
    if by == CancelledBy.CLIENT and booking.start <= now:
        current = _reload(booking)
        outcome = (
            Outcome.ALREADY_CANCELLED
            if current.status == BookingStatus.CANCELLED
            else Outcome.TOO_LATE
        )
        return ChangeResult(outcome, current)
    cancelled = Booking.objects.filter(
        pk=booking.pk, status=BookingStatus.CONFIRMED
    ).update(
        status=BookingStatus.CANCELLED,
        cancel_reason=reason.strip(),
        cancelled_by=by,
        cancelled_at=now,
        # Calendars drop the event only for a CANCEL with a newer SEQUENCE.
        sequence=F("sequence") + 1,
        updated_at=now,
    )
    current = _reload(booking)
    if cancelled:
        listing_cache.availability_changed()
        # Staff may cancel a meeting that has already taken place (tidying up); nobody
        # needs a calendar cancellation for the past.
        emailed = current.end > now
        if emailed:
            booking_emails.cancelled_emails_queue(booking=current, now=now)
        events.booking_cancelled.send(Booking, booking=current, now=now)
        return ChangeResult(Outcome.CANCELLED, current, emailed=emailed)
    if current.status == BookingStatus.CANCELLED:
        return ChangeResult(Outcome.ALREADY_CANCELLED, current)
    return ChangeResult(Outcome.NOT_ACTIVE, current)


def _mark(
    *,
    booking: Booking,
    status: BookingStatus,
    correctable: BookingStatus,
    now: datetime | None,
) -> bool:
    now = now or timezone.now()
    # Compare-and-swap: only a meeting that has begun and is still confirmed (or was
    # marked the other way by mistake) changes; a cancellation that got in first wins.
    changed = bool(
        Booking.objects.filter(
            pk=booking.pk,
            status__in=[BookingStatus.CONFIRMED, correctable],
            start__lte=now,
        ).update(status=status, updated_at=now)
    )
    if changed:
        events.booking_outcome_recorded.send(Booking, booking=_reload(booking), now=now)
    return changed


@transaction.atomic
def booking_mark_completed(*, booking: Booking, now: datetime | None = None) -> bool:
    """Record that the call took place; True if the status changed."""
    return _mark(
        booking=booking,
        status=BookingStatus.COMPLETED,
        correctable=BookingStatus.NO_SHOW,
        now=now,
    )


@transaction.atomic
def booking_mark_no_show(*, booking: Booking, now: datetime | None = None) -> bool:
    """Record that the client did not come; True if the status changed."""
    return _mark(
        booking=booking,
        status=BookingStatus.NO_SHOW,
        correctable=BookingStatus.COMPLETED,
        now=now,
    )


@transaction.atomic
def booking_client_details_erase(
    *, booking: Booking, name: str, email: str, now: datetime
) -> None:
    """Replace the client's details with ``name`` and ``email``; keep when and with whom.

    A call under way (confirmed, begun) is recorded as held: nobody can reach the
    client about it any more. Cancel a call still to come first (``booking_cancel``).
    """
    Booking.objects.filter(
        pk=booking.pk, status=BookingStatus.CONFIRMED, start__lte=now
    ).update(status=BookingStatus.COMPLETED, updated_at=now)
    # A cancellation's reason is the client's free text too (it can hold a phone
    # number); who cancelled and when stay.
    Booking.objects.filter(pk=booking.pk).update(
        name=name,
        email=email,
        email_key=email_key(email),
        company="",
        topic="",
        cancel_reason="",
        updated_at=now,
    )


@transaction.atomic
def booking_confirmation_resend(*, booking: Booking) -> None:
    """Email the client their confirmation again, with a new private manage link.

    The database keeps only the hash of the manage token, so the link first sent cannot
    be sent again: a new token replaces it, the old link stops working, and the email
    says so. Rotating and queuing happen in one transaction, so the new link works
    exactly when its email exists.
    """
    now = timezone.now()
    # The row lock orders concurrent resends: each emails the token it stored.
    current = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("consultant__user")
        .filter(pk=booking.pk)
        .first()
    )
    if current is None or current.status != BookingStatus.CONFIRMED:
        raise ValidationError(
            "Only a confirmed booking's confirmation can be sent again."
        )
    manage_token, hashed = token_new()
    Booking.objects.filter(pk=current.pk).update(
        manage_token_hash=hashed, updated_at=now
    )
    current.manage_token_hash = hashed
    booking_emails.confirmation_email_queue(
        booking=current, manage_token=manage_token, now=now, resent_at=now
    )


# At most this many bookings per request; the database allows one upcoming per email.
LINKS_RESEND_LIMIT = 3


# The task that does a "lost my link" request's work, off the web request.
LINKS_RESEND_TASK = "bookings.links_resend"


def booking_links_resend(*, email: str, now: datetime | None = None) -> int:
    """Send the confirmation again, with a new manage link, for each upcoming booking.

    For "I lost my link": returns how many were sent, which the page never says.
    """
    now = now or timezone.now()
    upcoming = _active_for_email(email.strip()).filter(start__gt=now).order_by("start")
    sent = 0
    for booking in upcoming[:LINKS_RESEND_LIMIT]:
        booking_confirmation_resend(booking=booking)
        sent += 1
    return sent


@transaction.atomic
def busy_intervals_replace(
    *,
    consultant_id: int,
    source: str,
    intervals: Iterable[tuple[datetime, datetime]],
) -> bool:
    """Make ``intervals`` the whole busy time of ``source``, for ``consultant_id``.

    ``source`` is the caller's key for where the time comes from (one calendar); rows it
    left before, under any consultant, go. Empty intervals are dropped. Returns whether
    anything changed: an unchanged calendar writes nothing and keeps the cached slot
    listings, so syncing every few minutes costs one read.
    """
    wanted = sorted(
        {
            (start.astimezone(UTC), end.astimezone(UTC))
            for start, end in intervals
            if end > start
        }
    )
    rows = BusyInterval.objects.filter(source=source)
    current = sorted(rows.values_list("consultant_id", "start", "end"))
    if current == [(consultant_id, start, end) for start, end in wanted]:
        return False
    rows.delete()
    BusyInterval.objects.bulk_create(
        (
            BusyInterval(consultant_id=consultant_id, source=source, start=s, end=e)
            for s, e in wanted
        ),
        batch_size=1000,
    )
    listing_cache.availability_changed()
    return True


def busy_intervals_delete(*, source: str) -> bool:
    """Forget the busy time of ``source`` (a calendar disconnected)."""
    deleted, _ = BusyInterval.objects.filter(source=source).delete()
    if deleted:
        listing_cache.availability_changed()
    return bool(deleted)
