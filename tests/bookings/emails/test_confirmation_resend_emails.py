"""The confirmation sent again with a further manage link; the old links keep working."""

import pytest
from django.core.exceptions import ValidationError

from bookings import services
from bookings.enums import CancelledBy
from bookings.models import BookingLink
from bookings.tokens import token_hash
from consult.models import OutboundEmail
from tests.helpers.booking_emails import MANAGE_LINK, event_of
from tests.helpers.booking_service import NOW, create

pytestmark = pytest.mark.django_db


def test_confirmation_resend_adds_a_manage_link_and_keeps_the_old_one(
    consultant, client, django_capture_on_commit_callbacks, mailoutbox
):
    result = create(consultant=consultant)
    booking = result.booking

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_confirmation_resend(booking=booking)

    [resent] = OutboundEmail.objects.filter(dedupe_key__contains=":resend-")
    path = MANAGE_LINK.findall(resent.body_text)[0]
    new_token = path.split("/")[-2]
    assert resent.kind == "booking_confirmation"
    assert resent.to == "grace@example.com"
    assert resent.dedupe_key.startswith(
        f"booking:{booking.pk}:confirmation:client:0:resend-"
    )
    assert resent.subject == "Your consultation with Amelia Hart: your new private link"
    assert new_token != result.manage_token
    assert list(
        BookingLink.objects.filter(booking=booking)
        .order_by("pk")
        .values_list("origin", "token_hash", "revoked_at")
    ) == [
        ("booked", token_hash(result.manage_token), None),
        ("resent", token_hash(new_token), None),
    ]
    assert client.get(path).status_code == 200
    assert client.get(f"/book/manage/{result.manage_token}/").status_code == 200
    assert (
        f"http://testserver{path}\n"
        "\n"
        "Anyone with this link can change your booking, so keep it to yourself.\n"
        "The links we sent you before still work. To see them all, or to stop\n"
        "the others working, open:\n"
        "\n"
        f"http://testserver{path}links/\n"
    ) in resent.body_text
    assert (
        f'The links we sent you before still work. <a href="http://testserver{path}links/"'
    ) in resent.body_html
    assert event_of(resent)["SEQUENCE"] == 0
    assert [m.subject for m in mailoutbox] == [resent.subject]


def test_confirmation_resend_twice_sends_two_and_every_link_works(consultant, client):
    result = create(consultant=consultant)
    booking = result.booking

    services.booking_confirmation_resend(booking=booking)
    services.booking_confirmation_resend(booking=booking)

    resent = OutboundEmail.objects.filter(dedupe_key__contains=":resend-").order_by(
        "pk"
    )
    paths = [
        f"/book/manage/{result.manage_token}/",
        *(MANAGE_LINK.findall(email.body_text)[0] for email in resent),
    ]
    assert len(set(resent.values_list("dedupe_key", flat=True))) == 2
    assert len(set(paths)) == 3
    assert [client.get(path).status_code for path in paths] == [200, 200, 200]


def test_confirmation_resend_of_a_cancelled_booking_is_refused(consultant):
    booking = create(consultant=consultant).booking
    services.booking_cancel(booking=booking, by=CancelledBy.CLIENT, now=NOW)
    booking.refresh_from_db()
    hashes = list(booking.links.values_list("token_hash", flat=True))

    with pytest.raises(ValidationError):
        services.booking_confirmation_resend(booking=booking)

    assert list(booking.links.values_list("token_hash", flat=True)) == hashes
    assert not OutboundEmail.objects.filter(dedupe_key__contains=":resend-").exists()
