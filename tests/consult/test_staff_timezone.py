"""Consultants see the admin in their own time zone; everyone else in the site's."""

import re
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from advisor.models import Assessment
from consult.staff import STAFF_TIMEZONE_SESSION_KEY
from tests.factories.advisor import AssessmentFactory
from tests.factories.bookings import TimeOffFactory
from tests.helpers.admin_roles import (
    consultant_create,
    manager_create,
    staff_groups_create,
)
from tests.helpers.booking_admin import hours_post

pytestmark = pytest.mark.django_db

# 05:00 on 2 March in Tokyo.
START = datetime(2027, 3, 1, 20, 0, tzinfo=UTC)


@pytest.fixture
def tokyo():
    staff_groups_create()
    consultant = consultant_create(timezone="Asia/Tokyo")
    TimeOffFactory(consultant=consultant, start=START, end=START.replace(hour=22))
    return consultant


def time_off_start(client, consultant) -> tuple[str, str]:
    html = client.get(f"/admin/bookings/consultant/{consultant.pk}/change/").content
    date = re.search(rb'name="time_off-0-start_0"[^>]*value="([^"]+)"', html)
    clock = re.search(rb'name="time_off-0-start_1"[^>]*value="([^"]+)"', html)
    assert date, html.decode()[:2000]
    return date[1].decode(), clock[1].decode()


def test_consultant_sees_their_time_off_in_their_own_zone(client, tokyo):
    client.force_login(tokyo.user)

    assert time_off_start(client, tokyo) == ("2027-03-02", "05:00:00")


def test_manager_without_a_consultant_profile_sees_the_site_zone(client, tokyo):
    client.force_login(manager_create())

    assert time_off_start(client, tokyo) == ("2027-03-01", "20:00:00")


def test_consultant_zone_is_read_at_sign_in_and_kept_in_the_session(client, tokyo):
    client.force_login(tokyo.user)

    assert client.session[STAFF_TIMEZONE_SESSION_KEY] == "Asia/Tokyo"


def test_public_pages_keep_the_site_zone_for_a_signed_in_consultant(client, tokyo):
    client.force_login(tokyo.user)

    response = client.get("/book/")

    assert "Times are shown in UTC" in response.content.decode()
    assert timezone.get_current_timezone_name() == "UTC"


def test_time_off_a_consultant_types_means_their_own_wall_clock(client):
    staff_groups_create()
    mine = consultant_create(hours={}, timezone="Asia/Tokyo")
    client.force_login(mine.user)
    data = hours_post(mine, []) | {
        "time_off-TOTAL_FORMS": "1",
        "time_off-0-consultant": str(mine.pk),
        "time_off-0-start_0": "2027-04-01",
        "time_off-0-start_1": "09:00",
        "time_off-0-end_0": "2027-04-01",
        "time_off-0-end_1": "17:00",
        "time_off-0-reason": "Dentist",
    }

    response = client.post(f"/admin/bookings/consultant/{mine.pk}/change/", data)

    assert response.status_code == 302
    assert list(mine.time_off.values_list("start", "end")) == [
        (datetime(2027, 4, 1, 0, 0, tzinfo=UTC), datetime(2027, 4, 1, 8, 0, tzinfo=UTC))
    ]


def test_consultant_admin_pages_name_the_zone_they_show(client, tokyo):
    client.force_login(tokyo.user)

    dashboard = client.get("/admin/").content.decode()
    profile = client.get(f"/admin/bookings/consultant/{tokyo.pk}/change/").content
    bookings = client.get("/admin/bookings/booking/").content.decode()

    assert "Weeks start on Monday (Asia/Tokyo)" in dashboard
    assert "Time off (times in Asia/Tokyo)" in profile.decode()
    assert "By date (Asia/Tokyo)" in bookings


def test_prep_sheet_shows_when_it_was_submitted_in_the_consultants_zone(client, tokyo):
    assessment = AssessmentFactory(
        status=Assessment.Status.SUBMITTED, submitted_at=START
    )
    client.force_login(tokyo.user)

    html = client.get(f"/admin/advisor/assessment/{assessment.pk}/change/").content

    assert "Tue 02 Mar 2027 05:00 (Asia/Tokyo)" in html.decode()


LOGIN = "/admin/login/?next=/admin/"


def signed_in(client, user, **extra):
    user.set_password("correct-horse-battery")
    user.save()
    response = client.post(
        LOGIN,
        {"username": user.username, "password": "correct-horse-battery", **extra},
    )
    assert response.status_code == 302
    return client.session.get(STAFF_TIMEZONE_SESSION_KEY)


def test_staff_who_are_not_consultants_read_the_admin_in_their_browsers_zone(
    client, tokyo
):
    manager = manager_create()

    zone = signed_in(client, manager, tz="Europe/Berlin")

    assert zone == "Europe/Berlin"
    assert time_off_start(client, tokyo) == ("2027-03-01", "21:00:00")


@pytest.mark.parametrize("sent", ["Mars/Olympus", "", "x" * 500])
def test_a_zone_the_browser_sent_that_is_none_leaves_the_site_zone(client, tokyo, sent):
    assert signed_in(client, manager_create(), tz=sent) is None


def test_a_consultants_own_zone_wins_over_the_browsers(client, tokyo):
    assert signed_in(client, tokyo.user, tz="Europe/Berlin") == "Asia/Tokyo"


def test_the_sign_in_page_sends_the_browsers_zone(client):
    html = client.get(LOGIN).content.decode()

    assert "js/admin-login-zone" in html
