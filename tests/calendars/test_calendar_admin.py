"""Connecting a calendar feed in the admin: a consultant their own, a manager anyone's;
addresses checked next to the field, stored encrypted and never shown back."""

import pytest
from django.contrib.auth.models import Permission

from calendars.models import CalDAVAccount, CalendarFeed
from tests.calendars.feeds import BERLIN_SERIES
from tests.calendars.radicale_server import PASSWORD, USER
from tests.calendars.staff import calendar_consultant, calendar_manager
from tests.factories.calendars import CalendarFeedFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/calendars/calendarfeed/add/"
LIST = "/admin/calendars/calendarfeed/"


def change(feed):
    return f"/admin/calendars/calendarfeed/{feed.pk}/change/"


def test_consultant_connects_a_feed_of_their_own_and_it_is_read(
    client, feed_server, django_capture_on_commit_callbacks
):
    consultant = calendar_consultant()
    client.force_login(consultant.user)
    url = feed_server.serve("/cal.ics", BERLIN_SERIES)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD, {"name": "Work", "url": url, "is_active": "on"})

    assert response.status_code == 302
    feed = CalendarFeed.objects.get()
    assert feed.consultant == consultant
    assert feed.last_success_at is not None
    assert [seen.path for seen in feed_server.seen] == ["/cal.ics"]


def test_feed_address_into_a_private_network_is_refused_next_to_the_field(client):
    consultant = calendar_consultant()
    client.force_login(consultant.user)

    response = client.post(
        ADD,
        {"name": "Work", "url": "http://169.254.169.254/latest/", "is_active": "on"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "url": [
            "This address points into a private network, which Consult does not reach."
        ]
    }
    assert CalendarFeed.objects.count() == 0


def test_feed_change_page_never_shows_the_address(client):
    consultant = calendar_consultant()
    feed = CalendarFeedFactory(
        consultant=consultant,
        url="https://calendar.example.com/private/s3cr3t/basic.ics",
    )
    client.force_login(consultant.user)

    html = client.get(change(feed)).content.decode()

    assert "s3cr3t" not in html
    assert "https://calendar.example.com/…" in html


def test_feed_saved_without_an_address_keeps_the_old_one(client):
    consultant = calendar_consultant()
    url = "https://calendar.example.com/private/s3cr3t/basic.ics"
    feed = CalendarFeedFactory(consultant=consultant, url=url)
    client.force_login(consultant.user)

    response = client.post(
        change(feed), {"name": "Renamed", "url": "", "is_active": "on"}
    )

    feed.refresh_from_db()
    assert response.status_code == 302
    assert feed.name == "Renamed"
    assert feed.url_hint == "https://calendar.example.com/…"


def test_consultant_cannot_reach_another_consultants_feed(client):
    consultant = calendar_consultant()
    other = CalendarFeedFactory(url="https://calendar.example.com/a.ics")
    client.force_login(consultant.user)

    assert client.get(change(other)).status_code == 404
    assert list(client.get(LIST).context["cl"].result_list) == []


def test_manager_sees_and_connects_feeds_for_anyone(client, feed_server):
    manager = calendar_manager()
    feed = CalendarFeedFactory(url="https://calendar.example.com/a.ics")
    client.force_login(manager)

    listed = list(client.get(LIST).context["cl"].result_list)
    response = client.post(
        ADD,
        {
            "consultant": feed.consultant.pk,
            "name": "Second",
            "url": feed_server.serve("/b.ics", BERLIN_SERIES),
            "is_active": "on",
        },
    )

    assert listed == [feed]
    assert response.status_code == 302
    assert feed.consultant.calendar_feeds.count() == 2


def test_sync_now_action_reads_the_feed_at_once(
    client, feed_server, django_capture_on_commit_callbacks
):
    consultant = calendar_consultant()
    feed = CalendarFeedFactory(
        consultant=consultant, url=feed_server.serve("/cal.ics", status=500)
    )
    client.force_login(consultant.user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(LIST, {"action": "sync_now", "_selected_action": [feed.pk]})

    feed.refresh_from_db()
    assert feed.last_error == "The calendar's server answered with HTTP 500."
    html = client.get(LIST).content.decode()
    assert "Failing (never read): the busy times last read are kept." in html


def test_staff_groups_hold_the_calendar_permissions_of_each_role():
    calendar_manager()
    calendar_consultant()

    def granted(name):
        return sorted(
            Permission.objects.filter(
                group__name=name, content_type__app_label="calendars"
            ).values_list("codename", flat=True)
        )

    assert granted("Consultants") == [
        "add_caldavaccount",
        "add_calendarfeed",
        "add_calendarsubscription",
        "change_caldavaccount",
        "change_calendarfeed",
        "change_calendarsubscription",
        "delete_caldavaccount",
        "delete_calendarfeed",
        "view_caldavaccount",
        "view_calendarfeed",
        "view_calendarsubscription",
        "view_calendarwrite",
    ]
    assert len(granted("Managers")) == 14


ACCOUNT_ADD = "/admin/calendars/caldavaccount/add/"


def test_consultant_connects_a_caldav_account_and_the_password_is_never_shown(
    client, radicale, django_capture_on_commit_callbacks
):
    consultant = calendar_consultant()
    work = radicale.calendar_make("Work")
    client.force_login(consultant.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            ACCOUNT_ADD,
            {
                "name": "Radicale",
                "server_url": radicale.url,
                "username": USER,
                "password": PASSWORD,
                "read_calendars": "",
                "write_calendar_url": str(work.url),
                "is_active": "on",
            },
        )

    assert response.status_code == 302
    account = CalDAVAccount.objects.get()
    assert account.consultant == consultant
    assert account.last_error == ""
    html = client.get(f"/admin/calendars/caldavaccount/{account.pk}/change/").content
    assert PASSWORD not in html.decode()
    assert f"Work: <code>{work.url}</code>" in html.decode()


def test_caldav_server_in_a_private_network_is_refused_next_to_the_field(client):
    consultant = calendar_consultant()
    client.force_login(consultant.user)

    response = client.post(
        ACCOUNT_ADD,
        {
            "name": "Office",
            "server_url": "http://10.1.2.3/dav/",
            "username": "ada",
            "password": "secret-app-password",
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "server_url": [
            "This address points into a private network, which Consult does not reach."
        ]
    }
    assert "secret-app-password" not in response.content.decode()
    assert CalDAVAccount.objects.count() == 0
