"""The manage links emails and calendar invites carry keep working when a fresh one
is sent, until the client revokes them."""

import pytest
from django.utils import timezone

from bookings import services
from bookings.models import Booking, BookingLink
from consult.models import OutboundEmail
from tests.helpers.booking_emails import MANAGE_LINK, email_to, event_of
from tests.helpers.booking_service import create

pytestmark = pytest.mark.django_db


def invite_link(email: OutboundEmail) -> str:
    [path] = MANAGE_LINK.findall(str(event_of(email)["DESCRIPTION"]))
    return path


def test_the_invites_manage_link_outlives_a_lost_link_request_until_revoked(
    consultant, client
):
    create(manage_link_in_calendar=True)
    in_invite = invite_link(email_to("grace@example.com", "booking_confirmation"))

    assert services.booking_links_resend(email="grace@example.com") == 1
    [resent] = OutboundEmail.objects.filter(dedupe_key__contains=":resend-")
    fresh = MANAGE_LINK.findall(resent.body_text)[0]

    assert invite_link(resent) == fresh
    assert client.get(in_invite).status_code == 200
    assert client.get(fresh).status_code == 200
    client.post(f"{fresh}links/", {"action": "revoke_others"})
    assert client.get(in_invite).status_code == 404
    assert client.get(fresh).status_code == 200


def test_a_resubmitted_form_after_its_link_was_revoked_books_nothing_twice(
    consultant,
):
    first = create(idempotency_key="k" * 43)
    BookingLink.objects.filter(booking=first.booking).update(revoked_at=timezone.now())

    again = create(idempotency_key="k" * 43)

    assert again.outcome == services.Outcome.DUPLICATE
    assert again.booking == first.booking
    assert Booking.objects.count() == 1
