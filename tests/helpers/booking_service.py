"""A booking made through the service, at a fixed time."""

from datetime import UTC, datetime, time

from bookings import services

# Monday 1 March 2027, 08:00 UTC: London is on GMT until 28 March; Tokyo is UTC+9
# all year.
NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
# 09:00 in London, 18:00 in Tokyo: with 12 hours' notice, the first free time.
TUESDAY_9 = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
OFFICE = {day: [(time(9, 0), time(17, 0))] for day in range(5)}


def create(**overrides) -> services.BookingResult:
    arguments = {
        "start": TUESDAY_9,
        "name": "Grace Hopper",
        "email": "grace@example.com",
        "company": "Compilers Inc",
        "topic": "Fine-tuning",
        "client_timezone": "Asia/Tokyo",
        "consent": True,
        "now": NOW,
    } | overrides
    return services.booking_create(**arguments)
