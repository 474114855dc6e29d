"""A booking moved or cancelled: both parties told once, and the same calendar
event updated or cancelled."""

from datetime import timedelta

import pytest

from bookings import services
from bookings.enums import CancelledBy
from bookings.services import Outcome
from consult.models import OutboundEmail
from tests.helpers.booking_emails import MEET, calendar_of, email_to, event_of
from tests.helpers.booking_service import NOW, TUESDAY_9, create

pytestmark = pytest.mark.django_db


# --- moved ----------------------------------------------------------------------------


def test_booking_reschedule_emails_both_with_the_same_uid_and_a_higher_sequence(
    consultant, django_capture_on_commit_callbacks, mailoutbox
):
    booking = create(consultant=consultant).booking
    new_start = TUESDAY_9 + timedelta(hours=2)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.booking_reschedule(
            booking=booking, new_start=new_start, now=NOW
        )

    client_email = email_to("grace@example.com", "booking_moved")
    consultant_email = email_to("amelia@consult.example", "booking_consultant_moved")
    first = event_of(email_to("grace@example.com", "booking_confirmation"))
    assert result.outcome == Outcome.MOVED
    assert client_email.dedupe_key == f"booking:{booking.pk}:moved:client:1"
    assert consultant_email.dedupe_key == f"booking:{booking.pk}:moved:consultant:1"
    assert client_email.subject == (
        "Moved: your consultation with Amelia Hart is now "
        "Tuesday 2 March 2027, 20:00 Tokyo time (JST)"
    )
    assert consultant_email.subject == (
        "Consultation moved to Tuesday 2 March 2027, 11:00 London time (GMT)"
    )
    for email in (client_email, consultant_email):
        calendar, part = calendar_of(email)
        [event] = calendar.walk("VEVENT")
        assert part["content_type"] == "text/calendar; method=REQUEST"
        assert calendar["METHOD"] == "REQUEST"
        assert event["UID"] == first["UID"] == f"{booking.uid}@consult"
        assert (first["SEQUENCE"], event["SEQUENCE"]) == (0, 1)
        assert event.decoded("DTSTART") == new_start
        assert event.decoded("DTEND") == new_start + timedelta(minutes=30)
    assert sorted(m.to[0] for m in mailoutbox) == [
        "amelia@consult.example",
        "grace@example.com",
    ]


def test_moved_text_shows_the_new_and_old_times_and_points_to_the_kept_link(
    consultant,
):
    booking = create(consultant=consultant).booking

    services.booking_reschedule(
        booking=booking, new_start=TUESDAY_9 + timedelta(hours=2), now=NOW
    )

    assert email_to("grace@example.com", "booking_moved").body_text == (
        "Hello Grace Hopper,\n"
        "\n"
        "Your consultation with Amelia Hart has moved to a new time.\n"
        "\n"
        "New time: Tuesday 2 March 2027, 20:00\u201320:30 Tokyo time (JST)\n"
        "Was: Tuesday 2 March 2027, 18:00\u201318:30\n"
        "With: Amelia Hart, Consult\n"
        f"Join: {MEET}\n"
        "\n"
        "The attached calendar file moves the event in your calendar.\n"
        "\n"
        "To reschedule again or cancel, use the private link in your booking\n"
        "confirmation email; it still works.\n"
        "\n"
        "The Consult team\n"
        "http://testserver\n"
    )
    consultant_text = email_to(
        "amelia@consult.example", "booking_consultant_moved"
    ).body_text
    assert (
        "New time: Tuesday 2 March 2027, 11:00\u201311:30 London time (GMT)\n"
        "For the client: Tuesday 2 March 2027, 20:00\u201320:30 Tokyo time (JST)\n"
        "Was: Tuesday 2 March 2027, 09:00\u201309:30\n"
    ) in consultant_text


def test_booking_reschedule_twice_to_the_same_time_emails_each_party_once(
    consultant,
):
    booking = create(consultant=consultant).booking
    new_start = TUESDAY_9 + timedelta(hours=2)

    first = services.booking_reschedule(booking=booking, new_start=new_start, now=NOW)
    second = services.booking_reschedule(booking=booking, new_start=new_start, now=NOW)

    assert (first.outcome, second.outcome) == (Outcome.MOVED, Outcome.UNCHANGED)
    assert OutboundEmail.objects.filter(kind__endswith="moved").count() == 2


def test_moving_twice_sends_a_new_pair_with_each_sequence(consultant):
    booking = create(consultant=consultant).booking

    services.booking_reschedule(
        booking=booking, new_start=TUESDAY_9 + timedelta(hours=2), now=NOW
    )
    services.booking_reschedule(
        booking=booking, new_start=TUESDAY_9 + timedelta(hours=3), now=NOW
    )

    moved = OutboundEmail.objects.filter(to="grace@example.com", kind="booking_moved")
    assert sorted(moved.values_list("dedupe_key", flat=True)) == [
        f"booking:{booking.pk}:moved:client:1",
        f"booking:{booking.pk}:moved:client:2",
    ]
    assert sorted(event_of(email)["SEQUENCE"] for email in moved) == [1, 2]


# --- cancelled ------------------------------------------------------------------------


def test_booking_cancel_by_the_client_sends_both_a_cancel_with_a_higher_sequence(
    consultant, django_capture_on_commit_callbacks, mailoutbox
):
    booking = create(consultant=consultant).booking

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(
            booking=booking, reason="Found an answer", by=CancelledBy.CLIENT, now=NOW
        )

    client_email = email_to("grace@example.com", "booking_cancelled")
    consultant_email = email_to(
        "amelia@consult.example", "booking_consultant_cancelled"
    )
    for email in (client_email, consultant_email):
        calendar, part = calendar_of(email)
        [event] = calendar.walk("VEVENT")
        assert part["content_type"] == "text/calendar; method=CANCEL"
        assert calendar["METHOD"] == "CANCEL"
        assert event["STATUS"] == "CANCELLED"
        assert event["UID"] == f"{booking.uid}@consult"
        assert event["SEQUENCE"] == 1
        assert event.decoded("DTSTART") == TUESDAY_9
    assert client_email.dedupe_key == f"booking:{booking.pk}:cancelled:client:1"
    assert client_email.subject == (
        "Cancelled: your consultation with Amelia Hart, "
        "Tuesday 2 March 2027, 18:00 Tokyo time (JST)"
    )
    assert client_email.body_text == (
        "Hello Grace Hopper,\n"
        "\n"
        "As you asked, we have cancelled your consultation with Amelia Hart.\n"
        "\n"
        "Cancelled: Tuesday 2 March 2027, 18:00\u201318:30 Tokyo time (JST)\n"
        "\n"
        "The attached calendar file removes it from your calendar.\n"
        "\n"
        "If you would like to talk another time, you are welcome to book again:\n"
        "\n"
        "http://testserver/book/\n"
        "\n"
        "The Consult team\n"
        "http://testserver\n"
    )
    assert consultant_email.subject == (
        "Consultation cancelled: Tuesday 2 March 2027, 09:00 London time (GMT)"
    )
    assert (
        "The client has cancelled their consultation with you.\n"
        in consultant_email.body_text
    )
    assert "\nReason: Found an answer\n" in consultant_email.body_text
    assert len(mailoutbox) == 2


def test_booking_cancel_by_staff_gives_the_client_the_reason(consultant):
    booking = create(consultant=consultant).booking

    services.booking_cancel(
        booking=booking,
        reason="Amelia is unwell <today>.",
        by=CancelledBy.STAFF,
        now=NOW,
    )

    client_email = email_to("grace@example.com", "booking_cancelled")
    consultant_email = email_to(
        "amelia@consult.example", "booking_consultant_cancelled"
    )
    assert (
        "We are sorry: we have had to cancel your consultation with\n"
        "Amelia Hart.\n"
        "\n"
        "Cancelled: Tuesday 2 March 2027, 18:00\u201318:30 Tokyo time (JST)\n"
        "\n"
        "Reason: Amelia is unwell <today>.\n"
    ) in client_email.body_text
    assert "Amelia is unwell &lt;today&gt;." in client_email.body_html
    assert (
        "A consultation with you was cancelled by staff.\n"
        in consultant_email.body_text
    )


def test_booking_cancel_twice_emails_each_party_once(consultant):
    booking = create(consultant=consultant).booking

    first = services.booking_cancel(booking=booking, by=CancelledBy.CLIENT, now=NOW)
    second = services.booking_cancel(booking=booking, by=CancelledBy.CLIENT, now=NOW)

    assert (first.outcome, second.outcome) == (
        Outcome.CANCELLED,
        Outcome.ALREADY_CANCELLED,
    )
    assert OutboundEmail.objects.filter(kind__endswith="cancelled").count() == 2


def test_booking_cancel_by_staff_after_the_meeting_ended_emails_nobody(consultant):
    booking = create(consultant=consultant).booking

    result = services.booking_cancel(
        booking=booking, by=CancelledBy.STAFF, now=TUESDAY_9 + timedelta(hours=1)
    )

    assert result.outcome == Outcome.CANCELLED
    assert not OutboundEmail.objects.filter(kind__endswith="cancelled").exists()
