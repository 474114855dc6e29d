"""Hours or time off saved over confirmed calls: the calls are shown, each to move or
cancel, on the consultant's page after the save and on the dashboard; nothing is left
silently in conflict."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from bookings.conflicts import bookings_in_conflict
from bookings.enums import BookingStatus
from tests.factories.bookings import (
    BookingFactory,
    DateOverrideFactory,
    TimeOffFactory,
)
from tests.helpers.admin_roles import consultant_create, manager_create
from tests.helpers.booking_admin import hours_post

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # a Monday; London is on GMT
WEDNESDAY_10 = datetime(2027, 3, 3, 10, 0, tzinfo=UTC)
OFFICE = {day: [(time(9, 0), time(17, 0))] for day in range(5)}


def call(consultant, start=WEDNESDAY_10, **kwargs):
    return BookingFactory(consultant=consultant, start=start, **kwargs)


def reasons(**kwargs):
    return [(c.booking.pk, c.reason) for c in bookings_in_conflict(now=NOW, **kwargs)]


def test_a_call_within_the_hours_is_no_conflict():
    consultant = consultant_create(hours=OFFICE, timezone="Europe/London")
    call(consultant)

    assert reasons() == []


def test_time_off_over_a_call_is_a_conflict_and_says_why():
    consultant = consultant_create(hours=OFFICE, timezone="Europe/London")
    booking = call(consultant)
    TimeOffFactory(
        consultant=consultant,
        start=WEDNESDAY_10 - timedelta(hours=1),
        end=WEDNESDAY_10 + timedelta(hours=5),
        reason="Dentist",
    )

    assert reasons() == [(booking.pk, "during time off (Dentist)")]


def test_a_day_off_or_shorter_day_over_a_call_is_a_conflict():
    consultant = consultant_create(hours=OFFICE, timezone="Europe/London")
    day_off = call(consultant)
    shorter = call(consultant, start=WEDNESDAY_10 + timedelta(days=1))
    DateOverrideFactory(consultant=consultant, date=date(2027, 3, 3))
    DateOverrideFactory(
        consultant=consultant, date=date(2027, 3, 4), start=time(13), end=time(17)
    )

    assert reasons() == [
        (day_off.pk, "on a day off"),
        (shorter.pk, "outside that day's hours"),
    ]


def test_weekly_hours_that_no_longer_cover_a_call_in_the_consultants_zone():
    # 10:00 UTC is 19:00 in Tokyo: outside 09:00-17:00 there.
    consultant = consultant_create(hours=OFFICE, timezone="Asia/Tokyo")
    booking = call(consultant)

    assert reasons() == [(booking.pk, "outside the weekly hours")]


def test_past_cancelled_and_other_consultants_calls_are_left_out():
    consultant = consultant_create(hours={}, timezone="Europe/London")
    call(consultant, start=NOW - timedelta(days=1))
    call(consultant, status=BookingStatus.CANCELLED)
    theirs = call(consultant_create(hours={}), start=WEDNESDAY_10 + timedelta(hours=1))

    assert reasons(consultant_ids=[theirs.consultant_id]) == [
        (theirs.pk, "outside the weekly hours")
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_conflicts_are_read_in_six_queries(django_assert_num_queries, count):
    # The calls, the policy, and the consultants' hours, overrides, time off with
    # calendar busy time, and other calls (``schedules_for``).
    consultant = consultant_create(hours={}, timezone="Europe/London")
    for n in range(count):
        call(consultant, start=WEDNESDAY_10 + timedelta(days=n))

    with django_assert_num_queries(6):
        found = bookings_in_conflict(now=NOW)

    assert len(found) == count


def test_saving_time_off_over_a_call_shows_it_to_move_or_cancel(client):
    mine = consultant_create(timezone="Europe/London")
    start = (timezone.now() + timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    booking = call(mine, start=start, name="Ada Lovelace")
    client.force_login(mine.user)
    day = start.astimezone(mine.zone).date().isoformat()
    data = hours_post(mine, []) | {
        "timezone": "Europe/London",
        "time_off-TOTAL_FORMS": "1",
        "time_off-0-start_0": day,
        "time_off-0-start_1": "00:00",
        "time_off-0-end_0": day,
        "time_off-0-end_1": "23:59",
        "time_off-0-reason": "Conference",
        "time_off-0-consultant": str(mine.pk),
    }

    response = client.post(f"/admin/bookings/consultant/{mine.pk}/change/", data)
    page = client.get(response["Location"])

    booking.refresh_from_db()
    html = page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/bookings/consultant/{mine.pk}/conflicts/"
    assert booking.status == BookingStatus.CONFIRMED
    assert "Ada Lovelace" in html
    assert "during time off (Conference)" in html
    assert f'href="/admin/bookings/booking/{booking.pk}/move/"' in html
    assert f'name="_selected_action" value="{booking.pk}"' in html
    assert "1 confirmed call(s) fall outside these hours." in html


def test_cancel_from_the_conflicts_page_asks_the_reason_for_the_client(client):
    mine = consultant_create(timezone="Europe/London")
    booking = call(mine, start=timezone.now() + timedelta(days=3))
    client.force_login(mine.user)

    page = client.post(
        "/admin/bookings/booking/",
        {"action": "cancel_bookings", "_selected_action": [booking.pk], "index": "0"},
    )

    assert page.status_code == 200
    assert "Reason, sent to the client" in page.content.decode()


def test_manager_sees_every_consultants_conflicts_on_the_dashboard(client):
    consultant = consultant_create(hours={}, display_name="Sam Lee")
    booking = call(consultant, start=timezone.now() + timedelta(days=2), name="Bo Chen")
    client.force_login(manager_create())

    response = client.get("/admin/")

    html = response.content.decode()
    assert [c.booking for c in response.context["dashboard"].conflicts] == [booking]
    assert "Calls their consultant's hours or limits no longer allow" in html
    assert "Sam Lee with Bo Chen · outside the weekly hours" in html
