"""The times in a booking's emails, in both zones, across daylight-saving changes."""

from datetime import UTC, datetime

import pytest

from tests.factories.bookings import ConsultantFactory
from tests.helpers.booking_emails import email_to, event_of
from tests.helpers.booking_service import create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    (
        "consultant_zone",
        "client_zone",
        "now",
        "start",
        "consultant_when",
        "client_when",
    ),
    [
        # New York springs forward on 14 March, London on 28 March: for that fortnight
        # they are four hours apart, not five.
        (
            "Europe/London",
            "America/New_York",
            datetime(2027, 3, 10, 12, 0, tzinfo=UTC),
            datetime(2027, 3, 16, 14, 0, tzinfo=UTC),
            "Tuesday 16 March 2027, 14:00\u201314:30 (Europe/London)",
            "Tuesday 16 March 2027, 10:00\u201310:30 (America/New_York)",
        ),
        # Adelaide falls back from +10:30 to +9:30 on 4 April; Kolkata is +5:30.
        (
            "Australia/Adelaide",
            "Asia/Kolkata",
            datetime(2027, 4, 1, 0, 0, tzinfo=UTC),
            datetime(2027, 4, 5, 0, 0, tzinfo=UTC),
            "Monday 5 April 2027, 09:30\u201310:00 (Australia/Adelaide)",
            "Monday 5 April 2027, 05:30\u201306:00 (Asia/Kolkata)",
        ),
        # New York falls back on 7 November: 01:00-02:00 happens twice, so the
        # client's times say which.
        (
            "Europe/London",
            "America/New_York",
            datetime(2027, 11, 1, 12, 0, tzinfo=UTC),
            datetime(2027, 11, 7, 5, 30, tzinfo=UTC),
            "Sunday 7 November 2027, 05:30\u201306:00 (Europe/London)",
            "Sunday 7 November 2027, 01:30 EDT\u201301:00 EST (America/New_York)",
        ),
        (
            "Europe/London",
            "America/New_York",
            datetime(2027, 11, 1, 12, 0, tzinfo=UTC),
            datetime(2027, 11, 7, 6, 0, tzinfo=UTC),
            "Sunday 7 November 2027, 06:00\u201306:30 (Europe/London)",
            "Sunday 7 November 2027, 01:00 EST\u201301:30 EST (America/New_York)",
        ),
    ],
)
def test_times_after_a_dst_change_are_right_in_both_zones(
    consultant_zone, client_zone, now, start, consultant_when, client_when
):
    consultant = ConsultantFactory(
        timezone=consultant_zone, user__email="consultant@consult.example"
    )

    create(consultant=consultant, start=start, client_timezone=client_zone, now=now)

    client_email = email_to("grace@example.com", "booking_confirmation")
    consultant_email = email_to("consultant@consult.example", "booking_consultant_new")
    assert f"When: {client_when}\n" in client_email.body_text
    assert f"When: {consultant_when}\n" in consultant_email.body_text
    assert f"For the client: {client_when}\n" in consultant_email.body_text
    assert event_of(client_email).decoded("DTSTART") == start
