"""The week of free slots as the booking and reschedule pages show it.

Built from the pure slot computation's ``Slot`` instants: seven days from the one
asked for (today, or the first with a free time), labels and links in the viewer's
zone and clock. By default only daytime slots show (starting 07:00 to 21:00 the
viewer's time); a day whose free times are all early or late says how many. The
booking page renders its week once per availability version (see
``bookings.listing_cache``); the reschedule page picks its week out of the whole horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import TYPE_CHECKING

from django.utils import dateformat

from bookings.availability import group_by_local_date, week_shown
from bookings.forms import format_start
from consult.timezones import (
    clock_label,
    day_label,
    label_at,
    start_label,
    time_label,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bookings.availability import Slot

# Slots starting within these hours of the viewer's day show by default; the rest
# behind "show all times". A call at 05:00 is rarely wanted, and offering it first
# pushed the daytime ones off a phone's screen.
DAYTIME_START = time(7, 0)
DAYTIME_END = time(21, 0)


def in_daytime(local: datetime) -> bool:
    return DAYTIME_START <= local.time() < DAYTIME_END


@dataclass(frozen=True)
class Display:
    """How the viewer reads times: their zone, clock and whether all hours show."""

    zone: ZoneInfo
    tz_name: str
    hour12: bool = False
    all_times: bool = False

    @property
    def daytime_label(self) -> str:
        """The daytime hours, like "07:00-21:00" or "7:00 AM-9:00 PM" (en dash)."""
        return (
            f"{time_label(DAYTIME_START, hour12=self.hour12)}"
            f"\u2013{time_label(DAYTIME_END, hour12=self.hour12)}"
        )


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
    # Free times of the day left out as early or late (without "show all times").
    hidden: int = 0


@dataclass(frozen=True)
class WeekView:
    label: str
    days: list[DayView]
    prev_url: str
    next_url: str
    next_slot: SlotView | None
    next_slot_week_url: str
    all_times: bool = False
    daytime_label: str = ""
    hour12: bool = False

    @property
    def has_slots(self) -> bool:
        return any(day.slots for day in self.days)

    @property
    def hidden(self) -> int:
        return sum(day.hidden for day in self.days)


def slot_view(
    slot: Slot,
    zone: ZoneInfo,
    tz_name: str,
    slot_url: Callable[[str], str],
    *,
    hour12: bool = False,
) -> SlotView:
    value = format_start(slot.start)
    return SlotView(
        value=value,
        time_label=clock_label(slot.start.astimezone(zone), hour12=hour12),
        label=start_label(slot.start, zone, tz_name, year=False, hour12=hour12),
        url=slot_url(value),
    )


def _day_slot_view(
    local: datetime,
    value: str,
    day: str,
    display: Display,
    slot_url: Callable[[str], str],
) -> SlotView:
    # ``slot_view`` with the day's label formatted once for all its slots: date
    # formatting is most of the cost of a busy week.
    time_label = clock_label(local, hour12=display.hour12)
    return SlotView(
        value=value,
        time_label=time_label,
        label=label_at(day, time_label, display.tz_name),
        url=slot_url(value),
    )


def _day_view(
    day: date,
    slots: Sequence[Slot],
    display: Display,
    slot_url: Callable[[str], str],
) -> DayView:
    day_text = day_label(day)
    shown = []
    hidden = 0
    for slot in slots:
        local = slot.start.astimezone(display.zone)
        if display.all_times or in_daytime(local):
            value = format_start(slot.start)
            shown.append(_day_slot_view(local, value, day_text, display, slot_url))
        else:
            hidden += 1
    return DayView(
        day=day,
        label=day_text,
        weekday=dateformat.format(day, "D"),
        short_date=dateformat.format(day, "j M"),
        anchor=f"day-{day.isoformat()}",
        slots=shown,
        hidden=hidden,
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
    hour12: bool = False,
    all_times: bool = False,
) -> WeekView:
    """The seven days from ``week`` (its first day, any weekday) with their slots.

    ``first_week`` and ``last_week`` bound the navigation (the first days of the
    earliest and latest weeks, as ``availability.week_shown`` gives them).
    """
    display = Display(zone, tz_name, hour12=hour12, all_times=all_times)
    by_day = group_by_local_date(slots, zone)
    days = [
        _day_view(day, by_day.get(day, []), display, slot_url)
        for day in (week + timedelta(days=offset) for offset in range(7))
    ]
    week_end = week + timedelta(days=6)
    next_day = next_slot.start.astimezone(zone).date() if next_slot else None
    earlier = max(week - timedelta(days=7), first_week)
    later = min(week + timedelta(days=7), last_week)
    return WeekView(
        label=f"{day_label(week)} to {day_label(week_end)}",
        days=days,
        prev_url=week_url(earlier) if week > first_week else "",
        next_url=week_url(later) if week < last_week else "",
        next_slot=(
            slot_view(next_slot, zone, tz_name, slot_url, hour12=hour12)
            if next_slot
            else None
        ),
        next_slot_week_url=week_url(next_day) if next_day else "",
        all_times=all_times,
        daytime_label=display.daytime_label,
        hour12=hour12,
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
    hour12: bool = False,
    all_times: bool = False,
) -> WeekView:
    """The week of a page that has every slot of the horizon (the reschedule page).

    Without a week asked for, the seven days from today, or from the first day with
    a free time when today's seven days have none.
    """
    by_day = group_by_local_date(slots, zone)
    try:
        requested: date | None = date.fromisoformat(requested_week)
    except ValueError:
        requested = None
    weeks = week_shown(requested, now=now, horizon_days=horizon_days, zone=zone)
    if requested is None:
        first_free = min(by_day, default=None)
        if first_free is not None and first_free > weeks.start + timedelta(days=6):
            weeks = week_shown(
                first_free, now=now, horizon_days=horizon_days, zone=zone
            )
    week = weeks.start
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
        hour12=hour12,
        all_times=all_times,
    )
