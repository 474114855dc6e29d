"""The bookings admin: its addresses, a call already begun, and the data the
consultant page posts."""

from datetime import timedelta

from bookings.enums import BookingStatus
from tests.factories.bookings import BookingFactory
from tests.helpers.booking_service import NOW

CHANGELIST = "/admin/bookings/booking/"


def change_url(booking) -> str:
    return f"/admin/bookings/booking/{booking.pk}/change/"


def started(status=BookingStatus.CONFIRMED, **kwargs):
    return BookingFactory(start=NOW - timedelta(minutes=10), status=status, **kwargs)


def hours_post(consultant, rows) -> dict:
    data = {
        "weekly_hours-TOTAL_FORMS": str(len(rows)),
        "weekly_hours-INITIAL_FORMS": "0",
        "date_overrides-TOTAL_FORMS": "0",
        "date_overrides-INITIAL_FORMS": "0",
        "time_off-TOTAL_FORMS": "0",
        "time_off-INITIAL_FORMS": "0",
        "display_name": "Renamed",
        "timezone": "Asia/Tokyo",
    }
    for n, (weekday, start, end) in enumerate(rows):
        data |= {
            f"weekly_hours-{n}-weekday": str(weekday),
            f"weekly_hours-{n}-start": start,
            f"weekly_hours-{n}-end": end,
            f"weekly_hours-{n}-consultant": str(consultant.pk),
        }
    return data
