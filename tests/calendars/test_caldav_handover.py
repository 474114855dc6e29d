"""A call handed to a colleague leaves the first consultant's CalDAV calendar and
appears in the new one's, as the same event (a real Radicale server)."""

import pytest
from icalendar import Calendar

from bookings import services as booking_services
from calendars.enums import WriteStatus
from calendars.models import CalendarWrite
from tests.calendars.radicale_server import PASSWORD, USER
from tests.factories.bookings import ConsultantFactory, StaffUserFactory
from tests.factories.calendars import CalDAVAccountFactory
from tests.helpers.booking_service import NOW, OFFICE, TUESDAY_9, create

pytestmark = pytest.mark.django_db


def written(calendar):
    events = []
    for item in calendar.events():
        events.extend(Calendar.from_ical(item.data).walk("VEVENT"))
    return [(str(e["UID"]), e["DTSTART"].dt) for e in events]


def test_handover_moves_the_event_from_one_calendar_to_the_other(
    radicale, django_capture_on_commit_callbacks
):
    amelia = ConsultantFactory(hours=OFFICE)
    bo = ConsultantFactory(hours=OFFICE)
    hers = radicale.calendar_make("Amelia")
    his = radicale.calendar_make("Bo")
    for consultant, calendar in ((amelia, hers), (bo, his)):
        CalDAVAccountFactory(
            consultant=consultant,
            server_url=radicale.url,
            username=USER,
            password=PASSWORD,
            write_calendar_url=str(calendar.url),
        )
    with django_capture_on_commit_callbacks(execute=True):
        booking = create(consultant=amelia).booking
    event = (f"{booking.uid}@consult", TUESDAY_9)
    assert (written(hers), written(his)) == ([event], [])

    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_reassign(
            booking=booking, to_consultant=bo, by_user=StaffUserFactory(), now=NOW
        )

    assert (written(hers), written(his)) == ([], [event])
    assert set(CalendarWrite.objects.values_list("status", flat=True)) == {
        WriteStatus.DONE
    }
