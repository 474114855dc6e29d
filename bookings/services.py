"""Writes: create, reschedule and cancel bookings.

What keeps two clients off the same consultant at the same time:

* PostgreSQL: who looks free at the wanted start is worked out first, without locks.
  Then each candidate is tried in turn, in a transaction of its own that locks only
  that consultant's row (``SELECT ... FOR UPDATE``) and re-checks under the lock, so
  bookings of one consultant are serialised (the daily cap and the round robin see
  every committed booking) while bookings of different consultants never wait on each
  other. One lock at a time cannot deadlock. Waiting for locks is bounded in all by
  ``BOOKING_LOCK_TIMEOUT_MS`` (``lock_timeout``): past it the client is asked to try
  again (``Outcome.BUSY``), never left waiting for the web server's timeout. The
  exclusion constraint refuses any overlap that got past the re-check anyway.
* SQLite: transactions are immediate-mode (see settings), so the write lock is held from
  the first statement and the re-check cannot race another writer.

The alternatives to a taken time are computed after the transaction has ended, with no
lock held, and only around the wanted time (``selectors.slots_near``).

A constraint violation is caught in a savepoint and turned into an outcome the page can
explain ("just taken, here are the nearest free times"), never an error page.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count, F, Max, QuerySet
from django.utils import timezone

from advisor.selectors import assessment_id_existing
from bookings import availability, conflicts, events, links, listing_cache, selectors
from bookings import emails as booking_emails
from bookings.enums import (
    ACTIVE_STATUSES,
    HELD_STATUSES,
    OUTCOME_STATUSES,
    STAFF_CANCELLABLE_STATUSES,
    BookingLinkOrigin,
    BookingStatus,
    CancelledBy,
    Expertise,
)
from bookings.models import (
    Booking,
    BookingLink,
    BookingNote,
    BookingPolicy,
    BusyInterval,
    Consultant,
    email_key,
)
from bookings.notes import booking_note_add
from bookings.outcomes import booking_outcomes_due
from bookings.tokens import token_for_submission, token_hash, token_new
from consult.enums import NoteKind
from consult.notes import note_add
from consult.timezones import short_label, zone_prefers_12_hour

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

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
    # The consultants' rows stayed locked by other bookings past the lock timeout:
    # nothing was decided, the same request may simply be sent again.
    BUSY = "busy"


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


# PostgreSQL's SQLSTATE for lock_timeout expiring (lock_not_available).
LOCK_NOT_AVAILABLE = "55P03"


def _lock_timed_out(error: OperationalError) -> bool:
    """Whether ``error`` is a lock wait given up on, not a broken database."""
    if connection.vendor == "postgresql":
        return getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE
    # SQLite's busy timeout: another writer held the database throughout.
    return "database is locked" in str(error)


class _Deadline:
    """What is left of the time one request may spend waiting for locks."""

    def __init__(self) -> None:
        self.ends = time.monotonic() + settings.BOOKING_LOCK_TIMEOUT_MS / 1000

    def remaining_ms(self) -> int:
        # At least 1: PostgreSQL reads a lock_timeout of 0 as "wait for ever". Spent,
        # the next lock wait gives up at once and the client is asked to try again.
        return max(1, round((self.ends - time.monotonic()) * 1000))


def _lock_timeout_set(timeout_ms: int) -> None:
    """Give up waiting for a lock after ``timeout_ms``, for the rest of the transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # SET LOCAL: only this transaction; the pooled connection keeps its default.
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true)", [f"{timeout_ms}ms"]
            )


class _Skipped(Exception):
    """The consultant's row is locked by another booking, or they stopped taking calls."""


def _lock_consultant(
    consultant_id: int, *, timeout_ms: int, skip_locked: bool = False
) -> Consultant:
    """Lock one active consultant's row for this transaction.

    With ``skip_locked`` a row another transaction holds is not waited for
    (``_Skipped``); else it is waited for ``timeout_ms`` at most, then
    ``OperationalError`` (``_lock_timed_out``). ``timeout_ms`` bounds every other lock
    wait of the transaction too. An inactive consultant is ``_Skipped``.
    """
    _lock_timeout_set(timeout_ms)
    # SQLite ignores FOR UPDATE; its immediate transaction already holds the lock.
    locked = (
        Consultant.objects.select_for_update(skip_locked=skip_locked)
        .filter(pk=consultant_id, is_active=True)
        .first()
    )
    if locked is None:
        raise _Skipped
    return locked


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


def _ranked(
    consultants: Sequence[Consultant], *, stack: str, start: datetime
) -> list[Consultant]:
    """``consultants`` in the order "any consultant" offers them a call.

    Expertise matching the client's stack first, then the fewest calls in the window:
    calls count while confirmed and after they were held or missed (a completed call
    still took the consultant's time), within ``FAIRNESS_WINDOW`` on either side of
    ``start``. A tie for first place goes to whoever was given a booking least
    recently (never, first), so equal consultants take turns; the id decides only
    between consultants who have never had one, and among the rest (tried only if
    the first is taken meanwhile), so that the read of when each was last given a
    booking covers only the few tied first, not every free consultant's history.
    """
    if len(consultants) <= 1:
        return list(consultants)
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

    def standing(consultant: Consultant) -> tuple[bool, int]:
        return not _matches_stack(consultant, stack), calls[consultant.pk]

    best = min(standing(c) for c in consultants)
    tied = [c.pk for c in consultants if standing(c) == best]
    last_given = {}
    if len(tied) > 1:
        last_given = dict(
            Booking.objects.filter(consultant_id__in=tied)
            .values_list("consultant_id")
            .annotate(latest=Max("created_at"))
            .order_by()
        )
    never = datetime.min.replace(tzinfo=UTC)
    return sorted(
        consultants,
        key=lambda c: (*standing(c), last_given.get(c.pk) or never, c.pk),
    )


def _alternatives(
    *,
    start: datetime,
    consultant: Consultant | None,
    now: datetime,
    moving: Booking | None = None,
) -> tuple[availability.Slot, ...]:
    """The free times nearest ``start``; for a booking ``moving``, those it can move to.

    Called with no transaction open and no lock held: it reads and computes, around
    ``start`` only, what other bookings must not wait for.
    """
    return tuple(
        selectors.slots_near(
            target=start,
            consultant_id=consultant.pk if consultant else None,
            moving=moving,
            now=now,
            limit=ALTERNATIVES,
        )
    )


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


def _blocked(
    start: datetime, policy: BookingPolicy, *, buffers: bool = True
) -> dict[str, datetime]:
    end = start + timedelta(minutes=policy.meeting_minutes)
    return {
        "start": start,
        "end": end,
        "blocked_start": start - policy.buffer_before if buffers else start,
        "blocked_end": end + policy.buffer_after if buffers else end,
    }


def _candidates(
    *,
    start: datetime,
    consultant: Consultant | None,
    stack: str,
    now: datetime,
    staff: StaffBooking | None,
) -> tuple[list[Consultant], BookingPolicy] | BookingResult:
    """Who may take ``start``, best first, and the policy; or why nobody may."""
    if staff is not None and staff.outside_rules:
        if consultant is None:
            raise ValueError("Booking outside the usual rules needs a consultant.")
        # Hours, notice and buffers aside: only the exclusion constraint decides.
        return [consultant], BookingPolicy.current()
    # Without locks: who looks free at ``start``, read around that start only. A
    # taken time is answered here, with its alternatives, having locked nothing.
    check = selectors.start_check(
        start=start,
        consultant_id=consultant.pk if consultant else None,
        now=now,
        nearest=ALTERNATIVES,
    )
    if consultant is not None and check.consultant is None:
        # No longer taking bookings.
        return BookingResult(Outcome.SLOT_TAKEN)
    if not check.free:
        return BookingResult(Outcome.SLOT_TAKEN, alternatives=check.alternatives)
    candidates = _ranked(
        [c for c in check.consultants if c.pk in check.free_ids],
        stack=stack,
        start=start,
    )
    return candidates, check.policy


def booking_create(  # noqa: PLR0913 -- keyword-only, one per form field
    *,
    start: datetime,
    consultant: Consultant | None = None,
    name: str,
    email: str,
    company: str = "",
    topic: str = "",
    client_timezone: str = "UTC",
    hour12: bool | None = None,
    consent: bool,
    manage_link_in_calendar: bool = False,
    assessment: AssessmentLink | None = None,
    idempotency_key: str = "",
    staff: StaffBooking | None = None,
    now: datetime | None = None,
) -> BookingResult:
    """Book ``start`` with ``consultant``, or with whichever consultant fits (``None``).

    ``idempotency_key`` comes from the booking form: the same form submitted twice yields
    the first booking (outcome DUPLICATE, same manage token) instead of an error.
    Each consultant tried is locked alone, in a transaction of its own (see the module).
    ``staff`` books on the client's behalf (see ``StaffBooking``): with ``consultant``
    given, and signed in the call's notes.
    """
    if not consent:
        raise ValueError("A booking needs the client's consent to store their details.")
    now = now or timezone.now()
    manage_token = (
        token_for_submission(idempotency_key) if idempotency_key else token_new()[0]
    )
    hashed = token_hash(manage_token)

    existing = Booking.objects.select_related("consultant").filter(
        links__token_hash=hashed
    )
    if booking := existing.first():
        return BookingResult(Outcome.DUPLICATE, booking, manage_token)

    # The partial unique index cannot see the clock: a past call still confirmed would
    # keep its client from booking again. It moves to "awaiting outcome", as the scan
    # would a minute later; what came of it is left for its consultant to record.
    booking_outcomes_due(now=now, email=email)
    extra_call_reason = staff.extra_call_reason.strip() if staff else ""
    if not extra_call_reason and _active_for_email(email).exists():
        return BookingResult(Outcome.EMAIL_HAS_BOOKING)

    stack = assessment.stack if assessment else ""
    found = _candidates(
        start=start, consultant=consultant, stack=stack, now=now, staff=staff
    )
    if isinstance(found, BookingResult):
        return found
    candidates, policy = found
    attempt = _Attempt(
        start=start,
        policy=policy,
        now=now,
        manage_token=manage_token,
        existing=existing,
        email=email,
        staff=staff,
        fields={
            "name": name,
            "email": _address(email),
            "email_key": email_key(email),
            "company": company,
            "topic": topic,
            "client_timezone": client_timezone,
            # The clock the client booked on; None: the one of their zone's country.
            "hour12": zone_prefers_12_hour(client_timezone)
            if hour12 is None
            else hour12,
            "consent": True,
            "consented_at": now,
            "manage_link_in_calendar": manage_link_in_calendar,
            "assessment_id": _assessment_id(assessment),
            "assessment_ref": assessment.reference if assessment else "",
            "stack": stack,
            "extra_call_reason": extra_call_reason,
            **_blocked(start, policy, buffers=staff is None or not staff.outside_rules),
        },
    )
    deadline = _Deadline()
    try:
        # First whoever is not being booked right now, without waiting for them; then,
        # within the time left, those whose rows another booking had locked.
        locked_out = []
        for candidate in candidates:
            try:
                result = attempt.with_consultant(
                    candidate, timeout_ms=deadline.remaining_ms(), skip_locked=True
                )
            except _Skipped:
                locked_out.append(candidate)
                continue
            if result is not None:
                return result
        for candidate in locked_out:
            try:
                result = attempt.with_consultant(
                    candidate, timeout_ms=deadline.remaining_ms()
                )
            except _Skipped:
                continue
            if result is not None:
                return result
    except OperationalError as error:
        if not _lock_timed_out(error):
            raise
        return BookingResult(Outcome.BUSY)
    return BookingResult(
        Outcome.SLOT_TAKEN,
        alternatives=_alternatives(start=start, consultant=consultant, now=now),
    )


@dataclass(frozen=True)
class _Attempt:
    """One booking request, tried with one consultant at a time."""

    start: datetime
    policy: BookingPolicy
    now: datetime
    manage_token: str
    existing: QuerySet[Booking]
    email: str
    # The new row's fields, the consultant aside.
    fields: dict[str, object]
    staff: StaffBooking | None = None

    def with_consultant(
        self, candidate: Consultant, *, timeout_ms: int, skip_locked: bool = False
    ) -> BookingResult | None:
        """Book with ``candidate`` under its row lock; None if it is not free after all.

        Locks as ``_lock_consultant`` (``_Skipped``, or ``OperationalError`` when the
        lock, or a row another booking is writing, is not had within ``timeout_ms``).
        """
        with transaction.atomic():
            locked = _lock_consultant(
                candidate.pk, timeout_ms=timeout_ms, skip_locked=skip_locked
            )
            # After the lock, so a concurrent copy of this submission has committed.
            if booking := self.existing.first():
                return BookingResult(Outcome.DUPLICATE, booking, self.manage_token)
            outside_rules = self.staff is not None and self.staff.outside_rules
            if not outside_rules and not _free_consultants(
                [locked], policy=self.policy, start=self.start, now=self.now
            ):
                return None
            try:
                with transaction.atomic():
                    booking = Booking.objects.create(consultant=locked, **self.fields)
                    links.booking_link_create(
                        booking=booking,
                        origin=BookingLinkOrigin.BOOKED,
                        token=self.manage_token,
                        now=self.now,
                    )
                    # The confirmation emails are outbox rows written in the booking's
                    # own transaction, so they exist exactly when the booking does;
                    # they are sent on commit. This is the one place the manage token
                    # is known, so the client's email is rendered here with its link.
                    booking_emails.created_emails_queue(
                        booking=booking, manage_token=self.manage_token, now=self.now
                    )
                    events.booking_created.send(Booking, booking=booking, now=self.now)
                    if self.staff is not None:
                        _staff_booking_note(booking, self.staff, now=self.now)
            except IntegrityError:
                # Only reachable when the re-check was overtaken (the lock makes that
                # rare on PostgreSQL); the constraints had the last word, so explain
                # which one.
                if booking := self.existing.first():
                    return BookingResult(Outcome.DUPLICATE, booking, self.manage_token)
                extra_call = bool(self.fields.get("extra_call_reason"))
                if not extra_call and _active_for_email(self.email).exists():
                    return BookingResult(Outcome.EMAIL_HAS_BOOKING)
                return None
            return BookingResult(Outcome.CREATED, booking, self.manage_token)


def _reload(booking: Booking) -> Booking:
    return Booking.objects.select_related("consultant").get(pk=booking.pk)


def booking_reschedule(
    *,
    booking: Booking,
    new_start: datetime,
    now: datetime | None = None,
    by_client: bool = False,
) -> ChangeResult:
    """Move ``booking`` (same row, same calendar event, SEQUENCE + 1) to ``new_start``.

    The new time must be free under the same rules a new booking meets; the booking's own
    current time does not count against it. The consultant's row is locked for the
    re-check, waiting ``BOOKING_LOCK_TIMEOUT_MS`` at most (then ``Outcome.BUSY``); the
    alternatives to a taken time are computed after the lock is released. A client
    (``by_client``) moves no call of a consultant who has stopped taking bookings
    (``Outcome.NOT_ACTIVE``): staff hand it to a colleague, or move it themselves.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            result = _reschedule_locked(
                booking=booking,
                new_start=new_start,
                now=now,
                consultant_active=by_client,
            )
    except OperationalError as error:
        if not _lock_timed_out(error):
            raise
        return ChangeResult(Outcome.BUSY, _reload(booking))
    if result.outcome == Outcome.SLOT_TAKEN:
        return replace(
            result,
            alternatives=_alternatives(
                start=new_start,
                consultant=result.booking.consultant,
                now=now,
                moving=result.booking,
            ),
        )
    return result


def _reschedule_locked(
    *,
    booking: Booking,
    new_start: datetime,
    now: datetime,
    outside_rules: bool = False,
    consultant_active: bool = False,
) -> ChangeResult:
    policy = BookingPolicy.current()
    _lock_timeout_set(settings.BOOKING_LOCK_TIMEOUT_MS)
    Consultant.objects.select_for_update().filter(pk=booking.consultant_id).first()
    current = _reload(booking)
    if current.consultant_id != booking.consultant_id:
        # Handed to a colleague since it was read: the lock held is the wrong one, and
        # taking theirs now could deadlock with another handover. Nothing is decided;
        # the same request, sent again, locks the right consultant.
        return ChangeResult(Outcome.BUSY, current)

    if current.status != BookingStatus.CONFIRMED or (
        consultant_active and not current.consultant.is_active
    ):
        return ChangeResult(Outcome.NOT_ACTIVE, current)
    if current.start <= now:
        return ChangeResult(Outcome.TOO_LATE, current)
    if new_start == current.start:
        return ChangeResult(Outcome.UNCHANGED, current)
    previous_start, previous_end = current.start, current.end

    if not outside_rules and not _free_consultants(
        [current.consultant],
        policy=policy,
        start=new_start,
        now=now,
        exclude_booking_id=current.pk,
    ):
        return ChangeResult(Outcome.SLOT_TAKEN, current)
    try:
        with transaction.atomic():
            # Compare-and-swap: only a booking still confirmed at the sequence we read
            # moves, so a cancel or move that got in first wins cleanly.
            moved = Booking.objects.filter(
                pk=current.pk,
                status=BookingStatus.CONFIRMED,
                sequence=current.sequence,
            ).update(
                **_blocked(new_start, policy, buffers=not outside_rules),
                sequence=F("sequence") + 1,
                updated_at=now,
            )
    except IntegrityError:
        return ChangeResult(Outcome.SLOT_TAKEN, current)
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


@dataclass(frozen=True)
class StaffBooking:
    """A call booked by a member of staff on the client's behalf.

    With ``outside_rules_reason`` the start need not be one the client would be
    offered (notice, buffers, working hours, time off and the horizon aside); the
    exclusion constraint still refuses any overlap with another call. With
    ``extra_call_reason`` the call is booked beside the client's other upcoming one
    (it is not their one free consultation).
    """

    by: AbstractBaseUser | AnonymousUser
    outside_rules_reason: str = ""
    extra_call_reason: str = ""

    @property
    def outside_rules(self) -> bool:
        return bool(self.outside_rules_reason.strip())


def _by_name(user: AbstractBaseUser | AnonymousUser) -> str:
    full = getattr(user, "get_full_name", lambda: "")()
    return full or user.get_username()


def _staff_booking_note(
    booking: Booking, staff: StaffBooking, *, now: datetime
) -> None:
    when = short_label(
        booking.start, booking.consultant.zone, booking.consultant.timezone
    )
    text = f"Booked for the client by {_by_name(staff.by)} for {when}."
    if staff.outside_rules:
        text += f" Outside the usual rules: {staff.outside_rules_reason.strip()}"
    if reason := staff.extra_call_reason.strip():
        text += f" Beside the client's other upcoming call: {reason}"
    note_add(
        model=BookingNote,
        author=staff.by,
        kind=NoteKind.STATUS,
        text=text,
        now=now,
        booking=booking,
    )


def booking_move_by_staff(
    *,
    booking: Booking,
    new_start: datetime,
    by: AbstractBaseUser | AnonymousUser,
    reason: str,
    now: datetime | None = None,
) -> ChangeResult:
    """Move ``booking`` to any start to come, outside the usual rules, for ``reason``.

    Notice, buffers, working hours, time off and the horizon do not apply; the move
    goes through ``booking_reschedule``'s locking and compare-and-swap, and the
    exclusion constraint still refuses an overlap with another call
    (``Outcome.SLOT_TAKEN``). The reason is kept, signed by ``by``, in the call's
    notes; the client is emailed the new time as for any move.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why the usual rules do not apply.", code="required")
    now = now or timezone.now()
    if new_start <= now:
        return ChangeResult(Outcome.TOO_LATE, _reload(booking))
    try:
        with transaction.atomic():
            result = _reschedule_locked(
                booking=booking, new_start=new_start, now=now, outside_rules=True
            )
            if result.outcome == Outcome.MOVED:
                moved = result.booking
                when = short_label(
                    moved.start, moved.consultant.zone, moved.consultant.timezone
                )
                note_add(
                    model=BookingNote,
                    author=by,
                    kind=NoteKind.STATUS,
                    text=f"Moved to {when} by {_by_name(by)}, outside the usual "
                    f"rules: {reason}",
                    now=now,
                    booking=moved,
                )
    except OperationalError as error:
        if not _lock_timed_out(error):
            raise
        return ChangeResult(Outcome.BUSY, _reload(booking))
    return result


@transaction.atomic
def booking_cancel(
    *,
    booking: Booking,
    reason: str = "",
    by: CancelledBy,
    by_user: AbstractBaseUser | AnonymousUser | None = None,
    now: datetime | None = None,
) -> ChangeResult:
    """Cancel a confirmed booking; cancelling again changes nothing and says so.

    Clients can cancel only before the meeting starts; staff can cancel any confirmed
    one, and one awaiting its outcome (``STAFF_CANCELLABLE_STATUSES``). Nobody is
    emailed about a call that has already ended: the calendar event is in the past,
    and a client told after the fact that a call they attended, or waited for, was
    "cancelled" would read it as a mistake; staff who owe the client an apology write
    it themselves. ``by_user`` is the member of staff who cancelled, named to the
    consultant.
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
    cancellable = (
        (BookingStatus.CONFIRMED,)
        if by == CancelledBy.CLIENT
        else STAFF_CANCELLABLE_STATUSES
    )
    cancelled = Booking.objects.filter(pk=booking.pk, status__in=cancellable).update(
        status=BookingStatus.CANCELLED,
        cancel_reason=reason.strip(),
        cancelled_by=by,
        cancelled_by_user_id=by_user.pk if by_user is not None else None,
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


class Handover(enum.StrEnum):
    """What came of handing a call to a colleague (``booking_reassign``)."""

    REASSIGNED = "reassigned"
    # Already theirs: nothing to do.
    UNCHANGED = "unchanged"
    # Not free then, not taking calls, or the call can no longer be handed over.
    REFUSED = "refused"
    # Rows locked by other changes past the lock timeout: nothing decided, try again.
    BUSY = "busy"


@dataclass(frozen=True)
class HandoverResult:
    outcome: Handover
    booking: Booking
    # For the member of staff, when not handed over: why, in words.
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == Handover.REASSIGNED


def booking_reassign(
    *,
    booking: Booking,
    to_consultant: Consultant,
    by_user: AbstractBaseUser | AnonymousUser,
    reason: str = "",
    now: datetime | None = None,
) -> HandoverResult:
    """Hand a confirmed call still to come to ``to_consultant``, at the same time.

    Same row, same UID, SEQUENCE + 1. Both consultants' rows are locked, in id order
    so that two handovers between the same two cannot deadlock, waiting
    ``BOOKING_LOCK_TIMEOUT_MS`` in all (then ``Handover.BUSY``); under the locks the
    new consultant must be active and free at that time (``conflicts.handover_fit``),
    and the exclusion constraint has the last word on overlaps. The client, both
    consultants and the floors above (``events.booking_reassigned``) are told in the
    same transaction; the handover is written on the booking as a note.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _reassign_locked(
                booking=booking,
                to_consultant=to_consultant,
                by_user=by_user,
                reason=reason.strip(),
                now=now,
            )
    except OperationalError as error:
        if not _lock_timed_out(error):
            raise
        return HandoverResult(
            Handover.BUSY,
            _reload(booking),
            "Someone else is changing these consultants' calls just now. Try again.",
        )


def _reassign_locked(
    *,
    booking: Booking,
    to_consultant: Consultant,
    by_user: AbstractBaseUser | AnonymousUser,
    reason: str,
    now: datetime,
) -> HandoverResult:
    policy = BookingPolicy.current()
    previous_id = (
        Booking.objects.filter(pk=booking.pk)
        .values_list("consultant_id", flat=True)
        .first()
    )
    if previous_id is None:
        raise Booking.DoesNotExist
    deadline = _Deadline()
    # In id order: two handovers in opposite directions wait, never deadlock.
    locked: dict[int, Consultant] = {}
    for consultant_id in sorted({previous_id, to_consultant.pk}):
        _lock_timeout_set(deadline.remaining_ms())
        # The one it is handed from may have left (inactive): handing over their
        # calls is what this is for, so their row is locked whatever its state.
        row = Consultant.objects.select_for_update().filter(pk=consultant_id).first()
        if row is not None:
            locked[consultant_id] = row
    current = _reload(booking)
    target = locked.get(to_consultant.pk)

    def refused(message: str) -> HandoverResult:
        return HandoverResult(Handover.REFUSED, current, message)

    if current.consultant_id != previous_id:
        # Handed over by someone else between the read and the lock.
        return refused(
            f"This call was handed to {current.consultant} meanwhile; look again."
        )
    if current.consultant_id == to_consultant.pk:
        return HandoverResult(Handover.UNCHANGED, current)
    if current.status != BookingStatus.CONFIRMED:
        return refused("Only a confirmed call can be handed over.")
    if current.start <= now:
        return refused(
            "This call has started or passed: it can no longer be handed over."
        )
    if target is None or not target.is_active:
        return refused(f"{to_consultant} is not taking calls.")
    why_not = conflicts.handover_fit(
        booking=current, consultants=[target], policy=policy
    )[target.pk]
    if why_not:
        return refused(f"{target} is not free then: {why_not}.")

    previous = locked.get(previous_id) or current.consultant
    try:
        with transaction.atomic():
            # Compare-and-swap on the consultant and SEQUENCE read under the locks.
            changed = Booking.objects.filter(
                pk=current.pk,
                consultant_id=previous_id,
                status=BookingStatus.CONFIRMED,
                sequence=current.sequence,
            ).update(
                consultant=target,
                # The meeting stays; the range it blocks is its own with today's
                # buffers, as the check above read the new consultant's calls.
                blocked_start=current.start - policy.buffer_before,
                blocked_end=current.end + policy.buffer_after,
                sequence=F("sequence") + 1,
                updated_at=now,
            )
    except IntegrityError:
        # The exclusion constraint: a call of theirs that the check did not see.
        return refused(f"{target} has another call at that time.")
    if not changed:
        return refused("This call changed meanwhile; look again.")
    current = _reload(current)
    listing_cache.availability_changed()
    by_name = _by_name(by_user) if getattr(by_user, "pk", None) is not None else ""
    booking_emails.reassigned_emails_queue(
        booking=current,
        previous=previous,
        reason=reason,
        by_name=by_name,
        by_previous=getattr(by_user, "pk", None) == previous.user_id,
        now=now,
    )
    booking_note_add(
        booking=current,
        author=by_user,
        text=f"Handed over from {previous} to {target}"
        + (f": {reason}" if reason else "."),
        now=now,
    )
    events.booking_reassigned.send(
        Booking,
        booking=current,
        previous_consultant=previous,
        by_user=by_user,
        reason=reason,
        now=now,
    )
    return HandoverResult(Handover.REASSIGNED, current)


def _mark(
    *,
    booking: Booking,
    status: BookingStatus,
    now: datetime | None,
) -> bool:
    now = now or timezone.now()
    # Compare-and-swap: only a meeting that has begun and was not cancelled changes
    # (confirmed, awaiting its outcome, or marked the other way by mistake); a
    # cancellation that got in first wins.
    changed = bool(
        Booking.objects.filter(
            pk=booking.pk, status__in=OUTCOME_STATUSES, start__lte=now
        )
        .exclude(status=status)
        .update(status=status, updated_at=now)
    )
    if changed:
        events.booking_outcome_recorded.send(Booking, booking=_reload(booking), now=now)
    return changed


@transaction.atomic
def booking_mark_completed(*, booking: Booking, now: datetime | None = None) -> bool:
    """Record that the call took place; True if the status changed."""
    return _mark(booking=booking, status=BookingStatus.COMPLETED, now=now)


@transaction.atomic
def booking_mark_no_show(
    *, booking: Booking, now: datetime | None = None, email_client: bool = True
) -> bool:
    """Record that the client did not come; True if the status changed.

    With ``email_client`` the client is sent a "sorry we missed you" email with the
    booking page, once per booking and calendar sequence.
    """
    now = now or timezone.now()
    changed = _mark(booking=booking, status=BookingStatus.NO_SHOW, now=now)
    if changed and email_client:
        booking_emails.missed_email_queue(booking=_reload(booking), now=now)
    return changed


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
    # number), and staff's reason for a second call may name them; who cancelled
    # and when stay.
    Booking.objects.filter(pk=booking.pk).update(
        name=name,
        email=email,
        email_key=email_key(email),
        company="",
        topic="",
        cancel_reason="",
        extra_call_reason="",
        updated_at=now,
    )


@transaction.atomic
def booking_confirmation_resend(
    *, booking: Booking, origin: BookingLinkOrigin = BookingLinkOrigin.RESENT
) -> None:
    """Email the client their confirmation again, with a further private manage link.

    The database keeps only the hashes of manage tokens, so a link already sent cannot
    be sent again: a new one is added beside it. The old links keep working (in the
    first email, in the calendar invite) until the client revokes them on the links
    page, which the new email points to. Adding and queuing happen in one
    transaction, so the new link works exactly when its email exists.
    """
    now = timezone.now()
    # The row lock orders concurrent resends.
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
    manage_token = links.booking_link_create(booking=current, origin=origin, now=now)
    Booking.objects.filter(pk=current.pk).update(updated_at=now)
    booking_emails.confirmation_email_queue(
        booking=current, manage_token=manage_token, now=now, resent_at=now
    )


# At most this many bookings per request; the database allows one upcoming per email.
LINKS_RESEND_LIMIT = 3


# The task that does a "lost my link" request's work, off the web request.
LINKS_RESEND_TASK = "bookings.links_resend"


def booking_links_resend(*, email: str, now: datetime | None = None) -> int:
    """Send the confirmation again, with a fresh manage link, for each upcoming booking.

    For "I lost my link": the links sent before keep working. Returns how many were
    sent, which the page never says.
    """
    now = now or timezone.now()
    upcoming = _active_for_email(email.strip()).filter(start__gt=now).order_by("start")
    sent = 0
    for booking in upcoming[:LINKS_RESEND_LIMIT]:
        booking_confirmation_resend(booking=booking, origin=BookingLinkOrigin.LOST_LINK)
        sent += 1
    return sent


def booking_link_revoke(*, booking: Booking, link_id: int, used: BookingLink) -> bool:
    """Revoke one of the booking's manage links, never ``used`` (the one the client
    came in by, ``booking.link`` from ``booking_get_by_token``); True if done."""
    return links.booking_link_revoke(booking=booking, link_id=link_id, keep=used)


def booking_links_revoke_others(*, booking: Booking, used: BookingLink) -> int:
    """Revoke every manage link of the booking but ``used``; return how many."""
    return links.booking_links_revoke_others(booking=booking, keep=used)


def booking_links_delete(*, booking: Booking) -> int:
    """Delete every manage link of the booking, for erasure; return how many."""
    return links.booking_links_delete(booking=booking)


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
