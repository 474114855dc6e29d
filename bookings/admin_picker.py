"""The staff's time picker: one week of a consultant's free times, on both clocks.

The move page (``bookings.admin_views``) and "book a call for this client" on the
assessment page (``desk.admin_views``) show the same picker: the seven days of the
consultant's week (their zone), each free time with the client's time beside it, and
links to the weeks before and after. Only that week is read
(``selectors.consultant_week_get``); without a week asked for it opens on the week
of the first free time. Nothing is chosen beforehand.

Staff may also type a start outside the usual rules (``StaffStartForm``): a date and
a time on the consultant's clock, refused with a message when the clocks skip it or
show it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from django import forms
from django.utils import timezone

from bookings import selectors
from bookings.forms import EARLIEST_START, LATEST_START, format_start, parse_start
from consult.timezones import clock_label, day_label, short_date_label, short_label

if TYPE_CHECKING:
    from collections.abc import Callable
    from zoneinfo import ZoneInfo

    from django.http import HttpRequest, QueryDict

    from bookings.models import Booking, Consultant

# Choices grouped by day, as a ChoiceField takes them: [(day, [(value, label)])].
Choices = list[tuple[str, list[tuple[str, str]]]]


@dataclass(frozen=True)
class PickerDay:
    label: str
    anchor: str
    times: list[tuple[str, str]]

    @property
    def values(self) -> set[str]:
        return {value for value, _ in self.times}


@dataclass(frozen=True)
class Picker:
    label: str
    # The first day shown, carried by the forms so a post sees the same week.
    week: date
    days: list[PickerDay]
    prev_url: str
    next_url: str
    # The first free time after the week, when the week has none.
    next_free: str
    next_free_url: str
    consultant_zone: str
    client_zone: str

    @property
    def choices(self) -> Choices:
        return [(day.label, day.times) for day in self.days if day.times]

    @property
    def open_anchor(self) -> str:
        """The day shown open: the first with a free time."""
        return next((day.anchor for day in self.days if day.times), "")

    @property
    def has_times(self) -> bool:
        return any(day.times for day in self.days)


def both_clocks(
    value: datetime, consultant: Consultant, client_zone: ZoneInfo, client_tz: str
) -> tuple[str, str]:
    """``value`` on the consultant's clock and on the client's, as the admin writes them."""
    return (
        short_label(value, consultant.zone, consultant.timezone),
        short_label(value, client_zone, client_tz),
    )


def _time_label(
    start: datetime, consultant_zone: ZoneInfo, client_zone: ZoneInfo
) -> str:
    local = start.astimezone(consultant_zone)
    client = start.astimezone(client_zone)
    client_day = (
        f" {short_date_label(client.date())}" if client.date() != local.date() else ""
    )
    return f"{clock_label(local)} · client {clock_label(client)}{client_day}"


# When a booking of the consultant's holds their calendar past the lock timeout.
BUSY_MESSAGE = (
    "Another booking of this consultant is being made; try again in a moment."
)


def week_links(request: HttpRequest, **keep: str) -> Callable[[date], str]:
    """The picker's link to another week: this page's address with ``week`` (and
    ``keep``, what the page was shown for) set, the rest of its query kept."""

    def week_url(day: date) -> str:
        query = request.GET.copy()
        query.update(keep)
        query["week"] = day.isoformat()
        return f"{request.path}?{query.urlencode()}"

    return week_url


def picker_week(  # noqa: PLR0913 -- keyword-only; whose week, for whom, which
    *,
    consultant: Consultant,
    client_zone: ZoneInfo,
    client_tz: str,
    week: str,
    week_url: Callable[[date], str],
    moving: Booking | None = None,
    now: datetime | None = None,
) -> Picker:
    """The week of ``consultant``'s free times from ``week`` (ISO date, or "" for the
    week of the first free time), by the consultant's day."""
    try:
        requested: date | None = date.fromisoformat(week)
    except ValueError:
        requested = None
    zone = consultant.zone
    found = selectors.consultant_week_get(
        consultant=consultant,
        zone=zone,
        week=requested,
        moving=moving,
        now=now or timezone.now(),
    )
    by_day: dict[date, list[tuple[str, str]]] = {}
    for slot in found.slots:
        local_day = slot.start.astimezone(zone).date()
        by_day.setdefault(local_day, []).append(
            (format_start(slot.start), _time_label(slot.start, zone, client_zone))
        )
    days = [
        PickerDay(
            label=day_label(day, year=True),
            anchor=f"day-{day.isoformat()}",
            times=by_day.get(day, []),
        )
        for day in (found.week + timedelta(days=offset) for offset in range(7))
    ]
    earlier = max(found.week - timedelta(days=7), found.first_week)
    later = min(found.week + timedelta(days=7), found.last_week)
    next_free = found.next_slot
    end = found.week + timedelta(days=6)
    return Picker(
        label=f"{short_date_label(found.week)} to {short_date_label(end)}",
        week=found.week,
        days=days,
        prev_url=week_url(earlier) if found.week > found.first_week else "",
        next_url=week_url(later) if found.week < found.last_week else "",
        next_free=short_label(next_free.start, zone, consultant.timezone)
        if next_free
        else "",
        next_free_url=week_url(next_free.start.astimezone(zone).date())
        if next_free
        else "",
        consultant_zone=consultant.timezone,
        client_zone=client_tz,
    )


class PickForm(forms.Form):
    """A free time of the week shown; none is chosen until someone does."""

    start = forms.ChoiceField(
        label="New time",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Pick the new time first.",
            "invalid_choice": "That time is no longer free this week; pick another.",
        },
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, choices: Choices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start"].choices = choices


def local_start(value: datetime, zone: ZoneInfo, tz_name: str) -> datetime:
    """The instant the wall-clock ``value`` (naive) names in ``zone``.

    Raises ``ValidationError`` for a time the clocks skip (spring forward) or show
    twice (fall back): staff should not have to guess which one the page took.
    """
    if not 1 < value.year < 9999:
        # Converting would overflow; no call is booked in year 1 or 9999 anyway.
        raise forms.ValidationError(
            "Give a date within the booking horizon.", code="out_of_range"
        )
    first = value.replace(tzinfo=zone, fold=0)
    second = value.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        when = f"{clock_label(value)} on {day_label(value.date(), year=True)}"
        back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if back != value:
            raise forms.ValidationError(
                f"There is no {when} in {tz_name}: the clocks go forward an hour "
                "then. Pick a time after the change.",
                code="nonexistent",
            )
        raise forms.ValidationError(
            f"{when} happens twice in {tz_name}, as the clocks go back an hour. "
            "Pick a time outside that hour.",
            code="ambiguous",
        )
    return first.astimezone(UTC)


WHEN_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S")


class StaffStartForm(forms.Form):
    """Any start, outside the usual rules, on the consultant's clock, with a reason."""

    # Text, parsed here: a DateTimeField would read it in the admin's own zone and
    # refuse a skipped or repeated hour of that zone rather than the consultant's.
    when = forms.CharField(
        label="Start, on the consultant's clock",
        max_length=32,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 60}),
        error_messages={"required": "Give the date and time of the start."},
    )
    reason = forms.CharField(
        label="Why outside the usual rules (kept in the call's notes)",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        error_messages={"required": "Say why the usual rules do not apply."},
    )
    outside_rules = forms.BooleanField(widget=forms.HiddenInput, initial=True)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, zone: ZoneInfo, tz_name: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.zone, self.tz_name = zone, tz_name
        self.start: datetime | None = None

    def clean_when(self) -> str:
        # Taken as typed, on the consultant's clock, whatever zone the page runs in.
        text = self.cleaned_data["when"].strip()
        naive = None
        for pattern in WHEN_FORMATS:
            try:
                naive = datetime.strptime(text, pattern)  # noqa: DTZ007 -- wall clock
            except ValueError:
                continue
            break
        if naive is None:
            raise forms.ValidationError(
                "Give the date and time like 2026-03-29 14:30.", code="invalid"
            )
        start = local_start(naive, self.zone, self.tz_name)
        if not EARLIEST_START <= start < LATEST_START:
            raise forms.ValidationError("Give a date within the next few years.")
        if start <= timezone.now():
            raise forms.ValidationError("That time has passed; give one to come.")
        self.start = start
        return naive.strftime("%Y-%m-%dT%H:%M")

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why the usual rules do not apply.")
        return reason


def pick_forms(
    posted: QueryDict | None, *, outside: bool, choices: Choices, consultant: Consultant
) -> tuple[PickForm, StaffStartForm]:
    """The two ways to give a start; only the one posted is bound."""
    form = PickForm(None if outside else posted, choices=choices)
    staff_form = StaffStartForm(
        posted if outside else None, zone=consultant.zone, tz_name=consultant.timezone
    )
    return form, staff_form


@dataclass(frozen=True)
class Picked:
    start: datetime
    # Why the start is outside the usual rules; "" for a free time.
    reason: str
    # The hidden fields that carry the start to the next step.
    fields: list[tuple[str, str]]
    # The forms' own ``confirm`` field: the start was reviewed and is now confirmed.
    confirming: bool


def picked_start(  # noqa: PLR0913 -- keyword-only; the two forms and the week
    posted: QueryDict | None,
    *,
    outside: bool,
    form: PickForm,
    staff_form: StaffStartForm,
    week: date,
    recheck_confirmed: bool = True,
) -> Picked | None:
    """The start posted, from the free times or outside the usual rules, or None.

    With ``recheck_confirmed`` false, a confirmed free time is taken as posted rather
    than checked against the week again: the service re-checks it under its lock,
    and a second click then finds what the first made (the time no longer free).
    """
    if posted is None:
        return None
    if outside:
        if not staff_form.is_valid() or staff_form.start is None:
            return None
        reason = staff_form.cleaned_data["reason"]
        return Picked(
            start=staff_form.start,
            reason=reason,
            fields=[
                ("outside_rules", "True"),
                ("when", staff_form.cleaned_data["when"]),
                ("reason", reason),
            ],
            confirming=staff_form.cleaned_data["confirm"],
        )
    if not recheck_confirmed and posted.get("confirm"):
        value = posted.get("start", "")
        if (start := parse_start(value)) is not None:
            return Picked(
                start=start,
                reason="",
                fields=[("start", value), ("week", week.isoformat())],
                confirming=True,
            )
    if form.is_valid() and (start := parse_start(form.cleaned_data["start"])):
        value = form.cleaned_data["start"]
        return Picked(
            start=start,
            reason="",
            fields=[("start", value), ("week", week.isoformat())],
            confirming=form.cleaned_data["confirm"],
        )
    return None


def chosen_review(
    picked: Picked,
    *,
    consultant: Consultant,
    client_zone: ZoneInfo,
    client_tz: str,
    fields: list[tuple[str, str]] | None = None,
) -> dict:
    """The picked start to review on both clocks, as ``confirm_time.html`` takes it;
    ``fields`` (default: the picked ones) carry it to the last step."""
    consultant_clock, client_clock = both_clocks(
        picked.start, consultant, client_zone, client_tz
    )
    return {
        "consultant": consultant_clock,
        "client": client_clock,
        "reason": picked.reason,
        "fields": picked.fields if fields is None else fields,
    }
