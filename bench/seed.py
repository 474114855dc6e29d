"""Rows the benchmarks seed, built one way (import after Django is set up)."""

from datetime import datetime, timedelta

MEETING = timedelta(minutes=30)


def booking_row(*, consultant, start: datetime, n: int):
    """An unsaved confirmed booking for bulk_create, with no buffers."""
    from bookings.models import Booking, email_key  # noqa: PLC0415 -- needs Django

    email = f"client{n}@example.com"
    return Booking(
        consultant=consultant,
        name=f"Client {n}",
        email=email,
        # bulk_create skips save(), which keeps the key with the address; the
        # one-upcoming-call-per-mailbox index needs it.
        email_key=email_key(email),
        client_timezone="UTC",
        consent=True,
        start=start,
        end=start + MEETING,
        blocked_start=start,
        blocked_end=start + MEETING,
    )
