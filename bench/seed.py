"""Rows the benchmarks seed, built one way (import after Django is set up)."""

from datetime import datetime, timedelta

MEETING = timedelta(minutes=30)


def booking_row(*, consultant, start: datetime, n: int):
    """An unsaved confirmed booking for bulk_create, with no buffers."""
    from bookings.models import Booking  # noqa: PLC0415 -- needs Django set up

    return Booking(
        consultant=consultant,
        name=f"Client {n}",
        email=f"client{n}@example.com",
        client_timezone="UTC",
        consent=True,
        start=start,
        end=start + MEETING,
        blocked_start=start,
        blocked_end=start + MEETING,
    )
