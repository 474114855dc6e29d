"""A call handed to a colleague: same time, same calendar event, everyone told; refused
with a clear reason when the colleague is not free; the floors above hear of it."""

import json
from datetime import time, timedelta

import pytest

from bookings import services
from bookings.models import Booking, BookingNote
from bookings.services import Handover
from calendars.enums import WriteStatus
from calendars.models import CalendarWrite
from consult.models import OutboundEmail
from tests.factories.bookings import (
    BookingFactory,
    BookingPolicyFactory,
    ConsultantFactory,
    DateOverrideFactory,
    TimeOffFactory,
)
from tests.factories.calendars import CalDAVAccountFactory
from tests.factories.webhooks import WebhookEndpointFactory
from tests.helpers.admin_roles import manager_create
from tests.helpers.booking_emails import MEET, calendar_of, email_to, event_of
from tests.helpers.booking_service import NOW, OFFICE, TUESDAY_9, create
from webhooks.enums import WebhookEvent
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def amelia():
    return ConsultantFactory(
        display_name="Amelia Hart",
        timezone="Europe/London",
        meeting_url=MEET,
        user__email="amelia@consult.example",
        user__first_name="Amelia",
        user__last_name="Hart",
        hours=OFFICE,
    )


@pytest.fixture
def bo():
    return ConsultantFactory(
        display_name="Bo Chen",
        timezone="Europe/Berlin",
        meeting_url="https://meet.example.com/bo",
        user__email="bo@consult.example",
        hours={day: [(time(9, 0), time(18, 0))] for day in range(5)},
    )


def hand(booking, to, *, by=None, reason="", now=NOW):
    return services.booking_reassign(
        booking=booking,
        to_consultant=to,
        by_user=by or manager_create(),
        reason=reason,
        now=now,
    )


# --- the handover and its emails ------------------------------------------------------


def test_handover_emails_all_three_with_one_event_updated_and_cancelled_for_the_old(
    amelia, bo, django_capture_on_commit_callbacks, mailoutbox
):
    booking = create(consultant=amelia).booking
    OutboundEmail.objects.all().delete()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        result = hand(booking, bo, reason="Amelia is at a conference.")

    booking.refresh_from_db()
    client_email = email_to("grace@example.com", "booking_reassigned")
    new_email = email_to("bo@consult.example", "booking_consultant_new")
    old_email = email_to("amelia@consult.example", "booking_consultant_handed_over")
    assert result.outcome == Handover.REASSIGNED
    assert (booking.consultant, booking.start, booking.sequence) == (bo, TUESDAY_9, 1)
    assert [e.dedupe_key for e in (client_email, new_email, old_email)] == [
        f"booking:{booking.pk}:reassigned:client:1",
        f"booking:{booking.pk}:reassigned:consultant:1",
        f"booking:{booking.pk}:reassigned:previous-consultant:1",
    ]
    assert client_email.subject == (
        "Your consultation on Tuesday 2 March 2027, 18:00 Tokyo time (JST) is now "
        "with Bo Chen"
    )
    assert "now with Bo Chen instead of Amelia Hart, at the same time" in " ".join(
        client_email.body_text.split()
    )
    assert new_email.subject == (
        "Handed to you from Amelia Hart: Tuesday 2 March 2027, 10:00 Berlin time (CET)"
    )
    assert "Reason: Amelia is at a conference." in new_email.body_text
    assert old_email.subject == (
        "Handed to Bo Chen: Tuesday 2 March 2027, 09:00 London time (GMT)"
    )
    events = {}
    for name, email, method in (
        ("client", client_email, "REQUEST"),
        ("new", new_email, "REQUEST"),
        ("old", old_email, "CANCEL"),
    ):
        calendar, part = calendar_of(email)
        [event] = calendar.walk("VEVENT")
        assert part["content_type"] == f"text/calendar; method={method}"
        assert calendar["METHOD"] == method
        events[name] = event
    assert {str(e["UID"]) for e in events.values()} == {f"{booking.uid}@consult"}
    assert {e["SEQUENCE"] for e in events.values()} == {1}
    assert str(events["client"]["ORGANIZER"]) == "mailto:bo@consult.example"
    assert str(events["client"]["ATTENDEE"]) == "mailto:grace@example.com"
    assert str(events["client"]["LOCATION"]) == "https://meet.example.com/bo"
    assert str(events["old"]["STATUS"]) == "CANCELLED"
    assert events["old"].decoded("DTSTART") == TUESDAY_9
    assert sorted(m.to[0] for m in mailoutbox) == [
        "amelia@consult.example",
        "bo@consult.example",
        "grace@example.com",
    ]


def test_the_confirmation_and_the_handover_invite_share_the_uid_and_sequence_rises(
    amelia, bo, django_capture_on_commit_callbacks
):
    booking = create(consultant=amelia).booking
    first = event_of(email_to("grace@example.com", "booking_confirmation"))

    hand(booking, bo)

    later = event_of(email_to("grace@example.com", "booking_reassigned"))
    assert str(later["UID"]) == str(first["UID"]) == f"{booking.uid}@consult"
    assert (first["SEQUENCE"], later["SEQUENCE"]) == (0, 1)


def test_a_call_handed_on_again_is_told_again(amelia, bo):
    carol = ConsultantFactory(display_name="Carol", user__email="carol@consult.example")
    booking = create(consultant=amelia).booking

    hand(booking, bo)
    again = hand(booking, carol)

    assert again.outcome == Handover.REASSIGNED
    handed = OutboundEmail.objects.filter(kind="booking_reassigned").order_by("pk")
    assert [e.dedupe_key for e in handed] == [
        f"booking:{booking.pk}:reassigned:client:1",
        f"booking:{booking.pk}:reassigned:client:2",
    ]
    assert email_to("bo@consult.example", "booking_consultant_handed_over").subject
    assert (
        event_of(email_to("carol@consult.example", "booking_consultant_new"))[
            "SEQUENCE"
        ]
        == 2
    )


def test_handover_is_a_note_on_the_booking(amelia, bo):
    booking = create(consultant=amelia).booking
    manager = manager_create()

    hand(booking, bo, by=manager, reason="Amelia is ill")

    [note] = BookingNote.objects.filter(booking=booking)
    assert note.author == manager
    assert note.text == "Handed over from Amelia Hart to Bo Chen: Amelia is ill"


def test_handing_over_withdraws_queued_reminders(amelia, bo):
    booking = create(consultant=amelia).booking
    OutboundEmail.objects.create(
        kind="booking_consultant_reminder",
        to="amelia@consult.example",
        subject="Tomorrow",
        dedupe_key=f"booking:{booking.pk}:reminder-24h:consultant:0",
        related_model="bookings.booking",
        related_id=str(booking.pk),
        created_at=NOW,
    )

    hand(booking, bo)

    assert not OutboundEmail.objects.filter(kind="booking_consultant_reminder").exists()


# --- refused --------------------------------------------------------------------------


def test_handover_to_a_colleague_with_a_call_then_is_refused_with_the_reason(
    amelia, bo
):
    booking = create(consultant=amelia).booking
    BookingFactory(consultant=bo, start=TUESDAY_9 - timedelta(minutes=15))

    result = hand(booking, bo)

    booking.refresh_from_db()
    assert result.outcome == Handover.REFUSED
    assert result.message == "Bo Chen is not free then: overlaps their call at 09:45."
    assert booking.consultant == amelia
    assert booking.sequence == 0
    assert not OutboundEmail.objects.filter(kind="booking_reassigned").exists()


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (
            lambda bo: TimeOffFactory(
                consultant=bo, start=TUESDAY_9, end=TUESDAY_9 + timedelta(hours=1)
            ),
            "during time off (Holiday)",
        ),
        (
            lambda bo: DateOverrideFactory(consultant=bo, date=TUESDAY_9.date()),
            "on a day off",
        ),
        (
            lambda bo: DateOverrideFactory(
                consultant=bo, date=TUESDAY_9.date(), start=time(14), end=time(18)
            ),
            "outside that day's hours",
        ),
        (
            lambda bo: BookingFactory(
                consultant=bo, start=TUESDAY_9 - timedelta(minutes=30)
            ),
            "buffer overlaps their call at 09:30",
        ),
        (
            lambda bo: BookingFactory(
                consultant=bo, start=TUESDAY_9 + timedelta(hours=3)
            ),
            "over the daily limit of 1 call",
        ),
    ],
)
def test_handover_refused_says_why_the_colleague_is_not_free(amelia, bo, setup, reason):
    BookingPolicyFactory(buffer_after_minutes=10, max_per_consultant_per_day=1)
    booking = create(consultant=amelia).booking
    setup(bo)

    result = hand(booking, bo)

    assert result.outcome == Handover.REFUSED
    assert result.message == f"Bo Chen is not free then: {reason}."
    assert Booking.objects.get(pk=booking.pk).consultant == amelia


def test_handover_to_someone_not_taking_calls_or_of_a_past_call_is_refused(amelia, bo):
    booking = create(consultant=amelia).booking
    bo.is_active = False
    bo.save()

    assert hand(booking, bo).message == "Bo Chen is not taking calls."

    bo.is_active = True
    bo.save()
    late = hand(booking, bo, now=TUESDAY_9 + timedelta(minutes=1))
    assert late.message == (
        "This call has started or passed: it can no longer be handed over."
    )


def test_the_calls_of_a_consultant_who_left_can_be_handed_over(amelia, bo):
    booking = create(consultant=amelia).booking
    amelia.is_active = False
    amelia.save()

    assert hand(booking, bo).outcome == Handover.REASSIGNED


def test_handover_needs_no_notice_only_a_free_colleague(amelia, bo):
    # Two hours before the call: well inside the 12 hours' notice a client needs.
    booking = create(consultant=amelia).booking

    result = hand(booking, bo, now=TUESDAY_9 - timedelta(hours=2))

    assert result.outcome == Handover.REASSIGNED


# --- the floors above -----------------------------------------------------------------


def test_handover_writes_a_webhook_delivery_naming_both_consultants(amelia, bo):
    WebhookEndpointFactory()
    booking = create(consultant=amelia).booking

    hand(booking, bo)

    delivery = WebhookDelivery.objects.get(event=WebhookEvent.BOOKING_REASSIGNED)
    data = json.loads(delivery.body)["data"]
    assert delivery.booking_id == booking.pk
    assert data["uid"] == str(booking.uid)
    assert data["consultant"] == {"id": bo.pk, "name": "Bo Chen"}
    assert data["previous_consultant"] == {"id": amelia.pk, "name": "Amelia Hart"}


def test_handover_queues_calendar_writes_for_both_consultants_calendars(amelia, bo):
    booking = create(consultant=amelia).booking
    old = CalDAVAccountFactory(consultant=amelia, write_calendar_url="https://a/cal/")
    new = CalDAVAccountFactory(consultant=bo, write_calendar_url="https://b/cal/")
    CalDAVAccountFactory(consultant=bo, name="Read only")

    hand(booking, bo)

    writes = CalendarWrite.objects.filter(booking=booking)
    assert sorted((w.account_id, w.status) for w in writes) == sorted(
        [(old.pk, WriteStatus.QUEUED), (new.pk, WriteStatus.QUEUED)]
    )


def test_a_move_read_before_a_handover_is_answered_busy_and_changes_nothing(amelia, bo):
    read_before = create(consultant=amelia).booking
    hand(Booking.objects.get(pk=read_before.pk), bo)

    result = services.booking_reschedule(
        booking=read_before, new_start=TUESDAY_9 + timedelta(hours=2), now=NOW
    )

    after = Booking.objects.get(pk=read_before.pk)
    assert result.outcome == services.Outcome.BUSY
    assert (after.consultant, after.start, after.sequence) == (
        bo,
        read_before.start,
        1,
    )


def test_a_client_moves_no_call_of_a_consultant_who_left_but_staff_may(amelia):
    booking = create(consultant=amelia).booking
    amelia.is_active = False
    amelia.save()
    later = booking.start + timedelta(hours=1)

    by_client = services.booking_reschedule(
        booking=booking, new_start=later, now=NOW, by_client=True
    )
    by_staff = services.booking_reschedule(booking=booking, new_start=later, now=NOW)

    assert by_client.outcome == services.Outcome.NOT_ACTIVE
    assert by_staff.outcome == services.Outcome.MOVED
