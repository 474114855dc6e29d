"""Reading ICS feeds from a real local HTTP server: busy time of the horizon stored, the
conditional GET, failures that keep the last busy time, and addresses refused."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from bookings.models import BusyInterval
from calendars import services
from calendars.checks import encryption_keys_check
from calendars.models import CalendarFeed
from consult.outbound import UnsafeURL
from tests.calendars.feeds import BERLIN_SERIES, vcalendar, vevent
from tests.factories.bookings import ConsultantFactory
from tests.factories.calendars import CalendarFeedFactory

pytestmark = pytest.mark.django_db

# Monday 1 March 2027, 08:00 UTC; the booking horizon (30 days) and its margin end on
# 2 April.
NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def stored(feed):
    return list(
        BusyInterval.objects.filter(source=feed.source)
        .order_by("start")
        .values_list("consultant_id", "start", "end")
    )


def test_feed_sync_stores_the_busy_time_of_the_booking_horizon(feed_server):
    feed = CalendarFeedFactory(url=feed_server.serve("/berlin.ics", BERLIN_SERIES))

    result = services.feed_sync(feed_id=feed.pk, now=NOW)

    feed.refresh_from_db()
    assert result == services.SyncResult(ok=True, changed=True)
    # 12 and 19 April lie past the horizon.
    assert stored(feed) == [
        (feed.consultant_id, utc(2027, 3, 22, 8), utc(2027, 3, 22, 9)),
        (feed.consultant_id, utc(2027, 3, 29, 7), utc(2027, 3, 29, 8)),
    ]
    assert feed.last_success_at == NOW
    assert feed.last_error == ""
    assert feed.busy_count == 2
    assert (
        NOW + timedelta(minutes=8) <= feed.next_sync_at <= NOW + timedelta(minutes=12)
    )


def test_feed_sync_of_a_webcal_address_fetches_it_over_https_scheme(feed_server):
    url = feed_server.serve("/cal.ics", BERLIN_SERIES)

    assert services.feed_url_normal(url.replace("http://", "webcal://")) == url.replace(
        "http://", "https://"
    )


def test_feed_sync_asks_again_with_the_etag_and_keeps_the_busy_time(feed_server):
    url = feed_server.serve("/cal.ics", BERLIN_SERIES, etag='"v1"')
    feed = CalendarFeedFactory(url=url)
    services.feed_sync(feed_id=feed.pk, now=NOW)

    result = services.feed_sync(feed_id=feed.pk, now=NOW + timedelta(minutes=10))

    assert result == services.SyncResult(ok=True, changed=False)
    assert [seen.headers.get("If-None-Match") for seen in feed_server.seen] == [
        None,
        '"v1"',
    ]
    assert len(stored(feed)) == 2


def test_feed_sync_reads_the_whole_feed_once_the_horizon_moved_past_it(feed_server):
    url = feed_server.serve("/cal.ics", BERLIN_SERIES, etag='"v1"')
    feed = CalendarFeedFactory(url=url)
    services.feed_sync(feed_id=feed.pk, now=NOW)

    services.feed_sync(feed_id=feed.pk, now=NOW + timedelta(days=1, minutes=1))
    services.feed_sync(feed_id=feed.pk, now=NOW + timedelta(days=12))

    assert [seen.headers.get("If-None-Match") for seen in feed_server.seen] == [
        None,
        None,
        None,
    ]
    assert [start for _, start, _ in stored(feed)][-1] == utc(2027, 4, 12, 12)


def test_feed_sync_replaces_the_busy_time_when_the_feed_changes(feed_server):
    url = feed_server.serve("/cal.ics", BERLIN_SERIES)
    feed = CalendarFeedFactory(url=url)
    services.feed_sync(feed_id=feed.pk, now=NOW)
    feed_server.serve(
        "/cal.ics",
        vcalendar(vevent("one", "DTSTART:20270305T100000Z", "DTEND:20270305T110000Z")),
    )

    result = services.feed_sync(feed_id=feed.pk, now=NOW)

    assert result.changed is True
    assert stored(feed) == [
        (feed.consultant_id, utc(2027, 3, 5, 10), utc(2027, 3, 5, 11))
    ]


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        ({"status": 500}, "The calendar's server answered with HTTP 500."),
        (
            {"body": b"<html>Sign in</html>"},
            "The address did not return a readable calendar.",
        ),
    ],
)
def test_feed_sync_failure_keeps_the_last_busy_time_and_backs_off(
    feed_server, reply, error
):
    url = feed_server.serve("/cal.ics", BERLIN_SERIES)
    feed = CalendarFeedFactory(url=url)
    services.feed_sync(feed_id=feed.pk, now=NOW)
    feed_server.serve("/cal.ics", **reply)

    first = services.feed_sync(feed_id=feed.pk, now=NOW + timedelta(minutes=10))
    services.feed_sync(feed_id=feed.pk, now=NOW + timedelta(minutes=20))

    feed.refresh_from_db()
    assert first.ok is False
    assert first.error == error
    assert feed.last_error == error
    assert feed.failures == 2
    assert feed.last_success_at == NOW
    assert len(stored(feed)) == 2
    # The second failure in a row waits 4 minutes, give or take a fifth.
    after = NOW + timedelta(minutes=20)
    assert (
        after + timedelta(minutes=3.2)
        <= feed.next_sync_at
        <= after + timedelta(minutes=4.8)
    )


def test_feed_sync_timeout_is_an_error_not_a_hang(feed_server, settings):
    settings.CALENDAR_FETCH_TIMEOUT = 1
    feed = CalendarFeedFactory(
        url=feed_server.serve("/slow.ics", BERLIN_SERIES, delay=3)
    )

    result = services.feed_sync(feed_id=feed.pk, now=NOW)

    assert result.ok is False
    assert result.error == "The request failed: ReadTimeoutError."
    assert stored(feed) == []


def test_feed_sync_refuses_a_redirect_to_a_private_address(feed_server):
    url = feed_server.serve(
        "/moved.ics",
        status=302,
        headers={"Location": "http://169.254.169.254/latest/meta-data/"},
    )
    feed = CalendarFeedFactory(url=url)

    result = services.feed_sync(feed_id=feed.pk, now=NOW)

    assert result.ok is False
    assert result.error == (
        "This address points into a private network, which Consult does not reach."
    )
    assert [seen.path for seen in feed_server.seen] == ["/moved.ics"]


def test_feed_sync_refuses_a_redirect_to_another_loopback_address(feed_server):
    url = feed_server.serve(
        "/moved.ics", status=301, headers={"Location": "http://127.0.0.2:9/cal.ics"}
    )
    feed = CalendarFeedFactory(url=url)

    result = services.feed_sync(feed_id=feed.pk, now=NOW)

    assert result.error == (
        "This address points into a private network, which Consult does not reach."
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/cal.ics",
        "webcal://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/cal.ics",
        "http://[::1]/cal.ics",
        "ftp://calendar.example.com/cal.ics",
    ],
)
def test_feed_url_check_refuses_addresses_consult_does_not_reach(url):
    with pytest.raises(UnsafeURL):
        services.feed_url_check(url)


def test_feed_address_is_stored_encrypted_and_shown_only_by_host():
    url = "https://calendar.example.com/calendar/ical/secret-abc123/basic.ics"

    feed = CalendarFeedFactory(url=url)

    row = CalendarFeed.objects.get(pk=feed.pk)
    assert "secret-abc123" not in row.url_encrypted
    assert services.feed_url(row) == url
    assert row.url_hint == "https://calendar.example.com/…"
    assert str(row) == "Work (https://calendar.example.com/…)"


def test_feed_made_inactive_forgets_its_busy_time(feed_server):
    feed = CalendarFeedFactory(url=feed_server.serve("/cal.ics", BERLIN_SERIES))
    services.feed_sync(feed_id=feed.pk, now=NOW)

    feed.is_active = False
    services.feed_save(feed=feed)

    assert stored(feed) == []
    assert services.feed_sync(feed_id=feed.pk, now=NOW).skipped is True


def test_feed_deleted_forgets_its_busy_time(feed_server):
    feed = CalendarFeedFactory(url=feed_server.serve("/cal.ics", BERLIN_SERIES))
    services.feed_sync(feed_id=feed.pk, now=NOW)
    source = feed.source

    services.feed_delete(feed=feed)

    assert BusyInterval.objects.filter(source=source).count() == 0


def test_syncs_due_reads_each_due_feed_once(feed_server):
    consultant = ConsultantFactory()
    due = CalendarFeedFactory(
        consultant=consultant, url=feed_server.serve("/a.ics", BERLIN_SERIES)
    )
    later = CalendarFeedFactory(
        consultant=consultant, url=feed_server.serve("/b.ics", BERLIN_SERIES)
    )
    CalendarFeed.objects.filter(pk=later.pk).update(
        next_sync_at=datetime.now(UTC) + timedelta(minutes=5)
    )

    queued = services.syncs_due()

    assert queued == 1
    assert [seen.path for seen in feed_server.seen] == ["/a.ics"]
    due.refresh_from_db()
    assert due.last_error == ""
    assert due.last_success_at is not None


def test_keys_rotate_moves_secrets_to_the_new_key_and_the_old_one_can_go(settings):
    url = "https://calendar.example.com/private/s3cr3t/basic.ics"
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CALENDAR_ENCRYPTION_KEYS = [old]
    feed = CalendarFeedFactory(url=url)
    settings.CALENDAR_ENCRYPTION_KEYS = [new, old]

    call_command("calendar_keys_rotate", stdout=io.StringIO())
    settings.CALENDAR_ENCRYPTION_KEYS = [new]

    row = CalendarFeed.objects.get(pk=feed.pk)
    assert Fernet(new.encode()).decrypt(row.url_encrypted.encode()).decode() == url
    assert services.feed_url(row) == url


def test_feed_whose_address_no_key_opens_fails_with_a_message(settings):
    settings.CALENDAR_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    feed = CalendarFeedFactory(url="https://calendar.example.com/cal.ics")
    settings.CALENDAR_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    result = services.feed_sync(feed_id=feed.pk, now=NOW)

    assert result.error == services.UNDECRYPTABLE


def test_secrets_under_the_derived_key_survive_a_secret_key_rotation(settings):
    url = "https://calendar.example.com/private/s3cr3t/basic.ics"
    settings.CALENDAR_ENCRYPTION_KEYS = []
    feed = CalendarFeedFactory(url=url)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-" + "y" * 50
    settings.SECRET_KEY_FALLBACKS = [old_key]

    opened = services.feed_url(CalendarFeed.objects.get(pk=feed.pk))
    settings.SECRET_KEY_FALLBACKS = []
    result = services.feed_sync(feed_id=feed.pk, now=NOW)

    assert opened == url
    assert result.error == services.UNDECRYPTABLE


@pytest.mark.parametrize(("keys", "ids"), [([], ["calendars.W001"]), (None, [])])
def test_deploy_check_asks_for_calendar_keys_of_their_own(settings, keys, ids):
    settings.CALENDAR_ENCRYPTION_KEYS = (
        keys if keys is not None else [Fernet.generate_key().decode()]
    )

    assert [warning.id for warning in encryption_keys_check(None)] == ids
