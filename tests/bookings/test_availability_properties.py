"""Properties of free slots over random schedules, checked independently of the code.

Times are drawn on a 5-minute grid and every zone's offset is a multiple of 15 minutes,
so every start the module can offer lies on the 5-minute UTC grid; that lets the tests
ask ``is_slot_free`` about every grid instant and compare with ``free_slots``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bookings.availability import (
    Busy,
    ConsultantSchedule,
    DateOverride,
    Policy,
    TimeOff,
    TimeRange,
    WeeklyHours,
    free_slots,
    is_slot_free,
)

ZONES = [
    ZoneInfo(name)
    for name in (
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "America/Los_Angeles",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Asia/Tokyo",
        "America/St_Johns",
        "Australia/Lord_Howe",  # DST of 30 minutes
        "Pacific/Chatham",  # +12:45 / +13:45
        "America/Havana",  # changes at midnight
    )
]


def _offset_changes(zone: ZoneInfo, year: int) -> list[datetime]:
    """The hours in which ``zone`` changes its UTC offset during ``year``."""
    changes = []
    instant = datetime(year, 1, 1, tzinfo=UTC)
    offset = instant.astimezone(zone).utcoffset()
    while instant.year == year:
        instant += timedelta(hours=1)
        if (new_offset := instant.astimezone(zone).utcoffset()) != offset:
            changes.append(instant)
            offset = new_offset
    return changes or [datetime(year, 12, 1, tzinfo=UTC)]


# Cases start shortly before an offset change of their zone, so the horizon spans it.
CHANGES = {zone: _offset_changes(zone, 2026) for zone in ZONES}

GRID = timedelta(minutes=5)
STEPS_PER_DAY = 24 * 12


def _range(start_step: int, end_step: int) -> TimeRange:
    """A range between two 5-minute steps of the day; step 288 is 24:00."""
    start, end = (
        time(*divmod(5 * step, 60)) if step < STEPS_PER_DAY else time(0)
        for step in (start_step, end_step)
    )
    return TimeRange(start, end)


@st.composite
def day_ranges(draw: st.DrawFn) -> tuple[TimeRange, ...]:
    count = draw(st.integers(0, 2))
    bounds = sorted(
        draw(
            st.lists(
                st.integers(0, STEPS_PER_DAY),
                min_size=2 * count,
                max_size=2 * count,
                unique=True,
            )
        )
    )
    return tuple(_range(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2))


@st.composite
def cases(draw: st.DrawFn) -> tuple[ConsultantSchedule, Policy, datetime]:
    zone = draw(st.sampled_from(ZONES))
    now = draw(st.sampled_from(CHANGES[zone])) - timedelta(
        minutes=draw(st.integers(0, 3 * 24 * 60))
    )
    weekly = WeeklyHours({weekday: draw(day_ranges()) for weekday in range(7)})
    override_dates = draw(
        st.lists(st.integers(-1, 4), max_size=2, unique=True).map(
            lambda offsets: [
                now.astimezone(zone).date() + timedelta(days=o) for o in offsets
            ]
        )
    )
    overrides = tuple(DateOverride(day, draw(day_ranges())) for day in override_dates)

    def interval(max_minutes: int) -> tuple[datetime, datetime]:
        start = _floor_to_grid(now) + GRID * draw(st.integers(-288, 4 * 288))
        return start, start + GRID * draw(st.integers(1, max_minutes // 5))

    busy = tuple(Busy(*interval(90)) for _ in range(draw(st.integers(0, 12))))
    time_off = tuple(TimeOff(*interval(600)) for _ in range(draw(st.integers(0, 2))))
    policy = Policy(
        meeting_minutes=draw(st.sampled_from([15, 30, 45, 60])),
        slot_interval_minutes=draw(st.sampled_from([5, 15, 30, 60])),
        buffer_before_minutes=draw(st.sampled_from([0, 5, 10])),
        buffer_after_minutes=draw(st.sampled_from([0, 5, 15])),
        minimum_notice_minutes=draw(st.sampled_from([0, 60, 720])),
        horizon_days=draw(st.integers(1, 3)),
        max_per_day=draw(st.sampled_from([None, None, 0, 1, 2, 3])),
    )
    schedule = ConsultantSchedule(
        key="k",
        tz=zone,
        weekly=weekly,
        overrides=overrides,
        time_off=time_off,
        busy=busy,
    )
    return schedule, policy, now


def _floor_to_grid(instant: datetime) -> datetime:
    epoch = datetime(2026, 1, 1, tzinfo=UTC)
    return epoch + (instant - epoch) // GRID * GRID


def _ranges_for(schedule: ConsultantSchedule, day: date) -> tuple[TimeRange, ...]:
    for override in schedule.overrides:
        if override.date == day:
            return override.ranges
    return schedule.weekly.by_weekday[day.weekday()]


def _range_end(wall: datetime) -> datetime:
    """A range's end in UTC; an end inside a spring-forward gap is when the clock jumps."""
    before = wall.astimezone(UTC)
    after = wall.replace(fold=1).astimezone(UTC)
    if after >= before:
        return before
    # In the gap: the first instant, on the 5-minute grid, read with the later offset.
    later = wall.replace(fold=1).utcoffset()
    instant = after
    while instant.astimezone(wall.tzinfo).utcoffset() != later:
        instant += timedelta(minutes=5)
    return instant


def _in_working_hours(
    schedule: ConsultantSchedule, policy: Policy, start: datetime
) -> bool:
    local = start.astimezone(schedule.tz)
    if local.fold:  # second occurrence of a repeated hour
        return False
    day = local.date()
    since_midnight = local.replace(tzinfo=None) - datetime.combine(day, time(0))
    for time_range in _ranges_for(schedule, day):
        range_end = _range_end(
            datetime.combine(day, time(0), schedule.tz) + time_range.end_offset
        )
        if (
            time_range.start_offset <= since_midnight < time_range.end_offset
            and (since_midnight - time_range.start_offset)
            % timedelta(minutes=policy.slot_interval_minutes)
            == timedelta(0)
            and start + timedelta(minutes=policy.meeting_minutes)
            <= range_end.astimezone(UTC)
        ):
            return True
    return False


def _overlaps(
    a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime
) -> bool:
    return a_start < b_end and b_start < a_end


@settings(max_examples=300, deadline=None)
@given(cases())
def test_free_slots_properties_hold_for_random_schedules(
    case: tuple[ConsultantSchedule, Policy, datetime],
) -> None:
    schedule, policy, now = case
    slots = free_slots([schedule], policy, now)
    starts = [slot.start for slot in slots]
    meeting = timedelta(minutes=policy.meeting_minutes)
    before = timedelta(minutes=policy.buffer_before_minutes)
    after = timedelta(minutes=policy.buffer_after_minutes)
    earliest = now + timedelta(minutes=policy.minimum_notice_minutes)
    latest = now + timedelta(days=policy.horizon_days)

    assert starts == sorted(set(starts))
    for slot in slots:
        assert slot.end - slot.start == meeting
        assert slot.consultant_keys == ("k",)
        assert slot.start.tzinfo is UTC
        assert earliest <= slot.start < latest
        assert _in_working_hours(schedule, policy, slot.start)
        for busy in schedule.busy:
            assert not _overlaps(
                slot.start - before,
                slot.end + after,
                busy.start - before,
                busy.end + after,
            )
        for off in schedule.time_off:
            assert not _overlaps(slot.start, slot.end, off.start, off.end)
        if policy.max_per_day is not None:
            day = slot.start.astimezone(schedule.tz).date()
            same_day = [
                b
                for b in schedule.busy
                if b.start.astimezone(schedule.tz).date() == day
            ]
            assert len(same_day) < policy.max_per_day

    offered = set(starts)
    instant = _floor_to_grid(now) - timedelta(hours=1)
    while instant < latest + timedelta(hours=1):
        assert is_slot_free(schedule, policy, instant, now) is (instant in offered)
        instant += GRID


@settings(max_examples=100, deadline=None)
@given(st.lists(cases(), min_size=1, max_size=4))
def test_free_slots_union_is_merge_of_each_consultant(
    many: list[tuple[ConsultantSchedule, Policy, datetime]],
) -> None:
    policy, now = many[0][1], many[0][2]
    schedules = [
        ConsultantSchedule(
            key=index,
            tz=schedule.tz,
            weekly=schedule.weekly,
            overrides=schedule.overrides,
            time_off=schedule.time_off,
            busy=schedule.busy,
        )
        for index, (schedule, _, _) in enumerate(many)
    ]
    expected: dict[datetime, list[int]] = {}
    for schedule in schedules:
        for slot in free_slots([schedule], policy, now):
            expected.setdefault(slot.start, []).append(schedule.key)

    merged = free_slots(list(reversed(schedules)), policy, now)

    assert [(slot.start, slot.consultant_keys) for slot in merged] == [
        (start, tuple(sorted(keys))) for start, keys in sorted(expected.items())
    ]
