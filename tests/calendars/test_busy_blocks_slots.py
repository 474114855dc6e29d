"""Busy time read from a consultant's calendar takes its slots off the booking page and
refuses a booking made for it, with the slot computation's query count unchanged."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import selectors
from bookings import services as booking_services
from bookings.services import Outcome
from calendars import services
from tests.calendars.feeds import vcalendar, vevent
from tests.factories.bookings import ConsultantFactory
from tests.factories.calendars import CalendarFeedFactory
from tests.helpers.booking_pages import free_starts, slot_label
from tests.helpers.booking_service import NOW, OFFICE, TUESDAY_9, create

pytestmark = pytest.mark.django_db


def event_at(start: datetime, minutes: int = 30) -> bytes:
    end = start + timedelta(minutes=minutes)
    return vcalendar(
        vevent(
            "meeting", f"DTSTART:{start:%Y%m%dT%H%M%SZ}", f"DTEND:{end:%Y%m%dT%H%M%SZ}"
        )
    )


def starts(consultant):
    found = selectors.availability_get(consultant_id=consultant.pk, now=NOW)
    return [slot.start for slot in found.slots]


def test_event_in_a_feed_removes_its_slots_after_a_sync(feed_server):
    consultant = ConsultantFactory(hours=OFFICE)
    url = feed_server.serve("/cal.ics", event_at(TUESDAY_9, minutes=45))
    feed = CalendarFeedFactory(consultant=consultant, url=url)
    before = starts(consultant)

    services.feed_sync(feed_id=feed.pk, now=NOW)

    after = starts(consultant)
    # 09:00 and 09:30 overlap the meeting; 10:00 is free again.
    assert sorted(set(before) - set(after)) == [
        TUESDAY_9,
        TUESDAY_9 + timedelta(minutes=30),
    ]
    assert TUESDAY_9 + timedelta(hours=1) in after


def test_booking_during_calendar_busy_time_is_refused(feed_server):
    consultant = ConsultantFactory(hours=OFFICE)
    feed = CalendarFeedFactory(
        consultant=consultant, url=feed_server.serve("/cal.ics", event_at(TUESDAY_9))
    )
    services.feed_sync(feed_id=feed.pk, now=NOW)

    result = create(consultant=consultant)

    assert result.outcome == Outcome.SLOT_TAKEN
    assert TUESDAY_9 not in [slot.start for slot in result.alternatives]


def test_booking_of_anyone_goes_to_the_consultant_whose_calendar_is_free(feed_server):
    busy = ConsultantFactory(hours=OFFICE)
    free = ConsultantFactory(hours=OFFICE)
    feed = CalendarFeedFactory(
        consultant=busy, url=feed_server.serve("/cal.ics", event_at(TUESDAY_9))
    )
    services.feed_sync(feed_id=feed.pk, now=NOW)

    result = create()

    assert result.outcome == Outcome.CREATED
    assert result.booking.consultant == free


def test_busy_time_leaves_the_slot_queries_count_unchanged():
    consultant = ConsultantFactory(hours=OFFICE)
    with CaptureQueriesContext(connection) as without:
        selectors.availability_get(now=NOW)
    booking_services.busy_intervals_replace(
        consultant_id=consultant.pk,
        source="test:1",
        intervals=[
            (TUESDAY_9 + timedelta(days=day), TUESDAY_9 + timedelta(days=day, hours=1))
            for day in range(20)
        ],
    )

    with CaptureQueriesContext(connection) as with_busy:
        found = selectors.availability_get(now=NOW)

    assert len(with_busy.captured_queries) == len(without.captured_queries)
    assert TUESDAY_9 not in [slot.start for slot in found.slots]


def test_busy_intervals_replace_writes_nothing_when_unchanged():
    consultant = ConsultantFactory(hours=OFFICE)
    intervals = [(TUESDAY_9, TUESDAY_9 + timedelta(hours=1))]
    first = booking_services.busy_intervals_replace(
        consultant_id=consultant.pk, source="test:1", intervals=intervals
    )

    again = booking_services.busy_intervals_replace(
        consultant_id=consultant.pk, source="test:1", intervals=intervals
    )

    assert (first, again) == (True, False)


def test_book_page_loses_the_slot_once_the_calendar_is_synced(client, feed_server):
    consultant = ConsultantFactory()
    first = free_starts(consultant)[0]
    label = slot_label(first)
    assert (
        f'aria-label="{label}"' in client.get("/book/?tz=Asia/Tokyo").content.decode()
    )
    feed = CalendarFeedFactory(
        consultant=consultant, url=feed_server.serve("/cal.ics", event_at(first))
    )

    services.feed_sync(feed_id=feed.pk, now=datetime.now(UTC))

    html = client.get("/book/?tz=Asia/Tokyo").content.decode()
    assert f'aria-label="{label}"' not in html
