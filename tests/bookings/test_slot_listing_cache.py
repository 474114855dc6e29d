"""The booking page's week comes from the cache until bookings or availability change."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache

from bookings import listing_cache, selectors, services
from bookings.enums import CancelledBy
from bookings.forms import format_start
from tests.factories.bookings import ConsultantFactory, TimeOffFactory

pytestmark = pytest.mark.django_db

# All times: the first free slot of an all-day consultant may fall at night in Tokyo.
PAGE = "/book/?tz=Asia/Tokyo&times=all"


def free_starts():
    return [slot.start for slot in selectors.availability_get().slots]


def offered(client, start, page=PAGE) -> bool:
    html = client.get(page).content.decode()
    return f"start={format_start(start)}&amp;" in html


def book(start):
    result = services.booking_create(
        start=start, name="Grace Hopper", email="grace@example.com", consent=True
    )
    assert result.booking is not None
    return result.booking


def week_of(response) -> str:
    return re.search(
        r'<ol class="days">.*?</ol>', response.content.decode(), re.DOTALL
    )[0]


def test_listing_asked_again_runs_no_query(client, django_assert_num_queries):
    ConsultantFactory()
    first = week_of(client.get(PAGE))

    with django_assert_num_queries(0):
        again = week_of(client.get(PAGE))

    assert again == first
    assert '<a class="slot"' in again


def test_booked_slot_leaves_the_listing_at_once(client):
    ConsultantFactory()
    start = free_starts()[0]
    assert offered(client, start)

    book(start)

    assert not offered(client, start)


def test_cancelled_booking_frees_its_slot_in_the_listing(client):
    ConsultantFactory()
    start = free_starts()[0]
    booking = book(start)
    assert not offered(client, start)

    services.booking_cancel(booking=booking, by=CancelledBy.CLIENT)

    assert offered(client, start)


def test_rescheduled_booking_moves_its_slot_in_the_listing(client):
    ConsultantFactory()
    old, new = free_starts()[:2]
    booking = book(old)
    assert offered(client, new)

    services.booking_reschedule(booking=booking, new_start=new)

    assert offered(client, old)
    assert not offered(client, new)


def test_time_off_saved_as_the_admin_does_removes_its_slots(client):
    consultant = ConsultantFactory()
    start = free_starts()[0]
    assert offered(client, start)

    TimeOffFactory(consultant=consultant, start=start, end=start + timedelta(hours=1))

    assert not offered(client, start)


def test_consultant_deactivated_leaves_the_listing(client):
    consultant = ConsultantFactory(display_name="Amelia Hart")
    assert "Amelia Hart" in client.get(PAGE).content.decode()

    consultant.is_active = False
    consultant.save()

    html = client.get(PAGE).content.decode()
    assert "Amelia Hart" not in html
    assert '<a class="slot"' not in html


def test_listing_keeps_each_clients_assessment_link_in_its_own_slots(client):
    ConsultantFactory()
    start = free_starts()[0]
    client.get(PAGE + "&assessment=first-client-link")

    html = client.get(PAGE + "&assessment=second-client-link").content.decode()

    assert (
        f"start={format_start(start)}&amp;consultant=any&amp;tz=Asia/Tokyo"
        "&amp;assessment=second-client-link" in html
    )
    assert "first-client-link" not in html


@pytest.mark.parametrize(
    "query",
    [
        "&consultant=999999",
        "&consultant=nobody",
        "&week=2099-01-05",
        "&week=1999-01-04",
        "&assessment=someone-elses-link",
    ],
)
def test_listing_varied_query_strings_share_the_cached_entries(
    client, django_assert_num_queries, query
):
    # Each of these is one of a few checked keys (the last week, the first, anyone
    # with a notice), so nobody can fill the cache by varying the address.
    ConsultantFactory()
    client.get(PAGE)
    client.get(PAGE + "&week=2099-01-05")
    client.get(PAGE + "&week=1999-01-04")
    client.get(PAGE + "&consultant=1234567")

    with django_assert_num_queries(0):
        response = client.get(PAGE + query)

    assert response.status_code == 200


def test_listing_unknown_consultant_says_so_and_shows_everyone(client):
    ConsultantFactory(display_name="Amelia Hart")
    client.get(PAGE + "&consultant=4321")

    html = client.get(PAGE + "&consultant=8765").content.decode()

    assert "That consultant isn&#x27;t taking bookings at the moment" in html
    assert '<a class="slot"' in html


def test_listing_survives_a_version_of_another_shape_in_the_cache(client):
    # Another release sharing the cache during a deploy may have written the key.
    ConsultantFactory()
    cache.set(listing_cache.AVAILABILITY_VERSION_KEY, "written-by-another-release")

    response = client.get(PAGE)

    assert response.status_code == 200
    assert '<a class="slot"' in response.content.decode()


def test_listing_caches_its_version_as_plain_values_another_release_can_read(client):
    # An instance of this code's class would not unpickle in a release that moved it.
    ConsultantFactory()
    client.get(PAGE)

    version = cache.get(listing_cache.AVAILABILITY_VERSION_KEY)

    assert type(version) is tuple
    assert [type(part) for part in version] == [str, tuple, int]
    assert {type(pk) for pk in version[1]} == {int}
