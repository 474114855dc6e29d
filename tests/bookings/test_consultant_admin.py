"""Consultants in the admin: their profile, weekly hours, date overrides and time off,
and who may change which."""

from datetime import UTC, datetime, time

import pytest
from django.contrib.admin.models import LogEntry
from django.forms import inlineformset_factory

from bookings.admin_forms import DateOverrideFormSet, WeeklyHoursFormSet
from bookings.models import Consultant, DateOverride, WeeklyHours
from tests.factories.bookings import ConsultantFactory
from tests.helpers.admin_roles import consultant_create, manager_create
from tests.helpers.booking_admin import hours_post

pytestmark = pytest.mark.django_db


def test_consultant_change_page_has_hours_overrides_and_time_off(admin_client):
    consultant = ConsultantFactory(expertise=["api"])

    html = admin_client.get(
        f"/admin/bookings/consultant/{consultant.pk}/change/"
    ).content.decode()

    assert 'name="weekly_hours-TOTAL_FORMS"' in html
    assert 'name="date_overrides-TOTAL_FORMS"' in html
    assert 'name="time_off-TOTAL_FORMS"' in html
    assert 'type="checkbox" name="expertise" value="api"' in html


def hours_formset(consultant, rows):
    formset_class = inlineformset_factory(
        Consultant,
        WeeklyHours,
        formset=WeeklyHoursFormSet,
        fields=["weekday", "start", "end"],
        extra=len(rows),
    )
    data = {
        "weekly_hours-TOTAL_FORMS": str(len(rows)),
        "weekly_hours-INITIAL_FORMS": "0",
    }
    for n, (weekday, start, end) in enumerate(rows):
        data |= {
            f"weekly_hours-{n}-weekday": str(weekday),
            f"weekly_hours-{n}-start": start,
            f"weekly_hours-{n}-end": end,
        }
    return formset_class(data, instance=consultant, prefix="weekly_hours")


def test_weekly_hours_that_overlap_on_one_day_are_refused():
    consultant = ConsultantFactory(hours={})

    overlapping = hours_formset(
        consultant, [(0, "09:00", "12:00"), (0, "11:00", "13:00")]
    )
    touching = hours_formset(consultant, [(0, "09:00", "12:00"), (0, "12:00", "00:00")])

    assert not overlapping.is_valid()
    assert overlapping.non_form_errors() == ["Monday: two ranges overlap."]
    assert touching.is_valid()


def test_a_date_override_cannot_be_a_day_off_and_have_hours():
    consultant = ConsultantFactory(hours={})
    formset_class = inlineformset_factory(
        Consultant,
        DateOverride,
        formset=DateOverrideFormSet,
        fields=["date", "start", "end"],
        extra=2,
    )
    formset = formset_class(
        {
            "o-TOTAL_FORMS": "2",
            "o-INITIAL_FORMS": "0",
            "o-0-date": "2027-03-01",
            "o-1-date": "2027-03-01",
            "o-1-start": "09:00",
            "o-1-end": "10:00",
        },
        instance=consultant,
        prefix="o",
    )

    assert not formset.is_valid()
    assert formset.non_form_errors() == [
        "2027-03-01: a day off cannot also have hours. Remove one of them."
    ]


def test_consultant_manages_their_hours_meeting_link_and_zone_but_not_their_name(
    client,
):
    mine = consultant_create(
        hours={}, display_name="Amelia Hart", timezone="Europe/London"
    )
    client.force_login(mine.user)
    url = f"/admin/bookings/consultant/{mine.pk}/change/"

    page = client.get(url)
    response = client.post(
        url,
        hours_post(mine, [(0, "09:00", "12:00")])
        | {
            "meeting_url": "https://meet.example.com/amelia",
            "bio": "Ships language products.",
            "expertise": ["api"],
            "is_active": "",
        },
    )

    mine.refresh_from_db()
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="weekly_hours-TOTAL_FORMS"' in html
    assert 'name="meeting_url"' in html
    assert 'name="timezone"' in html
    assert 'name="display_name"' not in html
    assert 'name="is_active"' not in html
    assert response.status_code == 302
    assert list(mine.weekly_hours.values_list("weekday", "start", "end")) == [
        (0, time(9, 0), time(12, 0))
    ]
    assert (
        mine.display_name,
        mine.timezone,
        mine.meeting_url,
        mine.bio,
        mine.expertise,
        mine.is_active,
    ) == (
        "Amelia Hart",
        "Asia/Tokyo",
        "https://meet.example.com/amelia",
        "Ships language products.",
        ["api"],
        True,
    )


def test_consultant_meeting_link_must_be_a_link(client):
    mine = consultant_create(hours={})
    client.force_login(mine.user)
    url = f"/admin/bookings/consultant/{mine.pk}/change/"

    response = client.post(url, hours_post(mine, []) | {"meeting_url": "my room"})

    mine.refresh_from_db()
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    assert mine.meeting_url == ""


def test_consultant_cannot_open_another_consultants_profile(client):
    mine = consultant_create()
    theirs = consultant_create()
    client.force_login(mine.user)

    listing = client.get("/admin/bookings/consultant/")
    other = client.get(f"/admin/bookings/consultant/{theirs.pk}/change/")

    assert list(listing.context["cl"].result_list) == [mine]
    assert other.status_code == 404


def test_consultant_cannot_see_the_booking_policy_or_price_books(client):
    mine = consultant_create()
    client.force_login(mine.user)

    assert client.get("/admin/bookings/bookingpolicy/").status_code == 403
    assert client.get("/admin/advisor/pricebook/").status_code == 403


def test_manager_edits_any_consultants_profile(client):
    consultant = consultant_create(hours={})
    client.force_login(manager_create())
    url = f"/admin/bookings/consultant/{consultant.pk}/change/"

    response = client.post(
        url, {**hours_post(consultant, []), "user": str(consultant.user.pk)}
    )

    consultant.refresh_from_db()
    assert response.status_code == 302
    assert (consultant.display_name, consultant.timezone) == ("Renamed", "Asia/Tokyo")


def test_weekly_hours_row_without_a_weekday_is_an_error_beside_it(client):
    mine = consultant_create(hours={}, timezone="Europe/London")
    client.force_login(mine.user)

    response = client.post(
        f"/admin/bookings/consultant/{mine.pk}/change/",
        hours_post(mine, [("", "09:00", "12:00")]),
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not mine.weekly_hours.exists()


def test_time_off_typed_in_the_consultants_zone_is_logged_in_utc(client):
    mine = consultant_create(hours={}, timezone="Asia/Tokyo")
    client.force_login(mine.user)  # the admin shows Asia/Tokyo
    data = hours_post(mine, []) | {
        "time_off-TOTAL_FORMS": "1",
        "time_off-0-start_0": "2027-03-01",
        "time_off-0-start_1": "09:00",
        "time_off-0-end_0": "2027-03-01",
        "time_off-0-end_1": "17:00",
        "time_off-0-consultant": str(mine.pk),
    }

    response = client.post(f"/admin/bookings/consultant/{mine.pk}/change/", data)

    assert response.status_code == 302
    assert mine.time_off.get().start == datetime(2027, 3, 1, 0, 0, tzinfo=UTC)
    message = LogEntry.objects.get().get_change_message()
    assert "Mon 01 Mar 2027 00:00 to Mon 01 Mar 2027 08:00 (UTC)" in message
