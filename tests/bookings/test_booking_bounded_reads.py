"""Public booking requests do bounded work whatever they ask for: the same queries for
any number of consultants, and alternatives looked for near the wanted time only."""

import re
from datetime import UTC, datetime, time, timedelta
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bookings import availability, selectors, services
from bookings.forms import format_start
from bookings.services import Outcome
from tests.factories.bookings import (
    BookingFactory,
    BookingPolicyFactory,
    ConsultantFactory,
    DateOverrideFactory,
)
from tests.helpers.booking_pages import form_data

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
TUESDAY_9 = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
OFFICE = {day: [(time(9, 0), time(17, 0))] for day in range(5)}
# Details page for a taken start: policy, consultants and the four reads around the
# start, which serve the first window of alternatives searched too.
DETAILS_TAKEN_QUERIES = 6
# A refused "any consultant" booking: the duplicate and mailbox checks (three), the
# same six reads, then the page shown again (policy and consultants).
POST_TAKEN_QUERIES = 11
RESCHEDULE_WEEK_QUERIES = 7


@pytest.fixture
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def everyone_booked_at_nine(count: int) -> None:
    for _ in range(count):
        BookingFactory(consultant=ConsultantFactory(hours=OFFICE), start=TUESDAY_9)


@pytest.mark.parametrize("consultants", [1, 4])
def test_details_for_a_taken_start_reads_the_same_for_any_number_of_consultants(
    client, django_assert_num_queries, frozen_now, consultants
):
    BookingPolicyFactory(minimum_notice_minutes=0)
    everyone_booked_at_nine(consultants)

    with django_assert_num_queries(DETAILS_TAKEN_QUERIES):
        response = client.get(
            f"/book/details/?start={format_start(TUESDAY_9)}&consultant=any&tz=UTC"
        )

    assert response.status_code == 200
    assert response.content.decode().count('<input type="radio" name="start"') == 3


@pytest.mark.parametrize("consultants", [1, 4])
def test_a_refused_any_consultant_post_reads_the_same_for_any_number_of_consultants(
    client, django_assert_num_queries, frozen_now, consultants
):
    BookingPolicyFactory(minimum_notice_minutes=0)
    everyone_booked_at_nine(consultants)

    with django_assert_num_queries(POST_TAKEN_QUERIES):
        response = client.post("/book/details/", form_data(TUESDAY_9))

    assert response.status_code == 409


def test_alternatives_near_the_wanted_time_are_the_nearest_of_the_whole_horizon():
    BookingPolicyFactory(minimum_notice_minutes=0, horizon_days=30)
    consultants = [ConsultantFactory(hours=OFFICE) for _ in range(3)]
    for half_hour in range(16):
        for consultant in consultants[:2]:
            BookingFactory(
                consultant=consultant,
                start=TUESDAY_9 + timedelta(minutes=30 * half_hour),
            )
    everything = selectors.availability_get(now=NOW).slots
    target = TUESDAY_9 + timedelta(hours=3)

    near = selectors.slots_near(target=target, now=NOW)

    assert near == availability.nearest(everything, target, limit=3)
    assert [slot.start for slot in near] == [
        target - timedelta(minutes=30),
        target,
        target + timedelta(minutes=30),
    ]
    assert [slot.consultant_keys for slot in near] == [(consultants[2].pk,)] * 3


def test_alternatives_are_not_looked_for_past_four_weeks_from_the_wanted_time():
    BookingPolicyFactory(minimum_notice_minutes=0, horizon_days=60)
    consultant = ConsultantFactory(hours={}, timezone="UTC")
    far = NOW.date() + timedelta(days=40)
    DateOverrideFactory(consultant=consultant, date=far, start=time(9), end=time(10))
    far_nine = datetime.combine(far, time(9), tzinfo=UTC)
    assert [s.start for s in selectors.availability_get(now=NOW).slots] == [
        far_nine,
        far_nine + timedelta(minutes=30),
    ]

    assert selectors.slots_near(target=TUESDAY_9, now=NOW) == []
    assert [
        slot.start
        for slot in selectors.slots_near(target=far_nine - timedelta(days=20), now=NOW)
    ] == [far_nine, far_nine + timedelta(minutes=30)]


def test_a_refused_move_offers_the_nearest_times_of_its_own_consultant_but_its_own():
    BookingPolicyFactory(minimum_notice_minutes=0)
    consultant, other = (ConsultantFactory(hours=OFFICE) for _ in range(2))
    BookingFactory(consultant=consultant, start=TUESDAY_9 + timedelta(hours=1))
    moving = BookingFactory(
        consultant=consultant, start=TUESDAY_9 + timedelta(minutes=30)
    )

    result = services.booking_reschedule(
        booking=moving, new_start=TUESDAY_9 + timedelta(hours=1), now=NOW
    )

    assert result.outcome == Outcome.SLOT_TAKEN
    assert [(s.start, s.consultant_keys) for s in result.alternatives] == [
        (TUESDAY_9, (consultant.pk,)),
        (TUESDAY_9 + timedelta(minutes=90), (consultant.pk,)),
        (TUESDAY_9 + timedelta(minutes=120), (consultant.pk,)),
    ]
    assert other.pk not in {k for s in result.alternatives for k in s.consultant_keys}


UTC_ZONE = ZoneInfo("UTC")


def hours_only_on(day, consultant) -> datetime:
    DateOverrideFactory(consultant=consultant, date=day, start=time(9), end=time(10))
    return datetime.combine(day, time(9), tzinfo=UTC)


def test_a_week_without_free_time_names_the_next_one_months_ahead():
    BookingPolicyFactory(minimum_notice_minutes=0, horizon_days=365)
    consultant = ConsultantFactory(hours={}, timezone="UTC")
    far_nine = hours_only_on(NOW.date() + timedelta(days=140), consultant)

    asked = selectors.availability_week_get(zone=UTC_ZONE, week=NOW.date(), now=NOW)
    opened = selectors.availability_week_get(zone=UTC_ZONE, now=NOW)

    assert (asked.slots, asked.next_slot.start) == ([], far_nine)
    assert opened.week == far_nine.date() - timedelta(days=far_nine.weekday())
    assert [slot.start for slot in opened.slots] == [
        far_nine,
        far_nine + timedelta(minutes=30),
    ]


def test_a_week_without_free_time_reads_only_the_next_week_when_it_has_one(
    django_assert_num_queries,
):
    BookingPolicyFactory(minimum_notice_minutes=0, horizon_days=365)
    consultant = ConsultantFactory(hours={}, timezone="UTC")
    next_week_nine = hours_only_on(NOW.date() + timedelta(days=7), consultant)

    # Policy, consultants and the four reads of the week, then four of the next.
    with django_assert_num_queries(10):
        found = selectors.availability_week_get(zone=UTC_ZONE, now=NOW)

    assert found.slots[0].start == next_week_nine


@pytest.mark.parametrize("horizon_days", [30, 365])
def test_the_reschedule_page_reads_one_week_however_far_the_horizon(
    client, django_assert_num_queries, frozen_now, horizon_days
):
    BookingPolicyFactory(minimum_notice_minutes=0, horizon_days=horizon_days)
    consultant = ConsultantFactory(hours=OFFICE, timezone="UTC")
    moving = BookingFactory(consultant=consultant, start=TUESDAY_9)
    for weeks in range(2, horizon_days // 7):
        BookingFactory(consultant=consultant, start=TUESDAY_9 + timedelta(weeks=weeks))
    url = f"/book/manage/{moving.token}/reschedule/?tz=UTC"

    # The booking by its link, the week (policy and four reads) and the page's own
    # reads: the same for a month ahead as for a year of bookings.
    with django_assert_num_queries(RESCHEDULE_WEEK_QUERIES):
        response = client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert f"start={format_start(TUESDAY_9 + timedelta(minutes=30))}&amp;" in html
    assert f"start={format_start(TUESDAY_9)}&amp;" not in html


def test_the_reschedule_page_opens_on_the_first_week_with_a_free_time(
    client, frozen_now
):
    BookingPolicyFactory(minimum_notice_minutes=0, horizon_days=365)
    consultant = ConsultantFactory(hours={}, timezone="UTC")
    far_nine = hours_only_on(NOW.date() + timedelta(days=140), consultant)
    moving = BookingFactory(consultant=consultant, start=TUESDAY_9)
    url = f"/book/manage/{moving.token}/reschedule/?tz=UTC"

    asked = client.get(f"{url}&week={NOW.date()}").content.decode()
    opened = client.get(url).content.decode()

    assert "No free times in these seven days. The next one is" in asked
    assert f"week={far_nine.date()}" in asked
    assert f'id="day-{far_nine.date()}"' in opened
    assert f"start={format_start(far_nine)}&amp;" in opened


def test_the_reschedule_page_answers_a_taken_start_from_around_it(
    client, django_assert_num_queries, frozen_now
):
    BookingPolicyFactory(minimum_notice_minutes=0, horizon_days=365)
    consultant = ConsultantFactory(hours=OFFICE, timezone="UTC")
    moving = BookingFactory(consultant=consultant, start=TUESDAY_9)
    # A Tuesday 29 weeks on, at 11:00.
    far = TUESDAY_9 + timedelta(days=203, hours=2)
    BookingFactory(consultant=consultant, start=far)
    url = f"/book/manage/{moving.token}/reschedule/?tz=UTC&start={format_start(far)}"

    html = client.get(url).content.decode()

    assert "Sorry, that time is no longer free." in html
    notice = html.split("Sorry, that time is no longer free.")[1].split("</div>")[0]
    offered = re.findall(r'<a class="slot" href="[^"]*start=([^"&]+)', notice)
    assert [unquote(value) for value in offered] == [
        format_start(far - timedelta(minutes=60)),
        format_start(far - timedelta(minutes=30)),
        format_start(far + timedelta(minutes=30)),
    ]
