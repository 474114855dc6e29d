"""With the shared cache (Redis) down, the public site degrades and keeps working.

A private redis-server serves as the cache, is killed mid-test and restarted:
booking, cancelling, rescheduling and the wizard go through with rate limits on,
the slot listing is computed without the cache, and nothing rolls back.
"""

import logging

import pytest
from django.core.cache import caches

from advisor.models import Assessment
from bookings.enums import BookingStatus
from bookings.forms import format_start
from bookings.listing_cache import AVAILABILITY_VERSION_KEY
from bookings.models import Booking
from consult import cache as shared_cache
from tests.factories.bookings import BookingFactory, ConsultantFactory
from tests.helpers.booking_pages import form_data, free_starts
from tests.helpers.brokers import private_redis

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def redis_cache(settings, tmp_path):
    server = private_redis(tmp_path / "redis")
    server.start()
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    settings.RATELIMIT_ENABLED = True
    yield server
    server.stop()


def test_booking_cancel_and_reschedule_go_through_with_the_cache_down(
    client, redis_cache, caplog
):
    consultant = ConsultantFactory()
    starts = free_starts(consultant)
    assert client.get("/book/").status_code == 200
    assert caches["default"].get(AVAILABILITY_VERSION_KEY) is not None
    before = sum(shared_cache.failures().values())

    redis_cache.kill()
    with caplog.at_level(logging.WARNING, logger="consult.cache"):
        page = client.get("/book/?tz=Asia/Tokyo")
        booked = client.post("/book/details/", form_data(starts[0]))
        booking = BookingFactory(consultant=consultant, start=starts[2])
        moved = client.post(
            f"/book/manage/{booking.token}/reschedule/",
            {"start": format_start(starts[4]), "tz": "Asia/Tokyo"},
        )
        cancelled = client.post(f"/book/manage/{booking.token}/cancel/", {"reason": ""})

    booking.refresh_from_db()
    assert Booking.objects.filter(
        start=starts[0], status=BookingStatus.CONFIRMED
    ).exists()
    assert page.status_code == 200
    assert "Asia/Tokyo" in page.content.decode()
    assert booked.status_code == 302
    assert moved.status_code == 302
    assert cancelled.status_code == 302
    assert booking.start == starts[4]
    assert booking.status == BookingStatus.CANCELLED
    assert sum(shared_cache.failures().values()) > before
    assert "Shared cache unreachable" in caplog.text or before > 0

    redis_cache.start()
    assert client.get("/book/").status_code == 200
    assert caches["default"].get(AVAILABILITY_VERSION_KEY) is not None


# Starting an assessment is limited to 30 an hour per address.
STARTS_ALLOWED = 30


def test_rate_limits_fail_open_while_the_cache_is_down(client, redis_cache):
    redis_cache.kill()

    answers = {client.post("/assess/").status_code for _ in range(STARTS_ALLOWED + 2)}

    assert answers == {303}
    assert Assessment.objects.count() == STARTS_ALLOWED + 2


def test_rate_limits_count_again_once_the_cache_is_back(client, redis_cache):
    redis_cache.kill()
    redis_cache.start()

    answers = [client.post("/assess/").status_code for _ in range(STARTS_ALLOWED + 1)]

    assert set(answers[:STARTS_ALLOWED]) == {303}
    assert answers[-1] == 429
