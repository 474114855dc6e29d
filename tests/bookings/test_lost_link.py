""" "Lost the link to your booking?": the confirmation again, with a new manage link."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.enums import BookingStatus
from bookings.models import BookingLink
from consult.models import OutboundEmail
from tests.factories.bookings import BookingFactory

pytestmark = pytest.mark.django_db

MANAGE_PATH = re.compile(r"http://testserver(/book/manage/[A-Za-z0-9_-]{43}/)")


def test_lost_link_page_asks_for_the_booking_email(client):
    response = client.get("/book/lost-link/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Lost the link to your booking?</h1>" in html
    assert '<label for="id_email">The email address you booked with</label>' in html


def test_lost_link_sends_the_confirmation_again_and_the_old_link_keeps_working(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    booking = BookingFactory(
        email="grace@example.com", consultant__display_name="Amelia Hart"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/book/lost-link/", {"email": " Grace@Example.com"})

    assert response.status_code == 200
    assert "If grace@example.com has an upcoming consultation with us" in (
        response.content.decode()
    )
    [sent] = mailoutbox
    assert sent.to == ["grace@example.com"]
    assert sent.subject == "Your consultation with Amelia Hart: your new private link"
    path = MANAGE_PATH.findall(sent.body)[0]
    assert client.get(path).status_code == 200
    assert client.get(f"/book/manage/{booking.token}/").status_code == 200
    assert list(booking.links.order_by("pk").values_list("origin", flat=True)) == [
        "booked",
        "lost_link",
    ]


@pytest.mark.parametrize(
    "existing",
    [
        None,
        {"status": BookingStatus.CANCELLED},
        {"start": timezone.now() - timedelta(days=2)},
        {"email": "someone.else@example.com"},
    ],
    ids=["no booking", "cancelled", "past", "another address"],
)
def test_lost_link_without_an_upcoming_booking_says_the_same_and_sends_nothing(
    client, mailoutbox, existing
):
    if existing is not None:
        BookingFactory(**{"email": "grace@example.com", **existing})
    before = list(BookingLink.objects.values_list("token_hash", flat=True))

    response = client.post("/book/lost-link/", {"email": "grace@example.com"})

    assert response.status_code == 200
    assert "If grace@example.com has an upcoming consultation with us" in (
        response.content.decode()
    )
    assert mailoutbox == []
    assert not OutboundEmail.objects.exists()
    assert list(BookingLink.objects.values_list("token_hash", flat=True)) == before


def test_lost_link_invalid_email_is_a_clear_error_beside_the_field(client):
    response = client.post("/book/lost-link/", {"email": "grace at example"})

    html = response.content.decode()
    assert response.status_code == 422
    assert '<a href="#id_email">Enter a valid email address.</a>' in html
    assert 'value="grace at example"' in html


def test_lost_link_is_rate_limited_per_email(client):
    statuses = [
        client.post(
            "/book/lost-link/", {"email": "x@example.com"}, REMOTE_ADDR=f"10.8.0.{n}"
        ).status_code
        for n in range(4)
    ]

    assert statuses == [200, 200, 200, 429]


def test_booking_page_links_to_the_lost_link_page(client):
    html = client.get("/book/").content.decode()

    assert '<a href="/book/lost-link/">' in html
