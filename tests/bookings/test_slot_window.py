"""The booking page's week listing agrees with the whole horizon, at a fixed query count."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bookings import selectors
from tests.factories.bookings import (
    BookingFactory,
    BookingPolicyFactory,
    ConsultantFactory,
    DateOverrideFactory,
    TimeOffFactory,
)

pytestmark = pytest.mark.django_db

# Wednesday 10 March 2027: the horizon reaches past both the American (14 March) and
# the European (28 March) change to summer time.
NOW = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)
# Pacific/Auckland leaves summer time on 4 April 2027, also inside the horizon.
ZONES = (
    "UTC",
    "America/New_York",
    "Europe/London",
    "Asia/Kathmandu",
    "Pacific/Auckland",
)
# policy, consultants, weekly hours, overrides, time off, bookings
QUERIES = 6


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weeks_of_the_horizon(zone: ZoneInfo) -> list[date]:
    """The first days of the weeks a viewer steps through: from today, seven days at
    a time, and the last seven days of the horizon."""
    first = NOW.astimezone(zone).date()
    last = (NOW + timedelta(days=30)).astimezone(zone).date() - timedelta(days=6)
    steps = [first + timedelta(days=7 * n) for n in range((last - first).days // 7 + 1)]
    return [*steps, last] if steps[-1] != last else steps


def in_week(slots, week: date, zone: ZoneInfo) -> list:
    return [
        slot
        for slot in slots
        if week <= slot.start.astimezone(zone).date() < week + timedelta(days=7)
    ]


@pytest.fixture
def busy_practice():
    """Consultants in several zones with buffers, a daily cap, time off and bookings."""
    BookingPolicyFactory(
        buffer_before_minutes=15, buffer_after_minutes=15, max_per_consultant_per_day=3
    )
    weekdays = {day: [(time(8), time(12)), (time(13), time(18))] for day in range(5)}
    london = ConsultantFactory(timezone="Europe/London", hours=weekdays)
    new_york = ConsultantFactory(timezone="America/New_York", hours=weekdays)
    kolkata = ConsultantFactory(
        timezone="Asia/Kolkata", hours={5: [(time(9), time(13))]}
    )
    # Works across midnight UTC from Sunday into Monday, so its slots and bookings
    # straddle the edges of most viewers' weeks.
    los_angeles = ConsultantFactory(
        timezone="America/Los_Angeles",
        hours={6: [(time(15), time(23, 30))], 0: [(time(0), time(3))]},
    )
    los_angeles_zone = ZoneInfo("America/Los_Angeles")
    for sunday in (date(2027, 3, 14), date(2027, 3, 28)):
        # Its daily cap, reached by bookings before midnight UTC, closes the whole
        # Sunday, including the hours after it.
        for hour in (15, 17, 19):
            local = datetime.combine(sunday, time(hour), tzinfo=los_angeles_zone)
            BookingFactory(consultant=los_angeles, start=local.astimezone(UTC))
    for monday_ in (date(2027, 3, 22), date(2027, 4, 5)):
        # Its buffers, from a booking just before midnight UTC, close the next start.
        local = datetime.combine(
            monday_ - timedelta(days=1), time(16, 30), tzinfo=los_angeles_zone
        )
        BookingFactory(consultant=los_angeles, start=local.astimezone(UTC))
    DateOverrideFactory(consultant=london, date=date(2027, 3, 29))  # a day off
    DateOverrideFactory(
        consultant=new_york,
        date=date(2027, 3, 20),
        start=time(10),
        end=time(14),
    )
    TimeOffFactory(
        consultant=new_york,
        start=datetime(2027, 3, 22, tzinfo=UTC),
        end=datetime(2027, 3, 26, tzinfo=UTC),
    )
    # Three a day on some days (the cap), one on others, across both changes of time.
    for consultant in (london, new_york, kolkata):
        for day in range(1, 30, 2):
            base = datetime(2027, 3, 10, 9, tzinfo=UTC) + timedelta(days=day)
            for hour in range(3 if day % 4 == 1 else 1):
                BookingFactory(
                    consultant=consultant, start=base + timedelta(hours=hour)
                )
    return [london, new_york, kolkata, los_angeles]


@pytest.mark.parametrize("zone_name", ZONES)
def test_each_week_lists_what_the_whole_horizon_lists_for_that_week(
    busy_practice, zone_name
):
    zone = ZoneInfo(zone_name)
    everything = selectors.availability_get(now=NOW).slots

    for week in weeks_of_the_horizon(zone):
        found = selectors.availability_week_get(zone=zone, week=week, now=NOW)

        assert found.week == week
        assert found.slots == in_week(everything, week, zone), week


@pytest.mark.parametrize("zone_name", ZONES)
def test_one_consultants_week_lists_what_their_whole_horizon_lists(
    busy_practice, zone_name
):
    zone = ZoneInfo(zone_name)
    for consultant in busy_practice:
        everything = selectors.availability_get(
            consultant_id=consultant.pk, now=NOW
        ).slots
        for week in weeks_of_the_horizon(zone):
            found = selectors.availability_week_get(
                zone=zone, week=week, consultant_id=consultant.pk, now=NOW
            )

            assert found.slots == in_week(everything, week, zone), (consultant, week)


def test_a_week_without_free_time_names_the_next_free_slot():
    consultant = ConsultantFactory(timezone="America/New_York")
    TimeOffFactory(consultant=consultant, start=NOW, end=NOW + timedelta(days=12))
    zone = ZoneInfo("America/New_York")
    first = selectors.availability_get(now=NOW).slots[0]

    found = selectors.availability_week_get(zone=zone, week=monday(NOW.date()), now=NOW)

    assert found.slots == []
    assert found.next_slot == first


def test_without_a_week_opens_the_week_of_the_first_free_time():
    consultant = ConsultantFactory(timezone="UTC")
    TimeOffFactory(consultant=consultant, start=NOW, end=NOW + timedelta(days=12))
    zone = ZoneInfo("Europe/London")
    everything = selectors.availability_get(now=NOW).slots
    week = monday(everything[0].start.astimezone(zone).date())

    found = selectors.availability_week_get(zone=zone, now=NOW)

    assert found.week == week
    assert found.slots == in_week(everything, week, zone)


def test_weeks_outside_the_horizon_are_brought_back_to_its_ends():
    ConsultantFactory(timezone="UTC")
    zone = ZoneInfo("UTC")
    weeks = weeks_of_the_horizon(zone)

    early = selectors.availability_week_get(zone=zone, week=date(2020, 1, 1), now=NOW)
    late = selectors.availability_week_get(zone=zone, week=date(2099, 1, 5), now=NOW)

    assert (early.week, early.first_week, early.last_week) == (
        weeks[0],
        weeks[0],
        weeks[-1],
    )
    assert late.week == weeks[-1]


def test_the_query_count_is_the_same_for_a_quiet_and_a_busy_week(
    django_assert_num_queries,
):
    consultants = [ConsultantFactory(timezone="UTC") for _ in range(3)]
    busy_week = monday(NOW.date()) + timedelta(days=14)
    for consultant in consultants:
        for hour in range(0, 24 * 7, 5):
            start = datetime.combine(busy_week, time(1), tzinfo=UTC)
            BookingFactory(consultant=consultant, start=start + timedelta(hours=hour))
    zone = ZoneInfo("UTC")

    for week in (monday(NOW.date()) + timedelta(days=7), busy_week):
        with django_assert_num_queries(QUERIES):
            found = selectors.availability_week_get(zone=zone, week=week, now=NOW)
        assert found.slots != []


@pytest.mark.parametrize("week_offset", [0, 7, 14])
def test_the_booking_page_reads_the_same_queries_whichever_week(
    client, django_assert_num_queries, week_offset
):
    consultant = ConsultantFactory(timezone="UTC")
    today = datetime.now(UTC).date()
    for day in range(2, 20):
        start = datetime.combine(today + timedelta(days=day), time(10), tzinfo=UTC)
        BookingFactory(consultant=consultant, start=start)
    week = monday(today) + timedelta(days=week_offset)

    # The week's six, and the active consultants and the horizon that the cached
    # listing's key is checked against (once per availability version).
    with django_assert_num_queries(QUERIES + 2):
        response = client.get(f"/book/?tz=UTC&week={week}")

    assert response.status_code == 200
    assert 'class="slot"' in response.content.decode()
