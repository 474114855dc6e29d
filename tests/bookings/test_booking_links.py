"""A booking's links page: every manage link still working, when each was made and
last used, in the client's zone; revoking one or all the others."""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from bookings import links
from bookings.models import BookingLink
from consult.tokens import token_hash
from tests.factories.bookings import BookingFactory

pytestmark = pytest.mark.django_db


def link_add(booking, *, at=None) -> str:
    return links.booking_link_create(booking=booking, origin="lost_link", now=at)


def link_of(token: str) -> BookingLink:
    return BookingLink.objects.get(token_hash=token_hash(token))


def test_booking_links_page_shows_times_in_the_clients_zone_across_clock_changes(
    client,
):
    booking = BookingFactory(client_timezone="America/New_York")
    # 12:00 UTC on either side of the spring change (8 March 2026) and the autumn
    # one (1 November 2026): the same instant of day, an hour apart on the wall.
    BookingLink.objects.filter(booking=booking).update(
        created_at=datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
    )
    link_add(booking, at=datetime(2026, 3, 9, 12, 0, tzinfo=UTC))
    link_add(booking, at=datetime(2026, 11, 2, 12, 0, tzinfo=UTC))

    html = client.get(f"/book/manage/{booking.token}/links/").content.decode()

    made = [
        re.search(r"<td data-label=\"Made\">(.*?)</td>", row)[1]
        for row in re.findall(
            r"<tr[^>]*>\s*<th scope=\"row\">.*?</tr>", html, re.DOTALL
        )
    ]
    assert "All times in New York time." in html
    # Newest first: EST after the autumn change, EDT after the spring one, EST before.
    assert made == [
        "Monday 2 November 2026, 7:00 AM",
        "Monday 9 March 2026, 8:00 AM",
        "Saturday 7 March 2026, 7:00 AM",
    ]


def test_booking_links_page_never_shows_a_token(client):
    booking = BookingFactory()
    other = link_add(booking)

    html = client.get(f"/book/manage/{booking.token}/links/").content.decode()

    assert other not in html
    assert token_hash(other) not in html
    assert token_hash(booking.token) not in html


def test_revoking_a_booking_link_stops_it_and_keeps_the_one_in_use(client):
    booking = BookingFactory()
    other = link_add(booking)

    response = client.post(
        f"/book/manage/{booking.token}/links/",
        {"action": "revoke", "link": link_of(other).pk},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/book/manage/{booking.token}/links/"
    assert response["Cache-Control"] == "private, no-store"
    assert client.get(f"/book/manage/{other}/").status_code == 404
    assert client.get(f"/book/manage/{other}/cancel/").status_code == 404
    assert client.get(f"/book/manage/{booking.token}/").status_code == 200


def test_revoking_the_other_booking_links_leaves_the_one_in_use(client):
    booking = BookingFactory()
    first, second = link_add(booking), link_add(booking)

    response = client.post(
        f"/book/manage/{second}/links/", {"action": "revoke_others"}, follow=True
    )

    assert "2 other links revoked: only this one manages your booking now." in (
        response.content.decode()
    )
    assert [
        client.get(f"/book/manage/{token}/").status_code
        for token in (booking.token, first, second)
    ] == [404, 404, 200]


def test_a_booking_link_cannot_revoke_itself_or_another_bookings_link(client):
    mine, theirs = BookingFactory(), BookingFactory()

    client.post(
        f"/book/manage/{mine.token}/links/",
        {"action": "revoke", "link": link_of(mine.token).pk},
    )
    client.post(
        f"/book/manage/{mine.token}/links/",
        {"action": "revoke", "link": link_of(theirs.token).pk},
    )

    assert link_of(mine.token).revoked_at is None
    assert link_of(theirs.token).revoked_at is None


def test_booking_links_page_bad_input_is_a_clear_400(client):
    booking = BookingFactory()
    other = link_add(booking)

    response = client.post(
        f"/book/manage/{booking.token}/links/", {"action": "revoke", "link": "-1"}
    )

    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 1." in (
        response.content.decode()
    )
    assert link_of(other).revoked_at is None


def test_booking_links_page_refuses_a_post_without_csrf():
    strict = Client(enforce_csrf_checks=True)
    booking = BookingFactory()
    other = link_add(booking)

    response = strict.post(
        f"/book/manage/{booking.token}/links/", {"action": "revoke_others"}
    )

    assert response.status_code == 403
    assert link_of(other).revoked_at is None


def test_manage_page_leads_to_the_links_page(client):
    booking = BookingFactory()

    html = client.get(f"/book/manage/{booking.token}/").content.decode()

    assert f'href="/book/manage/{booking.token}/links/">Your links to this booking' in (
        html
    )


def test_a_booking_link_records_when_it_was_last_used(client):
    booking = BookingFactory()
    assert link_of(booking.token).last_used_at is None

    client.get(f"/book/manage/{booking.token}/")

    assert link_of(booking.token).last_used_at is not None


@pytest.mark.parametrize("count", [1, 3])
def test_booking_links_page_query_count_does_not_grow_with_links(
    client, django_assert_num_queries, count
):
    booking = BookingFactory()
    for _ in range(count):
        link_add(booking)
    # The first visit notes when the link was used (one write every few minutes).
    client.get(f"/book/manage/{booking.token}/links/")

    # The booking with its consultant and link, then its links.
    with django_assert_num_queries(2):
        response = client.get(f"/book/manage/{booking.token}/links/")

    assert response.content.decode().count('name="action" value="revoke"') == count


def test_a_booking_has_no_share_link_to_make(client):
    booking = BookingFactory()

    response = client.post(f"/book/manage/{booking.token}/links/", {"action": "share"})

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert BookingLink.objects.count() == 1
