"""The times in a booking's emails, in both zones, across daylight-saving changes.

No clock is given at booking here: each reader gets their zone's country's, so New
York, Kolkata and Adelaide read 12-hour times and London 24-hour ones.
"""

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
            "Tuesday 16 March 2027, 14:00\u201314:30 London time (GMT)",
            "Tuesday 16 March 2027, 10:00 AM\u201310:30 AM New York time (EDT)",
        ),
        # Adelaide falls back from +10:30 to +9:30 on 4 April; Kolkata is +5:30.
        (
            "Australia/Adelaide",
            "Asia/Kolkata",
            datetime(2027, 4, 1, 0, 0, tzinfo=UTC),
            datetime(2027, 4, 5, 0, 0, tzinfo=UTC),
            "Monday 5 April 2027, 9:30 AM\u201310:00 AM Adelaide time (ACST)",
            "Monday 5 April 2027, 5:30 AM\u20136:00 AM Kolkata time (IST)",
        ),
        # New York falls back on 7 November: 01:00-02:00 happens twice, so the
        # client's times say which.
        (
            "Europe/London",
            "America/New_York",
            datetime(2027, 11, 1, 12, 0, tzinfo=UTC),
            datetime(2027, 11, 7, 5, 30, tzinfo=UTC),
            "Sunday 7 November 2027, 05:30\u201306:00 London time (GMT)",
            "Sunday 7 November 2027, 1:30 AM EDT\u20131:00 AM EST New York time (EDT)",
        ),
        (
            "Europe/London",
            "America/New_York",
            datetime(2027, 11, 1, 12, 0, tzinfo=UTC),
            datetime(2027, 11, 7, 6, 0, tzinfo=UTC),
            "Sunday 7 November 2027, 06:00\u201306:30 London time (GMT)",
            "Sunday 7 November 2027, 1:00 AM EST\u20131:30 AM EST New York time (EST)",
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
