"""Reads for the booking pages and services.

Slots come from a fixed number of queries (policy, consultants, then one query each for
weekly hours, overrides, time off with busy time from the consultants' own calendars, and
active bookings), however many consultants or
bookings there are, and the pure ``availability.free_slots`` does the rest. The booking
page reads and computes only the week it shows (``availability_week_get``); the whole
horizon (``availability_get``) is for the pages that need to search all of it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef
from django.utils import timezone

from bookings import availability
from bookings.enums import ACTIVE_STATUSES, HELD_STATUSES, BookingStatus
from bookings.models import (
    MAX_MEETING_MINUTES,
    Booking,
    BookingPolicy,
    BusyInterval,
    Consultant,
    DateOverride,
    TimeOff,
    WeeklyHours,
)
from bookings.tokens import MAX_TOKEN_LENGTH, token_hash, token_matches

# The longest a booking lasts: the slot queries bound their reads by it.
LONGEST_CALL = timedelta(minutes=MAX_MEETING_MINUTES)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

# Reaches past the window so that a booking on the same local day (daily cap) or just
# outside it (buffers) is still seen; zones are at most 14 h from UTC.
MARGIN = timedelta(days=2)


@dataclass(frozen=True)
class Availability:
    policy: BookingPolicy
    consultants: list[Consultant]
    slots: list[availability.Slot]
    now: datetime

    @property
    def consultants_by_id(self) -> dict[int, Consultant]:
        return {consultant.pk: consultant for consultant in self.consultants}


def consultants_active() -> list[Consultant]:
    return list(Consultant.objects.filter(is_active=True))


def consultant_active_get(consultant_id: int) -> Consultant | None:
    return Consultant.objects.filter(pk=consultant_id, is_active=True).first()


def consultant_id_for_user(user_id: int | None) -> int | None:
    """The consultant profile of a staff user, if they have one."""
    return (
        Consultant.objects.filter(user_id=user_id).values_list("pk", flat=True).first()
    )


def booking_policy_saved() -> bool:
    """Whether the one policy row exists; until then ``BookingPolicy.current`` is defaults."""
    return BookingPolicy.objects.exists()


def _merged(
    ranges: Iterable[availability.TimeRange],
) -> tuple[availability.TimeRange, ...]:
    # Staff may enter overlapping rows for one day; the union is what they mean, and the
    # pure function refuses overlaps, so merge them rather than fail the whole page.
    merged: list[availability.TimeRange] = []
    for item in sorted(ranges, key=lambda r: r.start_offset):
        if merged and item.start_offset <= merged[-1].end_offset:
            last = merged[-1]
            if item.end_offset > last.end_offset:
                merged[-1] = availability.TimeRange(last.start, item.end)
        else:
            merged.append(item)
    return tuple(merged)


def schedules_for(
    consultants: Sequence[Consultant],
    *,
    window_start: datetime,
    window_end: datetime,
    exclude_booking_id: int | None = None,
) -> list[availability.ConsultantSchedule]:
    """The consultants' rules and bookings around ``[window_start, window_end)``.

    Four queries for any number of consultants. ``exclude_booking_id`` leaves out the
    booking being moved, so it does not block its own new time.
    """
    ids = [consultant.pk for consultant in consultants]
    low, high = window_start - MARGIN, window_end + MARGIN

    weekly: defaultdict[int, defaultdict[int, list]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in WeeklyHours.objects.filter(consultant_id__in=ids).values_list(
        "consultant_id", "weekday", "start", "end"
    ):
        consultant_id, weekday, start, end = row
        weekly[consultant_id][weekday].append(availability.TimeRange(start, end))

    overrides: defaultdict[int, defaultdict] = defaultdict(lambda: defaultdict(list))
    for consultant_id, day, start, end in DateOverride.objects.filter(
        consultant_id__in=ids, date__gte=low.date(), date__lte=high.date()
    ).values_list("consultant_id", "date", "start", "end"):
        ranges = overrides[consultant_id][day]
        if start is not None:
            ranges.append(availability.TimeRange(start, end))

    # Busy time from the consultants' own calendars blocks a meeting exactly as time
    # off does (the meeting, not its buffers, and without counting towards the daily
    # cap), so both are read in one query.
    time_off: defaultdict[int, list] = defaultdict(list)
    for consultant_id, start, end in (
        # Unordered: SQLite refuses ORDER BY inside a compound statement.
        TimeOff.objects.filter(consultant_id__in=ids, start__lt=high, end__gt=low)
        .order_by()
        .values_list("consultant_id", "start", "end")
        .union(
            BusyInterval.objects.filter(
                consultant_id__in=ids, end__gt=low, start__lt=high
            )
            .order_by()
            .values_list("consultant_id", "start", "end"),
            all=True,
        )
    ):
        time_off[consultant_id].append(availability.TimeOff(start, end))

    bookings = Booking.objects.filter(
        consultant_id__in=ids,
        status__in=(*ACTIVE_STATUSES, *HELD_STATUSES),
        # Bounded on start from both sides, so the (consultant, start) index reads
        # only the window, not every past booking: a call that ends after ``low``
        # began at most LONGEST_CALL before it.
        start__gte=low - LONGEST_CALL,
        start__lt=high,
        end__gt=low,
    )
    if exclude_booking_id is not None:
        bookings = bookings.exclude(pk=exclude_booking_id)
    busy: defaultdict[int, list] = defaultdict(list)
    held: defaultdict[int, list] = defaultdict(list)
    for consultant_id, status, start, end in bookings.values_list(
        "consultant_id", "status", "start", "end"
    ):
        into = busy if status in ACTIVE_STATUSES else held
        into[consultant_id].append(availability.Busy(start, end))

    schedules = []
    for consultant in consultants:
        key = consultant.pk
        try:
            schedule = availability.ConsultantSchedule(
                key=key,
                tz=consultant.zone,
                weekly=availability.WeeklyHours(
                    {day: _merged(ranges) for day, ranges in weekly[key].items()}
                ),
                overrides=tuple(
                    availability.DateOverride(day, _merged(ranges))
                    for day, ranges in overrides[key].items()
                ),
                time_off=tuple(time_off[key]),
                busy=tuple(busy[key]),
                held=tuple(held[key]),
            )
        except (ValueError, TypeError, LookupError):
            # One consultant's broken data must not take the booking page down.
            logger.exception("Skipping consultant %s: invalid schedule", key)
            continue
        schedules.append(schedule)
    return schedules


def availability_get(
    *,
    consultant_id: int | None = None,
    now: datetime | None = None,
    exclude_booking_id: int | None = None,
) -> Availability:
    """Free slots over the whole booking horizon, of one consultant or of all (the union).

    ``exclude_booking_id`` shows the times a booking could move to, its own time not
    counting against them.
    """
    now = now or timezone.now()
    policy = BookingPolicy.current()
    consultants = consultants_active()
    chosen = [c for c in consultants if consultant_id in {None, c.pk}]
    horizon_end = now + timedelta(days=policy.horizon_days)
    schedules = schedules_for(
        chosen,
        window_start=now,
        window_end=horizon_end,
        exclude_booking_id=exclude_booking_id,
    )
    slots = availability.free_slots(schedules, policy.to_policy(), now)
    return Availability(policy=policy, consultants=consultants, slots=slots, now=now)


def assessment_booked() -> Exists:
    """Whether any call was booked from the assessment of the outer query."""
    return Exists(Booking.objects.filter(assessment=OuterRef("pk")))


def bookings_of_assessment(*, assessment_id: int) -> list[Booking]:
    """The calls booked from an assessment, latest first, with their consultants."""
    return list(
        Booking.objects.filter(assessment_id=assessment_id)
        .select_related("consultant")
        .order_by("-start")
    )


def booking_move_slots(
    *, booking: Booking, now: datetime | None = None
) -> list[availability.Slot]:
    """The free times ``booking`` could move to: its consultant's, its own time aside.

    The booking gives up its time, so it neither counts against the day's cap nor blocks
    nearby times with its buffers; its own time is no move at all.
    """
    return booking_move_availability(booking=booking, now=now).slots


def booking_move_availability(
    *, booking: Booking, now: datetime | None = None
) -> Availability:
    """``booking_move_slots`` with the policy they were computed under."""
    found = availability_get(
        consultant_id=booking.consultant_id, now=now, exclude_booking_id=booking.pk
    )
    return replace(
        found, slots=[slot for slot in found.slots if slot.start != booking.start]
    )


def booking_can_move(booking: Booking, *, now: datetime) -> bool:
    """A confirmed call not yet begun, as ``services.booking_reschedule`` requires."""
    return booking.status == BookingStatus.CONFIRMED and booking.start > now


def booking_can_resend_confirmation(booking: Booking, *, now: datetime) -> bool:
    """Only an upcoming confirmed call has a confirmation worth sending again."""
    return booking.status == BookingStatus.CONFIRMED and booking.end > now


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    # The first instant of the local date: in a fall-back fold fold=0 is the earlier
    # occurrence, and in a spring-forward gap it is the instant the clock jumps.
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class WeekAvailability:
    policy: BookingPolicy
    consultants: list[Consultant]
    # Mondays in the viewer's zone: the week shown and the bounds of week navigation.
    week: date
    first_week: date
    last_week: date
    # Free slots whose start falls in the shown week, local to the viewer.
    slots: list[availability.Slot]
    # The first free slot after the week; looked for only when the week has none.
    next_slot: availability.Slot | None
    now: datetime


def availability_week_get(
    *,
    zone: ZoneInfo,
    week: date | None = None,
    consultant_id: int | None = None,
    now: datetime | None = None,
) -> WeekAvailability:
    """The free slots of one week in ``zone``, as ``availability_get`` would list them.

    ``week`` is any day of the week wanted, kept within the horizon; without it, the
    week of the first free time. A ``consultant_id`` that is not an active consultant
    means anyone, as the booking page shows. Reads only the bookings and time off
    around the week (the same six queries for every week); a week without free time
    reads the rest of the horizon once more, to name the next free time.
    """
    now = now or timezone.now()
    policy = BookingPolicy.current()
    consultants = consultants_active()
    chosen = [c for c in consultants if c.pk == consultant_id] or consultants
    rules = policy.to_policy()
    horizon_end = now + timedelta(days=policy.horizon_days)
    weeks = availability.week_shown(
        week, now=now, horizon_days=policy.horizon_days, zone=zone
    )
    shown = weeks.monday

    start = _local_midnight(shown, zone)
    end = _local_midnight(shown + timedelta(days=7), zone)
    schedules = schedules_for(
        chosen, window_start=max(start, now), window_end=min(end, horizon_end)
    )
    slots = availability.free_slots(schedules, rules, now, start, end)
    next_slot = None
    if not slots and end < horizon_end:
        later_schedules = schedules_for(
            chosen, window_start=end, window_end=horizon_end
        )
        later = availability.free_slots(later_schedules, rules, now, end)
        if later and week is None:
            # No week asked for: open where the first free time is.
            shown = availability.week_monday(later[0].start.astimezone(zone).date())
            shown_end = _local_midnight(shown + timedelta(days=7), zone)
            slots = [slot for slot in later if slot.start < shown_end]
        elif later:
            next_slot = later[0]
    return WeekAvailability(
        policy=policy,
        consultants=consultants,
        week=shown,
        first_week=weeks.first,
        last_week=weeks.last,
        slots=slots,
        next_slot=next_slot,
        now=now,
    )


@dataclass(frozen=True)
class StartCheck:
    policy: BookingPolicy
    consultants: list[Consultant]
    # The consultant asked for, if active (else the start is checked with anyone).
    consultant: Consultant | None
    free: bool


def start_check(
    *, start: datetime, consultant_id: int | None = None, now: datetime | None = None
) -> StartCheck:
    """Whether ``availability_get`` would offer ``start``, without listing every slot.

    Reads only the bookings around ``start`` (the same six queries), so the booking
    form costs a fraction of the slot listing.
    """
    now = now or timezone.now()
    policy = BookingPolicy.current()
    consultants = consultants_active()
    consultant = next((c for c in consultants if c.pk == consultant_id), None)
    schedules = schedules_for(
        [consultant] if consultant else consultants,
        window_start=start,
        window_end=start + timedelta(minutes=policy.meeting_minutes),
    )
    rules = policy.to_policy()
    free = any(
        availability.is_slot_free(schedule, rules, start, now) for schedule in schedules
    )
    return StartCheck(
        policy=policy, consultants=consultants, consultant=consultant, free=free
    )


def slots_nearest(
    slots: Sequence[availability.Slot], target: datetime, *, limit: int = 3
) -> list[availability.Slot]:
    """The ``limit`` free slots closest to ``target`` (either side), in time order."""
    closest = sorted(slots, key=lambda slot: (abs(slot.start - target), slot.start))
    return sorted(closest[:limit], key=lambda slot: slot.start)


def booking_get_by_token(token: str) -> Booking | None:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    booking = (
        Booking.objects.select_related("consultant")
        .filter(manage_token_hash=token_hash(token))
        .first()
    )
    # The lookup is by hash, so its timing says nothing about the token; the
    # constant-time comparison guards against a store that matched loosely.
    if booking is None or not token_matches(token, booking.manage_token_hash):
        return None
    return booking
