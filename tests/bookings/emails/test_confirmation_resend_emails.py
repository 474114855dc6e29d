"""The confirmation sent again with a new manage link; the old link stops working."""

import pytest
from django.core.exceptions import ValidationError

from bookings import services
from bookings.enums import CancelledBy
from bookings.tokens import token_hash
from consult.models import OutboundEmail
from tests.helpers.booking_emails import MANAGE_LINK, event_of
from tests.helpers.booking_service import NOW, create

pytestmark = pytest.mark.django_db


def test_confirmation_resend_rotates_the_manage_link(
    consultant, client, django_capture_on_commit_callbacks, mailoutbox
):
    result = create(consultant=consultant)
    booking = result.booking

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_confirmation_resend(booking=booking)

    [resent] = OutboundEmail.objects.filter(dedupe_key__contains=":resend-")
    [path] = MANAGE_LINK.findall(resent.body_text)
    new_token = path.split("/")[-2]
    booking.refresh_from_db()
    assert resent.kind == "booking_confirmation"
    assert resent.to == "grace@example.com"
    assert resent.dedupe_key.startswith(
        f"booking:{booking.pk}:confirmation:client:0:resend-"
    )
    assert resent.subject == "Your consultation with Amelia Hart: your new private link"
    assert new_token != result.manage_token
    assert booking.manage_token_hash == token_hash(new_token)
    assert client.get(path).status_code == 200
    assert client.get(f"/book/manage/{result.manage_token}/").status_code == 404
    assert (
        f"http://testserver{path}\n"
        "\n"
        "This link replaces the one we sent before, which no longer works.\n"
        "Anyone with this link can change your booking, so keep it to yourself.\n"
    ) in resent.body_text
    assert "It replaces the one we sent before, which no longer works." in (
        resent.body_html
    )
    assert event_of(resent)["SEQUENCE"] == 0
    assert [m.subject for m in mailoutbox] == [resent.subject]


def test_confirmation_resend_twice_sends_two_and_only_the_last_link_works(
    consultant, client
):
    booking = create(consultant=consultant).booking

    services.booking_confirmation_resend(booking=booking)
    services.booking_confirmation_resend(booking=booking)

    resent = OutboundEmail.objects.filter(dedupe_key__contains=":resend-").order_by(
        "pk"
    )
    paths = [MANAGE_LINK.findall(email.body_text)[0] for email in resent]
    assert len(set(resent.values_list("dedupe_key", flat=True))) == 2
    assert [client.get(path).status_code for path in paths] == [404, 200]


def test_confirmation_resend_of_a_cancelled_booking_is_refused(consultant):
    booking = create(consultant=consultant).booking
    services.booking_cancel(booking=booking, by=CancelledBy.CLIENT, now=NOW)
    booking.refresh_from_db()
    hashed = booking.manage_token_hash

    with pytest.raises(ValidationError):
        services.booking_confirmation_resend(booking=booking)

    booking.refresh_from_db()
    assert booking.manage_token_hash == hashed
    assert not OutboundEmail.objects.filter(dedupe_key__contains=":resend-").exists()
