"""CalDAV against a real Radicale server: busy time read from its calendars blocks slots,
and bookings are written into the consultant's calendar, moved and removed."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from bookings import selectors
from bookings import services as booking_services
from bookings.enums import BookingStatus, CancelledBy
from bookings.models import BusyInterval
from bookings.services import Outcome
from calendars import services
from calendars.enums import WriteStatus
from calendars.models import CalDAVAccount, CalendarWrite
from privacy.services import booking_erase
from tests.calendars.feeds import BERLIN_SERIES, vcalendar, vevent
from tests.calendars.radicale_server import PASSWORD, USER
from tests.calendars.staff import calendar_consultant
from tests.factories.bookings import BookingFactory, ConsultantFactory
from tests.factories.calendars import CalDAVAccountFactory
from tests.helpers.booking_service import NOW, OFFICE, TUESDAY_9, create

pytestmark = pytest.mark.django_db


def meeting(start, minutes=45, uid="meeting"):
    end = start + timedelta(minutes=minutes)
    return vcalendar(
        vevent(uid, f"DTSTART:{start:%Y%m%dT%H%M%SZ}", f"DTEND:{end:%Y%m%dT%H%M%SZ}")
    ).decode()


def account_for(radicale, consultant, **fields):
    return CalDAVAccountFactory(
        consultant=consultant,
        server_url=radicale.url,
        username=USER,
        password=PASSWORD,
        **fields,
    )


def starts(consultant):
    found = selectors.availability_get(consultant_id=consultant.pk, now=NOW)
    return [slot.start for slot in found.slots]


def test_event_created_in_radicale_removes_the_slot_after_a_sync(radicale):
    consultant = ConsultantFactory(hours=OFFICE)
    work = radicale.calendar_make("Work")
    account = account_for(radicale, consultant)
    assert TUESDAY_9 in starts(consultant)

    work.save_event(meeting(TUESDAY_9))
    result = services.account_sync(account_id=account.pk, now=NOW)

    assert result == services.SyncResult(ok=True, changed=True)
    assert TUESDAY_9 not in starts(consultant)
    assert TUESDAY_9 + timedelta(minutes=30) not in starts(consultant)
    assert TUESDAY_9 + timedelta(hours=1) in starts(consultant)
    assert create(consultant=consultant).outcome == Outcome.SLOT_TAKEN


def test_caldav_series_across_dst_is_expanded_in_its_own_zone(radicale):
    consultant = ConsultantFactory(hours=OFFICE)
    radicale.calendar_make("Work").save_event(BERLIN_SERIES.decode())
    account = account_for(radicale, consultant)

    services.account_sync(account_id=account.pk, now=NOW)

    stored = list(
        BusyInterval.objects.filter(source=account.source)
        .order_by("start")
        .values_list("start", "end")
    )
    assert [(start.hour, end.hour) for start, end in stored] == [(8, 9), (7, 8)]


def test_caldav_reads_only_the_calendars_chosen(radicale):
    consultant = ConsultantFactory(hours=OFFICE)
    work = radicale.calendar_make("Work")
    family = radicale.calendar_make("Family")
    work.save_event(meeting(TUESDAY_9, uid="work"))
    family.save_event(meeting(TUESDAY_9 + timedelta(hours=3), uid="family"))
    account = account_for(radicale, consultant, read_calendars=[str(work.url)])

    services.account_sync(account_id=account.pk, now=NOW)

    account.refresh_from_db()
    assert BusyInterval.objects.filter(source=account.source).count() == 1
    assert account.calendar_state["calendars"] == {
        str(work.url): "Work",
        str(family.url): "Family",
    }


def test_caldav_unchanged_calendar_is_not_read_again_until_its_ctag_changes(radicale):
    consultant = ConsultantFactory(hours=OFFICE)
    work = radicale.calendar_make("Work")
    work.save_event(meeting(TUESDAY_9, uid="first"))
    account = account_for(radicale, consultant)
    services.account_sync(account_id=account.pk, now=NOW)

    again = services.account_sync(
        account_id=account.pk, now=NOW + timedelta(minutes=10)
    )
    work.save_event(meeting(TUESDAY_9 + timedelta(hours=2), uid="second"))
    changed = services.account_sync(
        account_id=account.pk, now=NOW + timedelta(minutes=20)
    )

    assert again == services.SyncResult(ok=True, changed=False)
    assert changed == services.SyncResult(ok=True, changed=True)
    assert BusyInterval.objects.filter(source=account.source).count() == 2


def test_caldav_wrong_password_is_an_error_the_consultant_can_act_on(radicale):
    consultant = ConsultantFactory(hours=OFFICE)
    radicale.calendar_make("Work")
    account = CalDAVAccountFactory(
        consultant=consultant, server_url=radicale.url, username=USER, password="wrong"
    )

    result = services.account_sync(account_id=account.pk, now=NOW)

    account.refresh_from_db()
    assert result.error == "The server refused the username or app password."
    assert account.failures == 1
    assert "wrong" not in account.last_error


def test_caldav_password_is_stored_encrypted():
    account = CalDAVAccountFactory(password="app-password-123")

    row = CalDAVAccount.objects.get(pk=account.pk)

    assert "app-password-123" not in row.password_encrypted
    assert row.password_encrypted != ""


def written(calendar):
    events = []
    for item in calendar.events():
        events.extend(Calendar.from_ical(item.data).walk("VEVENT"))
    return events


def test_booking_appears_in_radicale_moves_with_it_and_cancel_removes_it(
    radicale, django_capture_on_commit_callbacks
):
    consultant = ConsultantFactory(hours=OFFICE)
    work = radicale.calendar_make("Work")
    account_for(radicale, consultant, write_calendar_url=str(work.url))

    with django_capture_on_commit_callbacks(execute=True):
        booking = create(consultant=consultant, manage_link_in_calendar=True).booking
    events = written(work)

    assert [str(event["UID"]) for event in events] == [f"{booking.uid}@consult"]
    assert events[0]["DTSTART"].dt == TUESDAY_9
    assert "/book/manage/" not in str(events[0]["DESCRIPTION"])
    assert "METHOD" not in work.events()[0].data

    later = TUESDAY_9 + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_reschedule(booking=booking, new_start=later, now=NOW)
    moved = written(work)
    assert [(str(e["UID"]), e["DTSTART"].dt) for e in moved] == [
        (f"{booking.uid}@consult", later)
    ]

    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking=booking, by=CancelledBy.CLIENT, now=NOW)
    assert written(work) == []
    write = CalendarWrite.objects.get()
    assert write.status == WriteStatus.DONE
    assert write.last_error == ""


def test_own_calls_in_a_read_calendar_do_not_block_their_own_move(
    radicale, django_capture_on_commit_callbacks
):
    consultant = ConsultantFactory(hours=OFFICE)
    work = radicale.calendar_make("Work")
    account = account_for(radicale, consultant, write_calendar_url=str(work.url))
    with django_capture_on_commit_callbacks(execute=True):
        booking = create(consultant=consultant).booking

    services.account_sync(account_id=account.pk, now=NOW)

    assert len(written(work)) == 1
    assert BusyInterval.objects.filter(source=account.source).count() == 0
    assert booking.start == TUESDAY_9


def test_write_back_failure_is_retried_then_marked_failed(
    radicale, django_capture_on_commit_callbacks
):
    consultant = ConsultantFactory(hours=OFFICE)
    work = radicale.calendar_make("Work")
    account_for(radicale, consultant, write_calendar_url=str(work.url))
    radicale.stop()

    with django_capture_on_commit_callbacks(execute=True):
        create(consultant=consultant)
    write = CalendarWrite.objects.get()

    assert write.status == WriteStatus.QUEUED
    assert write.attempts == 1
    assert write.last_error == "The request failed: NewConnectionError."
    for _ in range(services.WRITE_ATTEMPTS - 1):
        CalendarWrite.objects.filter(pk=write.pk).update(
            next_attempt_at=write.next_attempt_at - timedelta(days=1)
        )
        services.write_deliver(write_id=write.pk)
    write.refresh_from_db()
    assert write.status == WriteStatus.FAILED
    assert write.attempts == services.WRITE_ATTEMPTS


def test_write_back_goes_only_to_accounts_with_a_calendar_to_write(
    radicale, django_capture_on_commit_callbacks
):
    consultant = ConsultantFactory(hours=OFFICE)
    radicale.calendar_make("Work")
    account_for(radicale, consultant)

    with django_capture_on_commit_callbacks(execute=True):
        create(consultant=consultant)

    assert CalendarWrite.objects.count() == 0


def test_erased_clients_past_call_is_rewritten_without_their_details(
    radicale, django_capture_on_commit_callbacks
):
    consultant = ConsultantFactory(hours=OFFICE)
    work = radicale.calendar_make("Work")
    account_for(radicale, consultant, write_calendar_url=str(work.url))
    with django_capture_on_commit_callbacks(execute=True):
        booking = create(consultant=consultant).booking
    assert "Grace Hopper" in str(written(work)[0]["SUMMARY"])

    with django_capture_on_commit_callbacks(execute=True):
        booking_erase(booking=booking, now=booking.end + timedelta(days=1))

    events = written(work)
    assert [str(event["UID"]) for event in events] == [f"{booking.uid}@consult"]
    assert "Grace Hopper" not in events[0].to_ical().decode()
    assert "Compilers Inc" not in events[0].to_ical().decode()


def test_failed_write_back_is_visible_in_the_admin_and_tried_again_from_there(
    client, radicale, django_capture_on_commit_callbacks
):
    consultant = calendar_consultant()
    work = radicale.calendar_make("Work")
    account = account_for(radicale, consultant, write_calendar_url=str(work.url))
    radicale.stop()
    with django_capture_on_commit_callbacks(execute=True):
        booking = create(consultant=consultant).booking
    write = CalendarWrite.objects.get()
    CalendarWrite.objects.filter(pk=write.pk).update(status=WriteStatus.FAILED)
    client.force_login(consultant.user)

    listed = client.get("/admin/calendars/calendarwrite/").content.decode()
    accounts = client.get("/admin/calendars/caldavaccount/")
    radicale.start()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/calendars/calendarwrite/",
            {"action": "retry", "_selected_action": [write.pk]},
        )

    assert "The request failed: NewConnectionError." in listed
    assert [row.failed_writes for row in accounts.context["cl"].result_list] == [1]
    write.refresh_from_db()
    assert write.status == WriteStatus.DONE
    assert [str(e["UID"]) for e in written(work)] == [f"{booking.uid}@consult"]
    assert account.pk == write.account_id


def test_beat_scan_reads_due_accounts_and_relays_due_writes(radicale):
    consultant = ConsultantFactory(hours=OFFICE)
    work = radicale.calendar_make("Work")
    work.save_event(meeting(TUESDAY_9))
    account = account_for(radicale, consultant, write_calendar_url=str(work.url))
    booking = create(consultant=consultant).booking  # its write not delivered yet

    services.syncs_due()

    account.refresh_from_db()
    assert account.last_success_at is not None
    assert CalendarWrite.objects.get(booking=booking).status == WriteStatus.DONE
    assert len(written(work)) == 2


def test_caldav_server_in_a_network_not_allowed_is_never_contacted(radicale, settings):
    consultant = ConsultantFactory(hours=OFFICE)
    radicale.calendar_make("Work")
    account = account_for(radicale, consultant)
    settings.OUTBOUND_ALLOWED_NETWORKS = []

    result = services.account_sync(account_id=account.pk, now=NOW)

    assert result.error == (
        "This address points into a private network, which Consult does not reach."
    )


def test_calendar_to_write_into_gets_the_calls_already_booked(
    radicale, django_capture_on_commit_callbacks
):
    consultant = ConsultantFactory()
    work = radicale.calendar_make("Work")
    upcoming = BookingFactory(consultant=consultant)
    BookingFactory(consultant=consultant, status=BookingStatus.CANCELLED)
    account = account_for(radicale, consultant)

    account.write_calendar_url = str(work.url)
    with django_capture_on_commit_callbacks(execute=True):
        services.account_save(account=account)

    assert [str(e["UID"]) for e in written(work)] == [f"{upcoming.uid}@consult"]
