"""The admin's move page: one week of free times at a time, and a start outside the
usual rules with a reason."""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.enums import BookingStatus
from bookings.forms import format_start
from bookings.models import BookingNote, BookingPolicy
from consult.enums import NoteKind
from consult.models import OutboundEmail
from tests.factories.bookings import BookingFactory, ConsultantFactory, TimeOffFactory
from tests.helpers.admin_roles import consultant_create

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
VALUE = re.compile(r'name="start" value="([^"]+)"> ([^<]+)</label>')


def move_url(booking) -> str:
    return f"/admin/bookings/booking/{booking.pk}/move/"


def policy(**fields) -> BookingPolicy:
    current = BookingPolicy.current()
    for name, value in fields.items():
        setattr(current, name, value)
    current.save()
    return current


def offered(html: str) -> list[tuple[datetime, str]]:
    return [
        (datetime.fromisoformat(value), label) for value, label in VALUE.findall(html)
    ]


def a_booking(consultant, *, days=2, **kwargs):
    start = (timezone.now() + timedelta(days=days)).replace(
        minute=0, second=0, microsecond=0
    )
    return BookingFactory(consultant=consultant, start=start, **kwargs)


def test_move_page_reads_as_many_queries_for_a_year_as_for_two_weeks(
    admin_client, django_assert_max_num_queries
):
    consultant = ConsultantFactory()
    booking = a_booking(consultant)
    for day in range(3, 40, 3):
        a_booking(consultant, days=day)
    counts = []
    for horizon in (14, 365):
        policy(horizon_days=horizon)
        with (
            django_assert_max_num_queries(20),
            CaptureQueriesContext(connection) as queries,
        ):
            response = admin_client.get(move_url(booking))
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_move_page_shows_seven_days_with_nothing_chosen(admin_client):
    consultant = ConsultantFactory(timezone="Europe/London")
    booking = a_booking(consultant, client_timezone="Asia/Tokyo")

    html = admin_client.get(move_url(booking)).content.decode()

    days = re.findall(r'<details class="module move-day" id="day-([0-9-]+)"', html)
    first = date.fromisoformat(days[0])
    assert [date.fromisoformat(day) for day in days] == [
        first + timedelta(days=n) for n in range(7)
    ]
    assert " checked" not in html
    start, label = offered(html)[0]
    local, tokyo = (
        start.astimezone(consultant.zone),
        start.astimezone(ZoneInfo("Asia/Tokyo")),
    )
    assert label.startswith(f"{local:%H:%M} · client {tokyo:%H:%M}")


def test_move_page_opens_on_the_first_week_with_a_free_time(admin_client):
    consultant = ConsultantFactory()
    booking = a_booking(consultant, days=1)
    # Away for the next three weeks: the page opens after, not on an empty week.
    TimeOffFactory(
        consultant=consultant,
        start=timezone.now(),
        end=timezone.now() + timedelta(days=21),
    )

    html = admin_client.get(move_url(booking)).content.decode()

    times = offered(html)
    assert times
    assert times[0][0] >= timezone.now() + timedelta(days=21)
    assert times[0][0] < timezone.now() + timedelta(days=29)


def test_move_page_week_links_go_seven_days_either_way(admin_client):
    consultant = ConsultantFactory()
    booking = a_booking(consultant)
    today = timezone.now().astimezone(consultant.zone).date()
    asked = today + timedelta(days=9)

    html = admin_client.get(
        f"{move_url(booking)}?week={asked.isoformat()}"
    ).content.decode()

    starts = [start for start, _ in offered(html)]
    local_days = {start.astimezone(consultant.zone).date() for start in starts}
    assert min(local_days) == asked
    assert max(local_days) == asked + timedelta(days=6)
    assert f"?week={(asked - timedelta(days=7)).isoformat()}" in html
    assert f"?week={(asked + timedelta(days=7)).isoformat()}" in html
    assert 'name="week" value="' + asked.isoformat() + '"' in html


def test_move_page_picks_from_a_later_week_and_moves_there(admin_client):
    consultant = ConsultantFactory()
    booking = a_booking(consultant)
    asked = timezone.now().astimezone(consultant.zone).date() + timedelta(days=14)
    html = admin_client.get(f"{move_url(booking)}?week={asked}").content.decode()
    target = offered(html)[3][0]

    review = admin_client.post(
        move_url(booking), {"week": asked.isoformat(), "start": format_start(target)}
    )
    moved = admin_client.post(
        move_url(booking),
        {"week": asked.isoformat(), "start": format_start(target), "confirm": "True"},
    )

    booking.refresh_from_db()
    assert "Move the call to this time?" in review.content.decode()
    assert moved.status_code == 302
    assert booking.start == target


def _next_berlin_change(now: datetime) -> date:
    day = now.astimezone(BERLIN).date() + timedelta(days=1)
    while True:
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=BERLIN)
        before = noon - timedelta(days=1)
        if noon.utcoffset() != before.utcoffset():
            return day
        day += timedelta(days=1)


def test_move_page_over_a_clock_change_lists_each_wall_clock_time_once(admin_client):
    policy(horizon_days=365)
    consultant = ConsultantFactory(timezone="Europe/Berlin")
    booking = a_booking(consultant, client_timezone="America/New_York")
    change = _next_berlin_change(timezone.now())
    asked = change - timedelta(days=3)

    html = admin_client.get(f"{move_url(booking)}?week={asked}").content.decode()

    that_day = [
        (start, label)
        for start, label in offered(html)
        if start.astimezone(BERLIN).date() == change
    ]
    clocks = [f"{start.astimezone(BERLIN):%H:%M}" for start, _ in that_day]
    spring = change.month < 7
    # Spring forward: no 02:00 or 02:30. Fall back: the repeated hour once.
    assert len(that_day) == (46 if spring else 48)
    assert len(set(clocks)) == len(clocks)
    assert ("02:00" in clocks) is not spring
    for start, label in that_day:
        new_york = start.astimezone(NEW_YORK)
        assert label.startswith(
            f"{start.astimezone(BERLIN):%H:%M} · client {new_york:%H:%M}"
        )


def test_outside_rules_refuses_a_time_the_clocks_skip_or_repeat(admin_client):
    consultant = ConsultantFactory(timezone="Europe/Berlin")
    booking = a_booking(consultant)
    year = timezone.now().year + 1

    # The last Sunday of October: the clocks go back at 03:00.
    october = max(
        date(year, 10, day)
        for day in range(25, 32)
        if date(year, 10, day).weekday() == 6
    )
    march = max(
        date(year, 3, day) for day in range(25, 32) if date(year, 3, day).weekday() == 6
    )
    skipped = admin_client.post(
        move_url(booking),
        {"outside_rules": "True", "when": f"{march}T02:30", "reason": "Asked"},
    )
    twice = admin_client.post(
        move_url(booking),
        {"outside_rules": "True", "when": f"{october}T02:30", "reason": "Asked"},
    )

    booking.refresh_from_db()
    assert skipped.status_code == 400
    assert "There is no 02:30 on" in skipped.content.decode()
    assert "in Europe/Berlin: the clocks go forward" in skipped.content.decode()
    assert twice.status_code == 400
    assert "happens twice in Europe/Berlin" in twice.content.decode()
    assert booking.sequence == 0


@pytest.mark.parametrize(
    ("zone", "when"),
    [("America/New_York", "9999-12-31T23:00"), ("Asia/Tokyo", "0001-01-01T01:00")],
)
def test_outside_rules_refuses_a_date_no_clock_reaches(admin_client, zone, when):
    booking = a_booking(ConsultantFactory(timezone=zone))

    response = admin_client.post(
        move_url(booking), {"outside_rules": "True", "when": when, "reason": "Asked"}
    )

    booking.refresh_from_db()
    assert response.status_code == 400
    assert "Give a date within the booking horizon." in response.content.decode()
    assert booking.sequence == 0


def test_outside_rules_moves_inside_the_notice_period_and_keeps_the_reason(client):
    policy(minimum_notice_minutes=24 * 60, buffer_before_minutes=15)
    mine = consultant_create(timezone="Europe/Berlin")
    booking = a_booking(mine, days=5)
    client.force_login(mine.user)
    soon = (timezone.now() + timedelta(hours=3)).astimezone(BERLIN)
    soon = soon.replace(minute=10, second=0, microsecond=0)
    typed = f"{soon:%Y-%m-%dT%H:%M}"
    data = {"outside_rules": "True", "when": typed, "reason": "Client asked by phone"}

    review = client.post(move_url(booking), data)
    moved = client.post(move_url(booking), {**data, "confirm": "True"})

    booking.refresh_from_db()
    note = BookingNote.objects.get(booking=booking)
    assert review.status_code == 200
    assert "Move the call to this time?" in review.content.decode()
    assert "Client asked by phone" in review.content.decode()
    assert moved.status_code == 302
    assert booking.start == soon.astimezone(UTC)
    # Outside the usual rules the call keeps no buffers of its own.
    assert booking.blocked_start == booking.start
    assert note.author == mine.user
    assert note.kind == NoteKind.STATUS
    assert note.text.endswith("outside the usual rules: Client asked by phone")
    assert LogEntry.objects.get(object_id=str(booking.pk)).change_message == (
        f"Moved to {soon:%a %d %b %Y %H:%M} (Europe/Berlin) outside the usual "
        "rules: Client asked by phone"
    )
    assert "booking_moved" in OutboundEmail.objects.values_list("kind", flat=True)


def test_outside_rules_without_a_reason_says_so_beside_the_field(admin_client):
    consultant = ConsultantFactory()
    booking = a_booking(consultant)
    soon = (timezone.now() + timedelta(hours=3)).astimezone(consultant.zone)

    response = admin_client.post(
        move_url(booking),
        {"outside_rules": "True", "when": f"{soon:%Y-%m-%dT%H:%M}", "reason": "  "},
    )

    booking.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 400
    reason_row = html[html.index('id="id_reason"') - 400 : html.index('id="id_reason"')]
    assert "Say why the usual rules do not apply." in reason_row
    assert f'value="{soon:%Y-%m-%dT%H:%M}"' in html
    assert booking.sequence == 0
    assert not BookingNote.objects.exists()


@pytest.mark.postgres
def test_outside_rules_onto_another_call_is_refused_cleanly(admin_client):
    consultant = ConsultantFactory()
    booking = a_booking(consultant, days=5)
    other = a_booking(consultant, days=2, email="other@example.com")
    overlapping = (other.start + timedelta(minutes=10)).astimezone(consultant.zone)
    data = {
        "outside_rules": "True",
        "when": f"{overlapping:%Y-%m-%dT%H:%M}",
        "reason": "Squeeze it in",
        "confirm": "True",
    }

    response = admin_client.post(move_url(booking), data)

    booking.refresh_from_db()
    assert response.status_code == 409
    assert "overlaps another of the consultant" in response.content.decode()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.sequence == 0
    assert not BookingNote.objects.exists()
    assert not LogEntry.objects.exists()
