"""Today and tomorrow: the viewer's calls of both days, by their local day, and whose."""

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest

from advisor.models import Assessment
from bookings.enums import BookingStatus
from bookings.models import Booking
from desk.agenda import agenda_get
from tests.factories.advisor import AssessmentFactory
from tests.factories.bookings import BookingFactory
from tests.helpers.admin_roles import (
    consultant_create,
    manager_create,
    superuser_create,
)

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")
TEMPLATE = "https://meet.jit.si/consult-{room}"


def call(consultant, start: datetime, **fields) -> Booking:
    fields = {"email": f"c{start:%m%d%H%M}-{consultant.pk}@example.com"} | fields
    return BookingFactory(consultant=consultant, start=start, **fields)


def names(agenda) -> list[tuple[str, list[str]]]:
    return [(day.label, [c.booking.name for c in day.calls]) for day in agenda.days]


def test_days_follow_the_viewers_clock_when_berlin_springs_forward():
    # Saturday 27 March 2027, 21:00 in Berlin; the clocks go forward that night, so
    # Sunday has 23 hours and Monday starts at 22:00 UTC.
    mine = consultant_create(timezone="Europe/Berlin")
    now = datetime(2027, 3, 27, 20, 0, tzinfo=UTC)
    call(mine, datetime(2027, 3, 27, 22, 30, tzinfo=UTC), name="Sat 23:30")
    call(mine, datetime(2027, 3, 27, 23, 30, tzinfo=UTC), name="Sun 00:30")
    call(mine, datetime(2027, 3, 28, 1, 30, tzinfo=UTC), name="Sun 03:30 CEST")
    call(mine, datetime(2027, 3, 28, 21, 30, tzinfo=UTC), name="Sun 23:30")
    call(mine, datetime(2027, 3, 28, 22, 30, tzinfo=UTC), name="Mon 00:30")
    call(mine, datetime(2027, 3, 26, 22, 30, tzinfo=UTC), name="Fri 23:30")

    agenda = agenda_get(user=mine.user, now=now, zone=BERLIN)

    assert names(agenda) == [
        ("Today", ["Sat 23:30"]),
        ("Tomorrow", ["Sun 00:30", "Sun 03:30 CEST", "Sun 23:30"]),
    ]
    assert [day.day.isoformat() for day in agenda.days] == ["2027-03-27", "2027-03-28"]
    assert [c.starts for c in agenda.days[1].calls] == ["00:30", "03:30", "23:30"]


def test_days_follow_the_viewers_clock_when_los_angeles_falls_back():
    # Saturday 6 November 2027, 18:00 in Los Angeles; Sunday has 25 hours, and
    # 01:30 comes twice.
    mine = consultant_create(timezone="America/Los_Angeles")
    now = datetime(2027, 11, 7, 1, 0, tzinfo=UTC)
    call(mine, datetime(2027, 11, 7, 6, 0, tzinfo=UTC), name="Sat 23:00")
    call(mine, datetime(2027, 11, 7, 8, 30, tzinfo=UTC), name="Sun 01:30 PDT")
    call(mine, datetime(2027, 11, 7, 9, 30, tzinfo=UTC), name="Sun 01:30 PST")
    call(mine, datetime(2027, 11, 8, 7, 30, tzinfo=UTC), name="Sun 23:30")
    call(mine, datetime(2027, 11, 8, 8, 15, tzinfo=UTC), name="Mon 00:15")

    agenda = agenda_get(user=mine.user, now=now, zone=LOS_ANGELES)

    assert names(agenda) == [
        ("Today", ["Sat 23:00"]),
        ("Tomorrow", ["Sun 01:30 PDT", "Sun 01:30 PST", "Sun 23:30"]),
    ]
    assert [c.starts for c in agenda.days[1].calls] == [
        "01:30 PDT",
        "01:30 PST",
        "23:30",
    ]


def test_a_call_earlier_today_awaiting_its_outcome_asks_for_it(settings):
    settings.MEETING_URL_TEMPLATE = TEMPLATE
    mine = consultant_create(timezone="Europe/Berlin")
    now = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)
    assessment = AssessmentFactory(status=Assessment.Status.SUBMITTED)
    past = call(
        mine,
        now - timedelta(hours=5),
        name="Morning",
        status=BookingStatus.AWAITING_OUTCOME,
        assessment=assessment,
        stack="hybrid",
    )
    later = call(mine, now + timedelta(hours=2), name="Afternoon")
    call(
        mine,
        now + timedelta(hours=3),
        name="Called off",
        status=BookingStatus.CANCELLED,
    )

    [today, _] = agenda_get(user=mine.user, now=now, zone=BERLIN).days

    morning, afternoon = today.calls
    assert morning.needs_outcome is True
    assert morning.booking_url == f"/admin/bookings/booking/{past.pk}/change/"
    assert morning.prep_sheet_url == (
        f"/admin/advisor/assessment/{assessment.pk}/change/"
    )
    assert morning.stack_label == "Hybrid"
    assert afternoon.needs_outcome is False
    assert afternoon.meeting_url == TEMPLATE.replace("{room}", later.room)
    assert afternoon.prep_sheet_url == ""


def test_a_consultant_sees_only_their_own_calls_even_asking_for_the_teams():
    now = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)
    mine = consultant_create(display_name="Amelia")
    theirs = consultant_create(display_name="Marcus")
    call(mine, now + timedelta(hours=2), name="Mine")
    call(theirs, now + timedelta(hours=3), name="Theirs")

    agenda = agenda_get(user=mine.user, team=True, now=now, zone=UTC)

    assert names(agenda) == [("Today", ["Mine"]), ("Tomorrow", [])]
    assert (agenda.may_see_team, agenda.team) == (False, False)


def test_a_quiet_two_days_name_the_next_call_after_them():
    now = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)
    mine = consultant_create(display_name="Amelia")
    theirs = consultant_create(display_name="Marcus")
    call(theirs, now + timedelta(days=3), name="Theirs, sooner")
    call(mine, now + timedelta(days=5), name="Later")
    call(
        mine,
        now + timedelta(days=4),
        name="Cancelled",
        status=BookingStatus.CANCELLED,
    )

    agenda = agenda_get(user=mine.user, now=now, zone=BERLIN)
    # A day with a call needs no pointer to the next.
    busy = agenda_get(
        user=theirs.user, now=now + timedelta(days=3, hours=-2), zone=BERLIN
    )

    assert names(agenda) == [("Today", []), ("Tomorrow", [])]
    assert agenda.next_call.name == "Later"
    # 08:00 UTC is 09:00 in Berlin in March, before the clocks go forward.
    assert agenda.next_label == "Mon 15 Mar 2027 09:00"
    assert busy.next_call is None


def test_a_manager_sees_their_own_then_the_teams_on_asking():
    now = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)
    boss = consultant_create(display_name="Boss")
    boss.user.groups.add(*manager_create("other-manager").groups.all())
    theirs = consultant_create(display_name="Marcus")
    call(boss, now + timedelta(hours=2), name="Mine")
    call(theirs, now + timedelta(days=1), name="Theirs")

    own = agenda_get(user=boss.user, now=now, zone=UTC)
    team = agenda_get(user=boss.user, team=True, now=now, zone=UTC)

    assert names(own) == [("Today", ["Mine"]), ("Tomorrow", [])]
    assert names(team) == [("Today", ["Mine"]), ("Tomorrow", ["Theirs"])]
    assert (team.may_see_team, team.team) == (True, True)


def test_a_manager_without_calls_of_their_own_sees_the_teams():
    now = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)
    call(consultant_create(), now + timedelta(hours=2), name="Theirs")

    agenda = agenda_get(user=manager_create(), now=now, zone=UTC)

    assert names(agenda) == [("Today", ["Theirs"]), ("Tomorrow", [])]


# --- the page -------------------------------------------------------------------------


def test_agenda_page_for_a_consultant_in_their_zone(client, settings):
    settings.MEETING_URL_TEMPLATE = TEMPLATE
    mine = consultant_create(timezone="Asia/Kolkata")
    soon = BookingFactory(
        consultant=mine,
        name="Ada Lovelace",
        company="Northwind Bank",
        topic="Support summaries",
        start=datetime.now(UTC).replace(second=0, microsecond=0)
        + timedelta(minutes=30),
    )
    client.force_login(mine.user)

    response = client.get("/admin/desk/agenda/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private, no-store")
    assert "Times in Asia/Kolkata." in html
    assert "Ada Lovelace</strong>, Northwind Bank" in html
    assert f'href="{TEMPLATE.replace("{room}", soon.room)}"' in html
    assert "The team's" not in html


def test_agenda_is_in_the_admin_nav_and_on_the_dashboard(client):
    mine = consultant_create()
    client.force_login(mine.user)

    html = client.get("/admin/").content.decode()

    assert '<a href="/admin/desk/agenda/">Today and tomorrow</a> / ' in html
    assert '<a class="button" href="/admin/desk/agenda/">Today and tomorrow</a>' in html


def test_agenda_is_closed_to_staff_who_read_no_bookings(client):
    from tests.factories.bookings import StaffUserFactory  # noqa: PLC0415

    client.force_login(StaffUserFactory(username="reception"))

    assert client.get("/admin/desk/agenda/").status_code == 403


def test_agenda_team_toggle_for_a_superuser(client):
    now = datetime.now(UTC)
    call(consultant_create(display_name="Marcus"), now + timedelta(hours=1), name="X")
    client.force_login(superuser_create())

    html = client.get("/admin/desk/agenda/?team=1").content.decode()

    assert "Showing the team's calls." in html
    assert "with Marcus" in html


@pytest.mark.parametrize("count", [1, 50])
def test_agenda_page_is_a_fixed_number_of_queries(
    client, django_assert_num_queries, count
):
    mine = consultant_create()
    first = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=5)
    assessment = AssessmentFactory()
    for n in range(count):
        start = first + timedelta(minutes=10 * n)
        end = start + timedelta(minutes=10)
        call(
            mine,
            start,
            end=end,
            blocked_end=end,
            assessment=assessment,
            stack="api",
        )
    client.force_login(mine.user)
    client.get("/admin/desk/agenda/")

    with django_assert_num_queries(AGENDA_QUERIES):
        response = client.get("/admin/desk/agenda/")

    assert sum(len(day.calls) for day in response.context["agenda"].days) == count


# Session, user, permissions (user's and groups'), the consultant, whether they see
# everyone, the calls: the same for fifty calls as for one.
AGENDA_QUERIES = 7
