"""The rules a consultant's weekly hours and date overrides keep, checked before saving.

Each row is checked on its own by its model's fields; these look across the rows of
one consultant, which the admin's formsets pass in whole.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from bookings.enums import Weekday
from bookings.models import MIDNIGHT

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Iterable, Mapping
    from datetime import date, time


def _minutes(value: time, *, end: bool = False) -> int:
    # An end of 00:00 is midnight at the end of the day (see availability.TimeRange).
    if end and value == MIDNIGHT:
        return 24 * 60
    return value.hour * 60 + value.minute


def _overlaps_refuse[K: Hashable](
    ranges_by_key: Mapping[K, list[tuple[int, int]]], describe: Callable[[K], str]
) -> None:
    for key, ranges in ranges_by_key.items():
        for (_, earlier_end), (later_start, _) in itertools.pairwise(sorted(ranges)):
            if later_start < earlier_end:
                raise ValidationError(f"{describe(key)}: two ranges overlap.")


def weekly_hours_validate(*, hours: Iterable[tuple[int, time, time]]) -> None:
    """Refuse a consultant's weekly hours where two ranges of one weekday overlap.

    ``hours`` are (weekday, start, end) rows, each valid on its own; ranges that only
    touch (09:00-12:00 and 12:00-17:00) are fine.
    """
    by_day: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
    for weekday, start, end in hours:
        by_day[weekday].append((_minutes(start), _minutes(end, end=True)))
    _overlaps_refuse(by_day, lambda day: Weekday(day).label)


def date_overrides_validate(
    *, overrides: Iterable[tuple[date, time | None, time | None]]
) -> None:
    """Refuse a consultant's date overrides that contradict each other on one date.

    ``overrides`` are (date, start, end) rows, each valid on its own; a row without a
    start is a day off, which a date cannot be while also having hours.
    """
    by_date: defaultdict[date, list[tuple[int, int]]] = defaultdict(list)
    days_off = set()
    for day, start, end in overrides:
        if start is None:
            days_off.add(day)
        elif end is not None:
            by_date[day].append((_minutes(start), _minutes(end, end=True)))
    for day in days_off & set(by_date):
        raise ValidationError(
            f"{day}: a day off cannot also have hours. Remove one of them."
        )
    _overlaps_refuse(by_date, str)
