import pytest

from bookings.models import Booking
from tests.factories.bookings import ConsultantFactory
from tests.helpers.booking_pages import form_data, free_starts

pytestmark = pytest.mark.django_db


def test_booking_honeypot_filled_is_refused_with_a_message(client):
    consultant = ConsultantFactory()
    start = free_starts(consultant)[0]

    response = client.post(
        "/book/details/", form_data(start, website="http://spam.example")
    )

    assert response.status_code == 422
    assert "Please leave the last field empty." in response.content.decode()
    assert Booking.objects.count() == 0


def test_booking_form_renders_the_honeypot_off_screen(client):
    consultant = ConsultantFactory()
    start = free_starts(consultant)[0]

    response = client.get(f"/book/details/?start={form_data(start)['start']}")

    assert (
        '<div class="hp" aria-hidden="true"><label for="id_website">'
        in response.content.decode()
    )


def test_booking_posts_are_rate_limited_per_email(client):
    consultant = ConsultantFactory()
    start = free_starts(consultant)[0]

    statuses = [
        client.post(
            "/book/details/",
            form_data(start, email="same@example.com", consent="", key=f"k{n}"),
            REMOTE_ADDR=f"10.1.0.{n}",
        ).status_code
        for n in range(6)
    ]

    assert statuses == [422, 422, 422, 422, 422, 429]


def test_booking_posts_are_rate_limited_per_ip(client):
    consultant = ConsultantFactory()
    start = free_starts(consultant)[0]

    statuses = [
        client.post(
            "/book/details/",
            form_data(start, email=f"person{n}@example.com", consent=""),
            REMOTE_ADDR="10.2.0.1",
        ).status_code
        for n in range(11)
    ]

    assert statuses == [422] * 10 + [429]
