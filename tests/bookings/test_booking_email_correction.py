"""A bounced email, then the client's address corrected in the admin: logged, and the
last message sent again, as it was, to the new address."""

import pytest
from django.utils import timezone

from bookings.models import Booking, BookingNote
from consult.models import OutboundEmail
from tests.factories.bookings import BookingFactory
from tests.helpers.admin_roles import consultant_create
from tests.helpers.booking_admin import change_url
from tests.helpers.booking_emails import MANAGE_LINK, event_of
from tests.helpers.booking_service import OFFICE, create

pytestmark = pytest.mark.django_db


def email_url(booking) -> str:
    return f"/admin/bookings/booking/{booking.pk}/email/"


def sent_to(
    booking,
    *,
    to,
    key,
    status="failed",
    subject="Your consultation",
    kind="booking_reminder",
):
    return OutboundEmail.objects.create(
        sent_at=timezone.now() if status == "sent" else None,
        kind=kind,
        to=to,
        subject=subject,
        body_text="Hello, your link: http://testserver/book/manage/abc/",
        body_html="<p>Hello</p>",
        dedupe_key=key,
        status=status,
        last_error="550 5.1.1 No such user" if status == "failed" else "",
        related_model="bookings.booking",
        related_id=str(booking.pk),
    )


def test_correcting_a_bounced_address_resends_the_last_message_and_logs_it(
    client, django_capture_on_commit_callbacks
):
    mine = consultant_create()
    booking = BookingFactory(consultant=mine, email="grace@exmaple.com")
    sent_to(booking, to="grace@exmaple.com", key="first", subject="First")
    bounced = sent_to(booking, to="grace@exmaple.com", key="second", subject="Second")
    # To the consultant, not the client: never re-addressed.
    sent_to(
        booking, to=mine.user.email, key="theirs", status="sent", subject="New call"
    )
    client.force_login(mine.user)

    with django_capture_on_commit_callbacks():
        response = client.post(email_url(booking), {"email": "grace@example.com"})

    booking.refresh_from_db()
    copy = OutboundEmail.objects.get(to="grace@example.com")
    entry = BookingNote.objects.get()
    page = client.get(change_url(booking)).content.decode()
    assert response.status_code == 302
    assert (booking.email, booking.email_key) == (
        "grace@example.com",
        "grace@example.com",
    )
    assert (copy.subject, copy.body_text, copy.kind, copy.status) == (
        "Second",
        bounced.body_text,
        "booking_reminder",
        "queued",
    )
    assert (copy.related_model, copy.related_id) == (
        "bookings.booking",
        str(booking.pk),
    )
    assert entry.text == (
        "Client's email address corrected: grace@exmaple.com → grace@example.com; "
        "sent again: “Second”"
    )
    assert entry.author == mine.user
    assert "Client&#x27;s email address corrected" in page


def test_correcting_to_a_mailbox_with_another_upcoming_call_is_refused(client):
    mine = consultant_create()
    BookingFactory(email="taken@example.com")
    booking = BookingFactory(consultant=mine, email="typo@example.com")
    client.force_login(mine.user)

    response = client.post(email_url(booking), {"email": "taken@example.com"})

    booking.refresh_from_db()
    assert response.status_code == 400
    assert "Another upcoming consultation already uses this address." in (
        response.content.decode()
    )
    assert booking.email == "typo@example.com"


def test_a_malformed_address_is_refused_beside_the_field(client):
    mine = consultant_create()
    booking = BookingFactory(consultant=mine, email="typo@example.com")
    client.force_login(mine.user)

    response = client.post(email_url(booking), {"email": "not an address"})

    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert Booking.objects.get().email == "typo@example.com"


def test_another_consultants_client_address_cannot_be_changed(client):
    booking = BookingFactory(consultant=consultant_create(), email="a@example.com")
    client.force_login(consultant_create().user)

    response = client.post(email_url(booking), {"email": "b@example.com"})

    booking.refresh_from_db()
    assert response.status_code == 404
    assert booking.email == "a@example.com"


def test_a_bounced_confirmation_goes_again_made_out_to_the_new_address(
    client, django_capture_on_commit_callbacks
):
    mine = consultant_create(hours=OFFICE)
    with django_capture_on_commit_callbacks(execute=False):
        booking = create(email="grace@exmaple.com", consultant=mine).booking
    first = OutboundEmail.objects.get(kind="booking_confirmation")
    OutboundEmail.objects.filter(pk=first.pk).update(
        status="bounced", bounced_at=timezone.now(), last_error="550 5.1.1 unknown"
    )
    client.force_login(mine.user)

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(email_url(booking), {"email": "grace@example.com"})

    again = OutboundEmail.objects.get(
        kind="booking_confirmation", to="grace@example.com"
    )
    event = event_of(again)
    link = MANAGE_LINK.findall(again.body_text)[0]
    assert response.status_code == 302
    assert event["ATTENDEE"] == "mailto:grace@example.com"
    assert event["UID"] == event_of(first)["UID"]
    assert client.get(link).status_code == 200
    assert BookingNote.objects.get().text == (
        "Client's email address corrected: grace@exmaple.com → grace@example.com; "
        f"sent again: “{again.subject}”"
    )


def test_a_bounced_move_goes_again_with_its_invitation_made_out_again(
    client, django_capture_on_commit_callbacks
):
    mine = consultant_create()
    booking = BookingFactory(consultant=mine, email="grace@exmaple.com")
    moved = sent_to(booking, to="grace@exmaple.com", key="moved", kind="booking_moved")
    moved.attachments = [
        {
            "filename": "consultation.ics",
            "content_type": "text/calendar; method=REQUEST",
            "text": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        }
    ]
    moved.save()
    client.force_login(mine.user)

    with django_capture_on_commit_callbacks(execute=False):
        client.post(email_url(booking), {"email": "grace@example.com"})

    again = OutboundEmail.objects.get(to="grace@example.com")
    assert (again.kind, again.body_text) == ("booking_moved", moved.body_text)
    assert event_of(again)["ATTENDEE"] == "mailto:grace@example.com"
