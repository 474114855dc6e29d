"""The week of free slots as the booking and reschedule pages show it.

Built from the pure slot computation's ``Slot`` instants: days, labels and links in the
viewer's zone. The booking page renders its week once per availability version (see
``bookings.listing_cache``); the reschedule page picks its week out of the whole horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.utils import dateformat

from bookings.availability import group_by_local_date, week_monday, week_shown
from bookings.forms import format_start
from consult.timezones import clock_label, day_label, label_at, start_label

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bookings.availability import Slot


@dataclass(frozen=True)
class SlotView:
    value: str
    time_label: str
    label: str
    url: str


@dataclass(frozen=True)
class DayView:
    day: date
    label: str
    weekday: str
    short_date: str
    anchor: str
    slots: list[SlotView]


@dataclass(frozen=True)
class WeekView:
    label: str
    days: list[DayView]
    prev_url: str
    next_url: str
    next_slot: SlotView | None
    next_slot_week_url: str

    @property
    def has_slots(self) -> bool:
        return any(day.slots for day in self.days)


def slot_view(
    slot: Slot, zone: ZoneInfo, tz_name: str, slot_url: Callable[[str], str]
) -> SlotView:
    value = format_start(slot.start)
    return SlotView(
        value=value,
        time_label=clock_label(slot.start.astimezone(zone)),
        label=start_label(slot.start, zone, tz_name, year=False),
        url=slot_url(value),
    )


def _day_slot_view(
    slot: Slot,
    day: str,
    zone: ZoneInfo,
    tz_name: str,
    slot_url: Callable[[str], str],
) -> SlotView:
    # ``slot_view`` with the day's label formatted once for all its slots: date
    # formatting is most of the cost of a busy week.
    value = format_start(slot.start)
    time_label = clock_label(slot.start.astimezone(zone))
    return SlotView(
        value=value,
        time_label=time_label,
        label=label_at(day, time_label, tz_name),
        url=slot_url(value),
    )


def week_page(  # noqa: PLR0913 -- keyword-only; what the week shows and its links
    *,
    week: date,
    slots: Sequence[Slot],
    next_slot: Slot | None,
    first_week: date,
    last_week: date,
    zone: ZoneInfo,
    tz_name: str,
    slot_url: Callable[[str], str],
    week_url: Callable[[date], str],
) -> WeekView:
    by_day = group_by_local_date(slots, zone)
    days = []
    for offset in range(7):
        day = week + timedelta(days=offset)
        day_text = day_label(day)
        days.append(
            DayView(
                day=day,
                label=day_text,
                weekday=dateformat.format(day, "D"),
                short_date=dateformat.format(day, "j M"),
                anchor=f"day-{day.isoformat()}",
                slots=[
                    _day_slot_view(slot, day_text, zone, tz_name, slot_url)
                    for slot in by_day.get(day, [])
                ],
            )
        )
    week_end = week + timedelta(days=6)
    next_day = next_slot.start.astimezone(zone).date() if next_slot else None
    return WeekView(
        label=f"{day_label(week)} to {day_label(week_end)}",
        days=days,
        prev_url=week_url(week - timedelta(days=7)) if week > first_week else "",
        next_url=week_url(week + timedelta(days=7)) if week < last_week else "",
        next_slot=(
            slot_view(next_slot, zone, tz_name, slot_url) if next_slot else None
        ),
        next_slot_week_url=week_url(week_monday(next_day)) if next_day else "",
    )


def week_from_slots(  # noqa: PLR0913 -- keyword-only; the week out of the horizon
    *,
    slots: Sequence[Slot],
    zone: ZoneInfo,
    tz_name: str,
    requested_week: str,
    now: datetime,
    horizon_days: int,
    slot_url: Callable[[str], str],
    week_url: Callable[[date], str],
) -> WeekView:
    by_day = group_by_local_date(slots, zone)
    try:
        requested = date.fromisoformat(requested_week)
    except ValueError:
        # No week asked for: open where the first free time is.
        requested = min(by_day, default=None)
    weeks = week_shown(requested, now=now, horizon_days=horizon_days, zone=zone)
    week = weeks.monday
    week_end = week + timedelta(days=6)
    later = [day for day in by_day if day > week_end]
    return week_page(
        week=week,
        slots=[
            slot
            for offset in range(7)
            for slot in by_day.get(week + timedelta(days=offset), [])
        ],
        next_slot=by_day[min(later)][0] if later else None,
        first_week=weeks.first,
        last_week=weeks.last,
        zone=zone,
        tz_name=tz_name,
        slot_url=slot_url,
        week_url=week_url,
    )
