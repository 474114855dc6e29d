"""A calendar not read for longer than CALENDAR_STALE_MINUTES is flagged on the admin's
dashboard: managers see everyone's, a consultant their own."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calendars.models import CalendarFeed
from desk.dashboard import dashboard_get
from tests.calendars.staff import calendar_consultant, calendar_manager
from tests.factories.calendars import CalendarFeedFactory

pytestmark = pytest.mark.django_db


def read_at(feed, when, error=""):
    CalendarFeed.objects.filter(pk=feed.pk).update(
        last_success_at=when, last_error=error
    )


def names(dashboard):
    return [(item.consultant, item.name) for item in dashboard.stale_calendars]


def test_stale_feed_is_flagged_for_managers_and_its_consultant(client, settings):
    settings.CALENDAR_STALE_MINUTES = 120
    now = timezone.now()
    mine = calendar_consultant(display_name="Ada")
    stale = CalendarFeedFactory(consultant=mine, name="Work", url="https://a.example/x")
    fresh = CalendarFeedFactory(consultant=mine, name="Home", url="https://a.example/y")
    other = CalendarFeedFactory(name="Other", url="https://a.example/z")
    read_at(stale, now - timedelta(minutes=121), error="HTTP 500")
    read_at(fresh, now - timedelta(minutes=30))
    read_at(other, now - timedelta(hours=5))
    manager = calendar_manager()

    assert names(dashboard_get(user=manager, now=now)) == [
        ("Ada", "Work"),
        (other.consultant.display_name, "Other"),
    ]
    assert names(dashboard_get(user=mine.user, now=now)) == [("Ada", "Work")]
    client.force_login(mine.user)
    html = client.get("/admin/").content.decode()
    assert "Calendars not read lately" in html
    assert "Ada: Work" in html


def test_dashboard_shows_no_calendar_warning_when_all_are_fresh(client):
    mine = calendar_consultant()
    feed = CalendarFeedFactory(consultant=mine, url="https://a.example/x")
    read_at(feed, timezone.now())
    client.force_login(mine.user)

    assert "Calendars not read lately" not in client.get("/admin/").content.decode()
