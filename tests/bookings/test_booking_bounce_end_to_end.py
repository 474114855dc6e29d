"""A client's mistyped address, from the bounce to the corrected confirmation arriving.

A real SMTP server (aiosmtpd) refuses the mistyped address, or takes the email and a
bounce report comes back later to the signed envelope sender; the consultant sees the
banner on the booking, corrects the address, and the confirmation arrives at the new
one with an invitation naming it. Tasks run in-process, as in the rest of the suite.
"""

import email
import mailbox

import pytest
from django.core.management import call_command
from icalendar import Calendar

from bookings.models import BookingNote
from consult.models import OutboundEmail
from tests.helpers.admin_roles import consultant_create
from tests.helpers.booking_admin import change_url
from tests.helpers.booking_service import OFFICE, create
from tests.helpers.bounces import postfix_dsn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TYPO = "grace@exmaple.com"
RIGHT = "grace@example.com"
REFUSED = f"550 5.1.1 <{TYPO}>: Recipient address rejected: User unknown"


def invitation(message) -> Calendar:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_payload(decode=True))


def correct(client, booking, captured) -> None:
    page = client.get(change_url(booking)).content.decode()
    correct_url = f"/admin/bookings/booking/{booking.pk}/email/"
    assert f'<a href="{correct_url}">Correct the address</a>' in page
    with captured(execute=True):
        response = client.post(correct_url, {"email": RIGHT})
    assert response.status_code == 302


def assert_confirmation_arrived_for_the_new_address(refusing, booking) -> None:
    [message] = refusing.to(RIGHT)
    [event] = invitation(message).walk("VEVENT")
    assert (
        message["Subject"]
        == OutboundEmail.objects.get(kind="booking_confirmation", to=RIGHT).subject
    )
    assert event["ATTENDEE"] == f"mailto:{RIGHT}"
    assert event["UID"] == f"{booking.uid}@consult"
    assert OutboundEmail.objects.get(to=RIGHT).status == "sent"


def test_refused_confirmation_corrected_and_delivered(
    client, refusing, django_capture_on_commit_callbacks
):
    consultant = consultant_create(hours=OFFICE, user__email="amelia@consult.example")
    refusing.at_rcpt[TYPO] = REFUSED
    with django_capture_on_commit_callbacks(execute=True):
        booking = create(email=TYPO, consultant=consultant).booking
    client.force_login(consultant.user)

    before = client.get(change_url(booking)).content.decode()
    correct(client, booking, django_capture_on_commit_callbacks)
    after = client.get(change_url(booking)).content.decode()

    assert OutboundEmail.objects.get(to=TYPO).status == "bounced"
    assert (
        "<strong>The client's booking confirmation email bounced:</strong> "
        f"550 5.1.1 &lt;{TYPO}&gt;: Recipient address rejected: User unknown"
    ) in before
    assert_confirmation_arrived_for_the_new_address(refusing, booking)
    assert refusing.to(TYPO) == []
    assert "delivery-problem" not in after
    assert BookingNote.objects.get().text.startswith(
        f"Client's email address corrected: {TYPO} → {RIGHT}; sent again: “"
    )


def test_bounce_report_read_from_the_mailbox_then_corrected(
    client, refusing, settings, django_capture_on_commit_callbacks, tmp_path
):
    settings.EMAIL_BOUNCE_ADDRESS = "bounces@consult.example"
    consultant = consultant_create(hours=OFFICE, user__email="amelia@consult.example")
    with django_capture_on_commit_callbacks(execute=True):
        booking = create(email=TYPO, consultant=consultant).booking
    # The server took it; the report comes back to the envelope sender it was given.
    [(envelope_sender, _, _)] = [r for r in refusing.received if TYPO in r[1]]
    confirmation = OutboundEmail.objects.get(to=TYPO)
    folder = mailbox.Maildir(tmp_path / "bounces", create=True)
    folder.add(
        email.message_from_bytes(postfix_dsn(row=confirmation, to=envelope_sender))
    )
    call_command("email_bounces", "--maildir", str(tmp_path / "bounces"))
    client.force_login(consultant.user)

    before = client.get(change_url(booking)).content.decode()
    correct(client, booking, django_capture_on_commit_callbacks)

    assert OutboundEmail.objects.get(to=TYPO).status == "bounced"
    assert (
        "<strong>The client's booking confirmation email bounced:</strong> "
        f"550 5.1.1 &lt;{TYPO}&gt;: Recipient address rejected: "
        "User unknown in virtual mailbox table"
    ) in before
    assert_confirmation_arrived_for_the_new_address(refusing, booking)
