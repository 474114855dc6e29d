"""Slot computation: explicit tables with the UTC instants each case must give."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from bookings.availability import (
    Busy,
    ConsultantSchedule,
    DateOverride,
    Policy,
    Slot,
    TimeOff,
    TimeRange,
    WeeklyHours,
    free_slots,
    group_by_local_date,
    is_slot_free,
    next_available,
    slots_for_consultant,
    time_off_for_dates,
)

if TYPE_CHECKING:
    from collections.abc import Callable

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
TOKYO = ZoneInfo("Asia/Tokyo")
KOLKATA = ZoneInfo("Asia/Kolkata")
KATHMANDU = ZoneInfo("Asia/Kathmandu")
CHATHAM = ZoneInfo("Pacific/Chatham")
ST_JOHNS = ZoneInfo("America/St_Johns")
ZONE_UTC = ZoneInfo("UTC")

# Notice off and a long horizon, so tables see every slot of the day they ask for.
OPEN = Policy(minimum_notice_minutes=0, horizon_days=3650)
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)
NAIVE = datetime(2026, 12, 1, 9)  # noqa: DTZ001 - the mistake the module must refuse


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def hours(start: str, end: str) -> TimeRange:
    return TimeRange(time.fromisoformat(start), time.fromisoformat(end))


def every_day(*ranges: TimeRange) -> WeeklyHours:
    return WeeklyHours(dict.fromkeys(range(7), ranges))


def schedule(
    tz: ZoneInfo = ZONE_UTC,
    weekly: WeeklyHours | None = None,
    *,
    key: object = "c1",
    overrides: tuple[DateOverride, ...] = (),
    time_off: tuple[TimeOff, ...] = (),
    busy: tuple[Busy, ...] = (),
    held: tuple[Busy, ...] = (),
) -> ConsultantSchedule:
    return ConsultantSchedule(
        key=key,
        tz=tz,
        weekly=weekly or every_day(hours("09:00", "17:00")),
        overrides=overrides,
        time_off=time_off,
        busy=busy,
        held=held,
    )


def starts_on(
    consultant: ConsultantSchedule,
    day: date,
    policy: Policy = OPEN,
    now: datetime = LONG_AGO,
) -> list[datetime]:
    """Starts offered on the consultant's local ``day``."""
    window_start = datetime.combine(day, time(0), consultant.tz)
    window_end = datetime.combine(day + timedelta(days=1), time(0), consultant.tz)
    slots = free_slots([consultant], policy, now, window_start, window_end)
    return [slot.start for slot in slots]


def every(first: datetime, count: int, minutes: int = 30) -> list[datetime]:
    return [first + timedelta(minutes=minutes * k) for k in range(count)]


# --- DST: working hours stay local ------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "day", "first_utc"),
    [
        (BERLIN, date(2026, 3, 28), utc(2026, 3, 28, 8)),  # CET, +01:00
        (BERLIN, date(2026, 3, 29), utc(2026, 3, 29, 7)),  # spring forward: CEST
        (BERLIN, date(2026, 10, 24), utc(2026, 10, 24, 7)),  # CEST, +02:00
        (BERLIN, date(2026, 10, 25), utc(2026, 10, 25, 8)),  # fall back: CET
        (NEW_YORK, date(2026, 3, 7), utc(2026, 3, 7, 14)),  # EST, -05:00
        (NEW_YORK, date(2026, 3, 8), utc(2026, 3, 8, 13)),  # spring forward: EDT
        (NEW_YORK, date(2026, 10, 31), utc(2026, 10, 31, 13)),  # EDT, -04:00
        (NEW_YORK, date(2026, 11, 1), utc(2026, 11, 1, 14)),  # fall back: EST
    ],
)
def test_free_slots_nine_to_five_stays_local_across_dst(
    tz: ZoneInfo, day: date, first_utc: datetime
) -> None:
    assert starts_on(schedule(tz), day) == every(first_utc, 16)


@pytest.mark.parametrize(
    ("tz", "day", "expected"),
    [
        # 02:00 CET jumps to 03:00 CEST: 02:00 and 02:30 do not exist.
        (
            BERLIN,
            date(2026, 3, 29),
            [*every(utc(2026, 3, 28, 23), 4), *every(utc(2026, 3, 29, 1), 2)],
        ),
        # 03:00 CEST falls back to 02:00 CET: 02:00-02:59 happens twice; only the first
        # occurrence is offered, so nothing starts 01:00-02:00 UTC.
        (
            BERLIN,
            date(2026, 10, 25),
            [*every(utc(2026, 10, 24, 22), 6), *every(utc(2026, 10, 25, 2), 2)],
        ),
        # 02:00 EST jumps to 03:00 EDT.
        (
            NEW_YORK,
            date(2026, 3, 8),
            [*every(utc(2026, 3, 8, 5), 4), *every(utc(2026, 3, 8, 7), 2)],
        ),
        # 02:00 EDT falls back to 01:00 EST: 01:00-01:59 happens twice.
        (
            NEW_YORK,
            date(2026, 11, 1),
            [*every(utc(2026, 11, 1, 4), 4), *every(utc(2026, 11, 1, 7), 4)],
        ),
    ],
)
def test_free_slots_night_hours_on_dst_change_days(
    tz: ZoneInfo, day: date, expected: list[datetime]
) -> None:
    consultant = schedule(tz, every_day(hours("00:00", "04:00")))

    assert starts_on(consultant, day) == expected


def test_free_slots_range_ending_in_gap_ends_when_the_clock_jumps() -> None:
    # 00:00-02:30 on the spring-forward day: 02:30 does not exist; work ends at the jump
    # (01:00 UTC), so a 45-minute meeting may start at 01:15 CET (00:15 UTC) at the latest.
    consultant = schedule(BERLIN, every_day(hours("00:00", "02:30")))
    policy = Policy(
        meeting_minutes=45,
        slot_interval_minutes=15,
        minimum_notice_minutes=0,
        horizon_days=3650,
    )

    assert starts_on(consultant, date(2026, 3, 29), policy) == every(
        utc(2026, 3, 28, 23), 6, minutes=15
    )
    assert is_slot_free(consultant, policy, utc(2026, 3, 29, 0, 15), LONG_AGO)
    assert not is_slot_free(consultant, policy, utc(2026, 3, 29, 0, 30), LONG_AGO)


def test_free_slots_range_starting_in_gap_starts_after_the_jump() -> None:
    consultant = schedule(BERLIN, every_day(hours("02:30", "04:00")))

    assert starts_on(consultant, date(2026, 3, 29)) == [
        utc(2026, 3, 29, 1),
        utc(2026, 3, 29, 1, 30),
    ]


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (utc(2026, 11, 1, 5), True),  # 01:00 EDT, first occurrence
        (utc(2026, 11, 1, 5, 30), True),  # 01:30 EDT
        (utc(2026, 11, 1, 6), False),  # 01:00 EST, second occurrence
        (utc(2026, 11, 1, 6, 30), False),  # 01:30 EST
        (utc(2026, 11, 1, 7), True),  # 02:00 EST
    ],
)
def test_is_slot_free_repeated_hour_only_first_occurrence(
    start: datetime, expected: bool
) -> None:
    consultant = schedule(NEW_YORK, every_day(hours("00:00", "04:00")))

    assert is_slot_free(consultant, OPEN, start, LONG_AGO) is expected


# --- zones off the hour -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "first_utc"),
    [
        (KOLKATA, utc(2026, 12, 1, 3, 30)),  # +05:30
        (KATHMANDU, utc(2026, 12, 1, 3, 15)),  # +05:45
        (CHATHAM, utc(2026, 11, 30, 19, 15)),  # +13:45 (southern summer time)
        (ST_JOHNS, utc(2026, 12, 1, 12, 30)),  # -03:30
    ],
)
def test_free_slots_zone_off_the_hour(tz: ZoneInfo, first_utc: datetime) -> None:
    assert starts_on(schedule(tz), date(2026, 12, 1)) == every(first_utc, 16)


# --- the client's day is not the consultant's day ---------------------------------------


def test_group_by_local_date_client_day_differs_from_consultant_day() -> None:
    # 06:00-09:00 in Los Angeles (-08:00) is 23:00-02:00 in Tokyo (+09:00), a day later.
    consultant = schedule(LOS_ANGELES, every_day(hours("06:00", "09:00")))
    slots = slots_for_consultant(
        consultant,
        OPEN,
        LONG_AGO,
        datetime(2026, 12, 1, tzinfo=LOS_ANGELES),
        datetime(2026, 12, 2, tzinfo=LOS_ANGELES),
    )
    starts = every(utc(2026, 12, 1, 14), 6)

    assert [slot.start for slot in slots] == starts
    assert {
        day: [slot.start for slot in day_slots]
        for day, day_slots in group_by_local_date(slots, TOKYO).items()
    } == {date(2026, 12, 1): starts[:2], date(2026, 12, 2): starts[2:]}
    assert list(group_by_local_date(slots, LOS_ANGELES)) == [date(2026, 12, 1)]


def test_group_by_local_date_sorts_dates_and_slots() -> None:
    late = Slot(utc(2026, 12, 2, 10), utc(2026, 12, 2, 10, 30), ("a",))
    early = Slot(utc(2026, 12, 1, 10), utc(2026, 12, 1, 10, 30), ("a",))
    earlier = Slot(utc(2026, 12, 1, 9), utc(2026, 12, 1, 9, 30), ("a",))

    assert group_by_local_date([late, early, earlier], ZONE_UTC) == {
        date(2026, 12, 1): [earlier, early],
        date(2026, 12, 2): [late],
    }


# --- buffers ----------------------------------------------------------------------------

BUFFERED = Policy(
    slot_interval_minutes=1,
    buffer_before_minutes=10,
    buffer_after_minutes=15,
    minimum_notice_minutes=0,
    horizon_days=3650,
)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # The booking 10:00-10:30 occupies 09:50-10:45.
        (utc(2026, 12, 1, 9, 5), True),  # occupies 08:55-09:50: touches
        (utc(2026, 12, 1, 9, 6), False),  # 08:56-09:51: one minute over
        (utc(2026, 12, 1, 10, 54), False),  # 10:44-11:39: one minute over
        (utc(2026, 12, 1, 10, 55), True),  # 10:45-11:40: touches
    ],
)
def test_is_slot_free_buffer_boundaries(start: datetime, expected: bool) -> None:
    consultant = schedule(busy=(Busy(utc(2026, 12, 1, 10), utc(2026, 12, 1, 10, 30)),))

    assert is_slot_free(consultant, BUFFERED, start, LONG_AGO) is expected
    assert (start in starts_on(consultant, date(2026, 12, 1), BUFFERED)) is expected


def test_free_slots_buffers_match_occupied_interval_overlap() -> None:
    # The exclusion constraint's rule, evaluated naively for every minute of the day.
    booking = Busy(utc(2026, 12, 1, 12), utc(2026, 12, 1, 12, 30))
    consultant = schedule(busy=(booking,))
    before = timedelta(minutes=BUFFERED.buffer_before_minutes)
    after = timedelta(minutes=BUFFERED.buffer_after_minutes)
    meeting = timedelta(minutes=30)
    day_starts = every(utc(2026, 12, 1, 9), 8 * 60 - 30 + 1, minutes=1)

    expected = [
        start
        for start in day_starts
        if not (
            start - before < booking.end + after
            and booking.start - before < start + meeting + after
        )
    ]

    assert starts_on(consultant, date(2026, 12, 1), BUFFERED) == expected
    assert utc(2026, 12, 1, 11, 5) in expected
    assert utc(2026, 12, 1, 11, 6) not in expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (utc(2026, 12, 1, 9, 30), True),  # ends as the booking starts
        (utc(2026, 12, 1, 9, 31), False),
        (utc(2026, 12, 1, 10, 29), False),
        (utc(2026, 12, 1, 10, 30), True),  # starts as the booking ends
    ],
)
def test_is_slot_free_without_buffers_touching_is_free(
    start: datetime, expected: bool
) -> None:
    consultant = schedule(busy=(Busy(utc(2026, 12, 1, 10), utc(2026, 12, 1, 10, 30)),))
    policy = Policy(
        slot_interval_minutes=1, minimum_notice_minutes=0, horizon_days=3650
    )

    assert is_slot_free(consultant, policy, start, LONG_AGO) is expected


# --- notice, horizon and window ---------------------------------------------------------

NOTICE = Policy(minimum_notice_minutes=60, horizon_days=30)


@pytest.mark.parametrize(
    ("now", "first_start"),
    [
        (utc(2026, 12, 1, 7, 59), utc(2026, 12, 1, 9)),
        (utc(2026, 12, 1, 8), utc(2026, 12, 1, 9)),  # exactly the notice: offered
        (datetime(2026, 12, 1, 8, 0, 0, 1, tzinfo=UTC), utc(2026, 12, 1, 9, 30)),
        (utc(2026, 12, 1, 8, 30), utc(2026, 12, 1, 9, 30)),
        (utc(2026, 12, 1, 16), utc(2026, 12, 2, 9)),  # 17:00 would end past the hours
    ],
)
def test_free_slots_minimum_notice_boundary(
    now: datetime, first_start: datetime
) -> None:
    consultant = schedule()
    slots = free_slots([consultant], NOTICE, now)

    assert slots[0].start == first_start
    assert is_slot_free(consultant, NOTICE, first_start, now)
    assert not is_slot_free(
        consultant, NOTICE, first_start - timedelta(minutes=30), now
    )


def test_free_slots_horizon_is_exclusive() -> None:
    consultant = schedule(weekly=every_day(hours("00:00", "00:00")))
    policy = Policy(minimum_notice_minutes=0, horizon_days=1)
    now = utc(2026, 12, 1, 9)

    slots = free_slots([consultant], policy, now)

    assert [slot.start for slot in slots] == every(now, 48)
    assert is_slot_free(consultant, policy, utc(2026, 12, 2, 8, 30), now)
    assert not is_slot_free(consultant, policy, utc(2026, 12, 2, 9), now)


def test_free_slots_window_narrows_starts() -> None:
    slots = free_slots(
        [schedule()], OPEN, LONG_AGO, utc(2026, 12, 1, 10), utc(2026, 12, 1, 12)
    )

    assert [slot.start for slot in slots] == every(utc(2026, 12, 1, 10), 4)


def test_free_slots_empty_window_gives_nothing() -> None:
    assert (
        free_slots([schedule()], OPEN, LONG_AGO, utc(2026, 12, 2), utc(2026, 12, 1))
        == []
    )


# --- max per day ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_per_day", "booking_start", "expected_counts"),
    [
        # 02:00 UTC on 2 Dec is 21:00 on 1 Dec in New York: 1 Dec is full.
        (1, utc(2026, 12, 2, 2), {date(2026, 12, 1): 0, date(2026, 12, 2): 16}),
        # 15:00 UTC on 2 Dec is 10:00 there; the booking also takes its own slots.
        (1, utc(2026, 12, 2, 15), {date(2026, 12, 1): 16, date(2026, 12, 2): 0}),
        (2, utc(2026, 12, 2, 15), {date(2026, 12, 1): 16, date(2026, 12, 2): 15}),
        (None, utc(2026, 12, 2, 2), {date(2026, 12, 1): 16, date(2026, 12, 2): 16}),
        (0, utc(2026, 12, 2, 2), {date(2026, 12, 1): 0, date(2026, 12, 2): 0}),
    ],
)
def test_free_slots_max_per_day_counts_consultant_local_date(
    max_per_day: int | None, booking_start: datetime, expected_counts: dict[date, int]
) -> None:
    booking = Busy(booking_start, booking_start + timedelta(minutes=30))
    consultant = schedule(NEW_YORK, busy=(booking,))
    policy = Policy(
        minimum_notice_minutes=0, horizon_days=3650, max_per_day=max_per_day
    )

    assert {
        day: len(starts_on(consultant, day, policy)) for day in expected_counts
    } == (expected_counts)


def test_is_slot_free_max_per_day_reached() -> None:
    booking = Busy(utc(2026, 12, 2, 2), utc(2026, 12, 2, 2, 30))
    consultant = schedule(NEW_YORK, busy=(booking,))
    policy = Policy(minimum_notice_minutes=0, horizon_days=3650, max_per_day=1)

    assert not is_slot_free(consultant, policy, utc(2026, 12, 1, 14), LONG_AGO)
    assert is_slot_free(consultant, policy, utc(2026, 12, 2, 14), LONG_AGO)


@pytest.mark.parametrize(
    ("max_per_day", "expected_count"),
    # 15:00 UTC on 2 Dec is 10:00 in New York; that call blocks none of the 16 starts.
    [(1, 0), (2, 16)],
)
def test_free_slots_max_per_day_counts_held_calls_that_block_no_time(
    max_per_day: int, expected_count: int
) -> None:
    call = Busy(utc(2026, 12, 2, 15), utc(2026, 12, 2, 15, 30))
    consultant = schedule(NEW_YORK, held=(call,))
    policy = Policy(
        minimum_notice_minutes=0, horizon_days=3650, max_per_day=max_per_day
    )

    assert len(starts_on(consultant, date(2026, 12, 2), policy)) == expected_count
    assert is_slot_free(consultant, policy, utc(2026, 12, 2, 15), LONG_AGO) == bool(
        expected_count
    )


# --- overrides and time off -------------------------------------------------------------

WEEKDAYS = WeeklyHours(dict.fromkeys(range(5), (hours("09:00", "17:00"),)))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 1), every(utc(2026, 12, 1, 13), 2)),  # replaced: 13:00-14:00
        (date(2026, 12, 2), []),  # day off
        (date(2026, 12, 3), every(utc(2026, 12, 3, 9), 16)),  # no override
        (date(2026, 12, 5), every(utc(2026, 12, 5, 10), 2)),  # Saturday, extra hours
        (date(2026, 12, 6), []),  # Sunday, no hours
    ],
)
def test_free_slots_overrides_replace_weekly_hours(
    day: date, expected: list[datetime]
) -> None:
    consultant = schedule(
        weekly=WEEKDAYS,
        overrides=(
            DateOverride(date(2026, 12, 1), (hours("13:00", "14:00"),)),
            DateOverride(date(2026, 12, 2), ()),
            DateOverride(date(2026, 12, 5), (hours("10:00", "11:00"),)),
        ),
    )

    assert starts_on(consultant, day) == expected


def test_weekly_hours_monday_is_zero() -> None:
    consultant = schedule(weekly=WeeklyHours({0: (hours("09:00", "10:00"),)}))

    assert starts_on(consultant, date(2026, 11, 29)) == []  # Sunday
    assert starts_on(consultant, date(2026, 11, 30)) == every(utc(2026, 11, 30, 9), 2)
    assert starts_on(consultant, date(2026, 12, 1)) == []  # Tuesday


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (
            date(2026, 12, 2),
            date(2026, 12, 3),
            TimeOff(utc(2026, 12, 1, 23), utc(2026, 12, 3, 23)),
        ),
        # A 23-hour and a 25-hour day.
        (
            date(2026, 3, 29),
            date(2026, 3, 29),
            TimeOff(utc(2026, 3, 28, 23), utc(2026, 3, 29, 22)),
        ),
        (
            date(2026, 10, 25),
            date(2026, 10, 25),
            TimeOff(utc(2026, 10, 24, 22), utc(2026, 10, 25, 23)),
        ),
    ],
)
def test_time_off_for_dates_local_midnight_to_midnight(
    first: date, last: date, expected: TimeOff
) -> None:
    assert time_off_for_dates(first, last, BERLIN) == expected


def test_time_off_for_dates_last_before_first_is_rejected() -> None:
    with pytest.raises(ValueError, match="before first"):
        time_off_for_dates(date(2026, 12, 3), date(2026, 12, 2), BERLIN)


def test_free_slots_time_off_range_of_dates() -> None:
    holiday = time_off_for_dates(date(2026, 12, 2), date(2026, 12, 3), BERLIN)
    consultant = schedule(BERLIN, time_off=(holiday,))

    days = [date(2026, 12, 1) + timedelta(days=n) for n in range(4)]

    assert [len(starts_on(consultant, day)) for day in days] == [16, 0, 0, 16]


def test_free_slots_time_off_datetime_range() -> None:
    dentist = TimeOff(
        datetime(2026, 12, 1, 10, 15, tzinfo=BERLIN),
        datetime(2026, 12, 1, 11, tzinfo=BERLIN),
    )
    consultant = schedule(BERLIN, time_off=(dentist,))

    starts = starts_on(consultant, date(2026, 12, 1))

    assert dentist.start == utc(2026, 12, 1, 9, 15)
    assert utc(2026, 12, 1, 8, 30) in starts  # 09:30-10:00 ends before
    assert utc(2026, 12, 1, 9) not in starts  # 10:00-10:30 overlaps
    assert utc(2026, 12, 1, 9, 30) not in starts  # 10:30-11:00 overlaps
    assert utc(2026, 12, 1, 10) in starts  # 11:00 starts as it ends
    assert len(starts) == 14


# --- ranges and the slot grid -----------------------------------------------------------


@pytest.mark.parametrize(
    ("ranges", "policy", "expected"),
    [
        (
            (hours("13:00", "17:00"), hours("09:00", "12:00")),  # given out of order
            OPEN,
            [*every(utc(2026, 12, 1, 9), 6), *every(utc(2026, 12, 1, 13), 8)],
        ),
        ((hours("09:15", "10:15"),), OPEN, every(utc(2026, 12, 1, 9, 15), 2)),
        (
            (hours("09:00", "10:30"),),
            Policy(meeting_minutes=45, minimum_notice_minutes=0, horizon_days=3650),
            every(utc(2026, 12, 1, 9), 2),
        ),
        (
            (hours("09:00", "10:00"), hours("10:00", "11:00")),  # touching
            OPEN,
            every(utc(2026, 12, 1, 9), 4),
        ),
        ((hours("22:00", "00:00"),), OPEN, every(utc(2026, 12, 1, 22), 4)),
        ((hours("00:00", "00:00"),), OPEN, every(utc(2026, 12, 1), 48)),
        (
            (hours("09:00", "10:00"),),
            Policy(
                slot_interval_minutes=15, minimum_notice_minutes=0, horizon_days=3650
            ),
            every(utc(2026, 12, 1, 9), 3, minutes=15),
        ),
    ],
)
def test_free_slots_ranges_of_a_day(
    ranges: tuple[TimeRange, ...], policy: Policy, expected: list[datetime]
) -> None:
    consultant = schedule(weekly=every_day(*ranges))

    assert starts_on(consultant, date(2026, 12, 1), policy) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (utc(2026, 12, 1, 9, 30), True),
        (datetime(2026, 12, 1, 10, 30, tzinfo=BERLIN), True),  # same instant
        (utc(2026, 12, 1, 9, 10), False),  # off the grid
        (utc(2026, 12, 1, 9, 30, 1), False),  # off the grid by a second
        (utc(2026, 12, 1, 16, 30), True),  # last start
        (utc(2026, 12, 1, 17), False),  # would end after the hours
        (utc(2026, 12, 1, 8, 30), False),  # before the hours
    ],
)
def test_is_slot_free_working_grid(start: datetime, expected: bool) -> None:
    assert is_slot_free(schedule(), OPEN, start, LONG_AGO) is expected


def test_is_slot_free_reschedule_leaves_own_booking_out() -> None:
    own = Busy(utc(2026, 12, 1, 10), utc(2026, 12, 1, 10, 30))

    assert not is_slot_free(schedule(busy=(own,)), OPEN, own.start, LONG_AGO)
    assert is_slot_free(schedule(busy=()), OPEN, own.start, LONG_AGO)


# --- several consultants ----------------------------------------------------------------


def test_free_slots_union_across_consultants_lists_free_keys() -> None:
    adam = schedule(
        weekly=every_day(hours("09:00", "11:00")),
        key="adam",
        busy=(Busy(utc(2026, 12, 1, 9, 30), utc(2026, 12, 1, 10)),),
    )
    # 10:30-12:30 in Berlin (+01:00) is 09:30-11:30 UTC.
    beth = schedule(BERLIN, every_day(hours("10:30", "12:30")), key="beth")
    day = (utc(2026, 12, 1), utc(2026, 12, 2))

    slots = free_slots([beth, adam], OPEN, LONG_AGO, *day)

    assert [(slot.start, slot.end, slot.consultant_keys) for slot in slots] == [
        (utc(2026, 12, 1, 9), utc(2026, 12, 1, 9, 30), ("adam",)),
        (utc(2026, 12, 1, 9, 30), utc(2026, 12, 1, 10), ("beth",)),
        (utc(2026, 12, 1, 10), utc(2026, 12, 1, 10, 30), ("adam", "beth")),
        (utc(2026, 12, 1, 10, 30), utc(2026, 12, 1, 11), ("adam", "beth")),
        (utc(2026, 12, 1, 11), utc(2026, 12, 1, 11, 30), ("beth",)),
    ]


def test_free_slots_different_grids_stay_separate() -> None:
    berlin = schedule(BERLIN, every_day(hours("09:00", "10:00")), key=1)
    kathmandu = schedule(KATHMANDU, every_day(hours("14:00", "15:00")), key=2)

    slots = free_slots([berlin, kathmandu], OPEN, LONG_AGO, *_day(2026, 12, 1))

    assert [(slot.start, slot.consultant_keys) for slot in slots] == [
        (utc(2026, 12, 1, 8), (1,)),
        (utc(2026, 12, 1, 8, 15), (2,)),
        (utc(2026, 12, 1, 8, 30), (1,)),
        (utc(2026, 12, 1, 8, 45), (2,)),
    ]


def _day(year: int, month: int, day: int) -> tuple[datetime, datetime]:
    return utc(year, month, day), utc(year, month, day) + timedelta(days=1)


def test_free_slots_duplicate_keys_are_rejected() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        free_slots([schedule(key=1), schedule(key=1)], OPEN, LONG_AGO)


def test_free_slots_no_consultants_gives_nothing() -> None:
    assert free_slots([], OPEN, LONG_AGO) == []


# --- next available ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "expected_start"),
    [
        (utc(2026, 12, 1), utc(2026, 12, 1, 9)),
        (utc(2026, 12, 1, 9), utc(2026, 12, 1, 9)),  # a start at `after` counts
        (utc(2026, 12, 1, 9, 1), utc(2026, 12, 1, 9, 30)),
        (utc(2026, 12, 1, 10), None),
    ],
)
def test_next_available(after: datetime, expected_start: datetime | None) -> None:
    slots = free_slots(
        [schedule()], OPEN, LONG_AGO, utc(2026, 12, 1), utc(2026, 12, 1, 10)
    )

    found = next_available(slots, after)

    assert (found.start if found else None) == expected_start


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: hours("10:00", "09:00"), ValueError, "not after start"),
        (lambda: hours("09:00", "09:00"), ValueError, "not after start"),
        (lambda: TimeRange(time(9, tzinfo=UTC), time(10)), ValueError, "tzinfo"),
        (lambda: TimeRange("09:00", time(10)), TypeError, "must be a time"),
        (lambda: WeeklyHours({7: ()}), ValueError, "0 \\(Monday\\) to 6 \\(Sunday\\)"),
        (
            lambda: WeeklyHours(
                {0: (hours("09:00", "12:00"), hours("11:00", "13:00"))}
            ),
            ValueError,
            "overlap",
        ),
        (lambda: DateOverride(utc(2026, 12, 1), ()), TypeError, "must be a date"),
        (
            lambda: Busy(NAIVE, utc(2026, 12, 1, 10)),
            ValueError,
            "aware",
        ),
        (
            lambda: Busy(utc(2026, 12, 1, 10), utc(2026, 12, 1, 10)),
            ValueError,
            "not after",
        ),
        (
            lambda: TimeOff(utc(2026, 12, 1, 11), utc(2026, 12, 1, 10)),
            ValueError,
            "after",
        ),
        (lambda: Policy(meeting_minutes=0), ValueError, "meeting_minutes"),
        (lambda: Policy(slot_interval_minutes=True), TypeError, "slot_interval"),
        (lambda: Policy(buffer_after_minutes=-5), ValueError, "buffer_after"),
        (lambda: Policy(max_per_day=-1), ValueError, "max_per_day"),
        (
            lambda: schedule(
                overrides=(
                    DateOverride(date(2026, 12, 1), ()),
                    DateOverride(date(2026, 12, 1), ()),
                )
            ),
            ValueError,
            "two overrides",
        ),
        (
            lambda: ConsultantSchedule("k", "Europe/Berlin", every_day()),
            TypeError,
            "ZoneInfo",
        ),
        (lambda: free_slots([], OPEN, NAIVE), ValueError, "aware"),
    ],
)
def test_inputs_invalid_are_rejected(
    build: Callable[[], object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        build()


def test_inputs_are_normalised_to_utc() -> None:
    busy = Busy(
        datetime(2026, 12, 1, 10, tzinfo=BERLIN),
        datetime(2026, 12, 1, 11, tzinfo=BERLIN),
    )

    assert (busy.start, busy.end) == (utc(2026, 12, 1, 9), utc(2026, 12, 1, 10))
    assert busy.start.tzinfo is UTC


def test_weekly_hours_stores_all_weekdays_sorted() -> None:
    weekly = WeeklyHours({2: [hours("13:00", "14:00"), hours("09:00", "10:00")]})

    assert dict(weekly.by_weekday) == {
        0: (),
        1: (),
        2: (hours("09:00", "10:00"), hours("13:00", "14:00")),
        3: (),
        4: (),
        5: (),
        6: (),
    }
    assert hash(weekly) == hash(
        WeeklyHours({2: (hours("09:00", "10:00"), hours("13:00", "14:00"))})
    )
