"""Reads for the booking pages and services.

Slots come from a fixed number of queries (policy, consultants, then one query each for
weekly hours, overrides, time off with busy time from the consultants' own calendars, and
active bookings), however many consultants or
bookings there are, and the pure ``availability.free_slots`` does the rest. The booking
page reads and computes only the week it shows (``availability_week_get``), the details
page and the booking service only the time around the wanted start (``start_check``,
``slots_near``), the API's slots only the days asked for (``availability_get`` with a
``window``); the whole horizon is for the benchmarks and tests that need all of it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from bookings import availability, links
from bookings.enums import ACTIVE_STATUSES, HELD_STATUSES, BookingStatus
from bookings.models import (
    MAX_MEETING_MINUTES,
    Booking,
    BookingLink,
    BookingPolicy,
    BusyInterval,
    Consultant,
    DateOverride,
    TimeOff,
    WeeklyHours,
    email_key,
)
from bookings.tokens import MAX_TOKEN_LENGTH, token_hash, token_matches

# The longest a booking lasts: the slot queries bound their reads by it.
LONGEST_CALL = timedelta(minutes=MAX_MEETING_MINUTES)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

# Reaches past the window so that a booking on the same local day (daily cap) or just
# outside it (buffers, stored or current, at most 4 h each) is still seen; zones are
# at most 14 h from UTC.
MARGIN = timedelta(days=2)

# Where the alternatives to a taken time are looked for: the same day either side,
# then the week, then four weeks; never the whole horizon, which at 200 consultants
# and a year ahead takes seconds to compute. Past the last, the booking page's week
# view (which opens on the first free week) is the way on.
NEAR_REACHES = (timedelta(days=1), timedelta(days=7), timedelta(days=28))


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

    # Most consultants keep the same few hours: each distinct range and week is
    # built (and checked) once per read, not once per consultant.
    ranges_made: dict[tuple[time, time], availability.TimeRange] = {}
    weeks_made: dict[tuple, availability.WeeklyHours] = {}
    weekly: defaultdict[int, defaultdict[int, list]] = defaultdict(
        lambda: defaultdict(list)
    )
    # Unordered: the models' default orderings would join the consultants to sort.
    for row in (
        WeeklyHours.objects.filter(consultant_id__in=ids)
        .order_by()
        .values_list("consultant_id", "weekday", "start", "end")
    ):
        consultant_id, weekday, start, end = row
        time_range = ranges_made.get((start, end))
        if time_range is None:
            time_range = ranges_made[start, end] = availability.TimeRange(start, end)
        weekly[consultant_id][weekday].append(time_range)

    overrides: defaultdict[int, defaultdict] = defaultdict(lambda: defaultdict(list))
    for consultant_id, day, start, end in (
        DateOverride.objects.filter(
            consultant_id__in=ids, date__gte=low.date(), date__lte=high.date()
        )
        .order_by()
        .values_list("consultant_id", "date", "start", "end")
    ):
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
    ).order_by()
    if exclude_booking_id is not None:
        bookings = bookings.exclude(pk=exclude_booking_id)
    busy: defaultdict[int, list] = defaultdict(list)
    held: defaultdict[int, list] = defaultdict(list)
    # The stored blocked range too: the exclusion constraint compares those, so a
    # slot is offered only if a booking there would pass it (see availability).
    for (
        consultant_id,
        status,
        start,
        end,
        blocked_start,
        blocked_end,
    ) in bookings.values_list(
        "consultant_id", "status", "start", "end", "blocked_start", "blocked_end"
    ):
        if status in ACTIVE_STATUSES:
            busy[consultant_id].append(
                availability.Busy(start, end, blocked_start, blocked_end)
            )
        else:
            held[consultant_id].append(availability.Busy(start, end))

    schedules = []
    for consultant in consultants:
        key = consultant.pk
        try:
            days = tuple(
                sorted((day, _merged(ranges)) for day, ranges in weekly[key].items())
            )
            week = weeks_made.get(days)
            if week is None:
                week = weeks_made[days] = availability.WeeklyHours(dict(days))
            schedule = availability.ConsultantSchedule(
                key=key,
                tz=consultant.zone,
                weekly=week,
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
    window: tuple[datetime, datetime] | None = None,
) -> Availability:
    """Free slots over the whole booking horizon, of one consultant or of all (the union).

    ``exclude_booking_id`` shows the times a booking could move to, its own time not
    counting against them. ``window`` (start, end) reads and computes only the slots
    starting in it: what a caller asking for a few days needs, at any scale.
    """
    now = now or timezone.now()
    policy = BookingPolicy.current()
    consultants = consultants_active()
    chosen = [c for c in consultants if consultant_id in {None, c.pk}]
    horizon_end = now + timedelta(days=policy.horizon_days)
    start, end = window or (now, horizon_end)
    if max(start, now) >= min(end, horizon_end):
        return Availability(policy=policy, consultants=consultants, slots=[], now=now)
    schedules = schedules_for(
        chosen,
        window_start=max(start, now),
        window_end=min(end, horizon_end),
        exclude_booking_id=exclude_booking_id,
    )
    slots = availability.free_slots(schedules, policy.to_policy(), now, start, end)
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


def client_has_upcoming_call(*, email: str) -> bool:
    """Whether the mailbox ``email`` reaches has a confirmed call (``email_key``)."""
    return Booking.objects.filter(
        email_key=email_key(email), status=BookingStatus.CONFIRMED
    ).exists()


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
    looks ahead for the next free time a span of weeks at a time (``FORWARD_WEEKS``),
    four queries a span, stopping at the first span that has one.
    """
    now = now or timezone.now()
    policy = BookingPolicy.current()
    consultants = consultants_active()
    chosen = [c for c in consultants if c.pk == consultant_id] or consultants
    return _week_of(
        chosen, policy=policy, consultants=consultants, zone=zone, week=week, now=now
    )


def consultant_week_get(
    *,
    consultant: Consultant,
    zone: ZoneInfo,
    week: date | None = None,
    moving: Booking | None = None,
    now: datetime | None = None,
) -> WeekAvailability:
    """One consultant's free slots of one week in ``zone``: a call being moved, or booked by staff.

    As ``availability_week_get`` (the same bounded reads, opening on the week of the
    first free time when no week is asked for), for ``consultant`` whether or not
    they take new bookings; for a booking ``moving``, the times it could move to
    (its own time aside: the booking gives up its time, so it neither counts
    against the day's cap nor blocks nearby times with its buffers).
    """
    now = now or timezone.now()
    found = _week_of(
        [consultant],
        policy=BookingPolicy.current(),
        consultants=[consultant],
        zone=zone,
        week=week,
        now=now,
        exclude_booking_id=moving.pk if moving is not None else None,
    )
    if moving is None:
        return found
    own = moving.start
    return replace(
        found,
        slots=[slot for slot in found.slots if slot.start != own],
        next_slot=found.next_slot
        if found.next_slot is None or found.next_slot.start != own
        else None,
    )


def _week_of(  # noqa: PLR0913 -- keyword-only, the week and whose it is
    chosen: Sequence[Consultant],
    *,
    policy: BookingPolicy,
    consultants: list[Consultant],
    zone: ZoneInfo,
    week: date | None,
    now: datetime,
    exclude_booking_id: int | None = None,
) -> WeekAvailability:
    rules = policy.to_policy()
    horizon_end = now + timedelta(days=policy.horizon_days)
    weeks = availability.week_shown(
        week, now=now, horizon_days=policy.horizon_days, zone=zone
    )
    shown = weeks.monday

    start = _local_midnight(shown, zone)
    end = _local_midnight(shown + timedelta(days=7), zone)
    schedules = schedules_for(
        chosen,
        window_start=max(start, now),
        window_end=min(end, horizon_end),
        exclude_booking_id=exclude_booking_id,
    )
    slots = availability.free_slots(schedules, rules, now, start, end)
    next_slot = None
    if not slots and end < horizon_end:
        later, searched = _first_free_weeks(
            chosen,
            rules,
            now=now,
            zone=zone,
            monday=shown + timedelta(days=7),
            horizon_end=horizon_end,
            exclude_booking_id=exclude_booking_id,
        )
        if later and week is None:
            # No week asked for: open where the first free time is.
            shown = availability.week_monday(later[0].start.astimezone(zone).date())
            shown_start = _local_midnight(shown, zone)
            shown_end = _local_midnight(shown + timedelta(days=7), zone)
            if shown_end > searched[1]:
                # The week runs past the weeks searched: read it whole.
                week_schedules = schedules_for(
                    chosen,
                    window_start=shown_start,
                    window_end=min(shown_end, horizon_end),
                    exclude_booking_id=exclude_booking_id,
                )
                later = availability.free_slots(
                    week_schedules, rules, now, shown_start, shown_end
                )
            slots = [s for s in later if shown_start <= s.start < shown_end]
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


def week_opened(
    read: Callable[[date | None], WeekAvailability],
    *,
    requested: date | None,
    zone: ZoneInfo,
) -> WeekAvailability:
    """The week a page shows: ``read(requested)``; with no week asked for, from today,
    or from the first day with a free time when today's seven days have none (rather
    than from the Monday of its week)."""
    found = read(requested)
    if requested is None and found.week != found.first_week and found.slots:
        first_free = found.slots[0].start.astimezone(zone).date()
        if first_free != found.week:
            found = read(first_free)
    return found


# How far ahead a week without free time looks for the next one, in weeks: the next
# week, then a month, a quarter and the rest of the horizon, stopping at the first
# that holds a free time. A year ahead for 200 consultants takes seconds to compute;
# the next free time is almost always within the first.
FORWARD_WEEKS = (1, 4, 13, 53)


def _first_free_weeks(  # noqa: PLR0913 -- keyword-only, the search and its bounds
    chosen: Sequence[Consultant],
    rules: availability.Policy,
    *,
    now: datetime,
    zone: ZoneInfo,
    monday: date,
    horizon_end: datetime,
    exclude_booking_id: int | None = None,
) -> tuple[list[availability.Slot], tuple[datetime, datetime]]:
    """The free slots of the first span of weeks from ``monday`` that has any.

    Spans of ``FORWARD_WEEKS`` weeks in ``zone``, one after another, up to
    ``horizon_end``; with the span searched last (its bounds as instants).
    """
    span_start = _local_midnight(monday, zone)
    span_end = span_start
    for weeks in FORWARD_WEEKS:
        if span_start >= horizon_end:
            break
        monday += timedelta(days=7 * weeks)
        span_end = _local_midnight(monday, zone)
        schedules = schedules_for(
            chosen,
            window_start=span_start,
            window_end=min(span_end, horizon_end),
            exclude_booking_id=exclude_booking_id,
        )
        found = availability.free_slots(schedules, rules, now, span_start, span_end)
        if found:
            return found, (span_start, span_end)
        span_start = span_end
    return [], (span_start, span_end)


@dataclass(frozen=True)
class StartCheck:
    policy: BookingPolicy
    consultants: list[Consultant]
    # The consultant asked for, if active (else the start is checked with anyone).
    consultant: Consultant | None
    free: bool
    # The consultants free at the start, by id.
    free_ids: tuple[int, ...] = ()
    # The free times nearest the start, when it is not free and they were asked for.
    alternatives: tuple[availability.Slot, ...] = ()


def start_check(
    *,
    start: datetime,
    consultant_id: int | None = None,
    now: datetime | None = None,
    nearest: int = 0,
    read: bool = True,
) -> StartCheck:
    """Whether ``availability_get`` would offer ``start``, without listing every slot.

    Reads only the bookings around ``start`` (the same six queries). With ``nearest``,
    a start that is not free comes with that many free times nearest it
    (``slots_near``), the first window searched served by the same read. With
    ``read`` False nothing but the policy and consultants is read (``free`` False):
    for a page that already knows the start is taken.
    """
    now = now or timezone.now()
    policy = BookingPolicy.current()
    consultants = consultants_active()
    consultant = next((c for c in consultants if c.pk == consultant_id), None)
    chosen = [consultant] if consultant else consultants
    if not read:
        return StartCheck(
            policy=policy, consultants=consultants, consultant=consultant, free=False
        )
    # Read for the first window the alternatives would search: it holds the start.
    around = (start - NEAR_REACHES[0], start + NEAR_REACHES[0])
    schedules = schedules_for(chosen, window_start=around[0], window_end=around[1])
    rules = policy.to_policy()
    free_ids = tuple(
        int(schedule.key)
        for schedule in schedules
        if availability.is_slot_free(schedule, rules, start, now)
    )
    alternatives: tuple[availability.Slot, ...] = ()
    if nearest and not free_ids:
        alternatives = tuple(
            _slots_near(
                chosen=chosen,
                policy=policy,
                now=now,
                target=start,
                limit=nearest,
                known=(around, schedules),
            )
        )
    return StartCheck(
        policy=policy,
        consultants=consultants,
        consultant=consultant,
        free=bool(free_ids),
        free_ids=free_ids,
        alternatives=alternatives,
    )


def slots_near(
    *,
    target: datetime,
    consultant_id: int | None = None,
    moving: Booking | None = None,
    now: datetime | None = None,
    limit: int = 3,
) -> list[availability.Slot]:
    """The ``limit`` free slots nearest ``target``, as ``availability_get`` lists them.

    Of one consultant (an inactive one has none) or of anyone; for a booking
    ``moving``, the times it could move to (its consultant's, its own time aside, as
    its own time aside). Searches windows around ``target`` (``NEAR_REACHES``),
    widening only while it has found fewer than ``limit``: two queries and four per
    window, and only the bookings of those windows read and computed.
    """
    now = now or timezone.now()
    policy = BookingPolicy.current()
    exclude_booking_id = own_start = None
    if moving is not None:
        consultant_id = moving.consultant_id
        exclude_booking_id, own_start = moving.pk, moving.start
    consultants = consultants_active()
    return _slots_near(
        chosen=[c for c in consultants if consultant_id in {None, c.pk}],
        policy=policy,
        now=now,
        target=target,
        limit=limit,
        exclude_booking_id=exclude_booking_id,
        own_start=own_start,
    )


def _slots_near(  # noqa: PLR0913 -- keyword-only, the search and what it excludes
    *,
    chosen: Sequence[Consultant],
    policy: BookingPolicy,
    now: datetime,
    target: datetime,
    limit: int,
    exclude_booking_id: int | None = None,
    own_start: datetime | None = None,
    known: tuple[tuple[datetime, datetime], list[availability.ConsultantSchedule]]
    | None = None,
) -> list[availability.Slot]:
    """``slots_near`` for ``chosen``; ``known`` is a read already made for a window."""
    rules = policy.to_policy()
    low = now + timedelta(minutes=policy.minimum_notice_minutes)
    high = now + timedelta(days=policy.horizon_days)

    def find(window_start: datetime, window_end: datetime) -> list[availability.Slot]:
        window_start, window_end = max(window_start, low), min(window_end, high)
        if not chosen or window_start >= window_end:
            return []
        if known and known[0][0] <= window_start and window_end <= known[0][1]:
            schedules = known[1]
        else:
            schedules = schedules_for(
                chosen,
                window_start=window_start,
                window_end=window_end,
                exclude_booking_id=exclude_booking_id,
            )
        found = availability.free_slots(schedules, rules, now, window_start, window_end)
        return [slot for slot in found if slot.start != own_start]

    return availability.slots_near(find, target, limit=limit, reaches=NEAR_REACHES)


def booking_get_by_token(token: str) -> Booking | None:
    """The booking behind an active manage link, or None.

    It carries ``link``, the manage link it was opened by, whose "last used" this
    lookup brings up to date (the client's links page shows it).
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    # The link and its booking in one query: the join finds the link by its hash.
    booking = (
        Booking.objects.select_related("consultant")
        .filter(links__token_hash=token_hash(token), links__revoked_at__isnull=True)
        .annotate(
            link_pk=F("links__pk"),
            link_hash=F("links__token_hash"),
            link_last_used_at=F("links__last_used_at"),
        )
        .first()
    )
    # The lookup is by hash, so its timing says nothing about the token; the
    # constant-time comparison guards against a store that matched loosely.
    if booking is None or not token_matches(token, booking.link_hash):
        return None
    link = BookingLink(
        pk=booking.link_pk,
        booking=booking,
        token_hash=booking.link_hash,
        last_used_at=booking.link_last_used_at,
    )
    links.link_used(link)
    booking.link = link
    return booking


def booking_links_active(booking: Booking) -> list[BookingLink]:
    """The booking's manage links that still work, for the client's links page."""
    return list(links.booking_links_active(booking))
