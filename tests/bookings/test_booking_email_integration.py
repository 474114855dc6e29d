"""Booking emails on the real stack: PostgreSQL, Redis, a Celery worker, SMTP.

The ``stack`` fixture (tests/conftest.py) starts the SMTP server and points
Celery at Redis; the worker is a real process reading the test database, and
is stopped however the test ends.
"""

import re
import time
from collections import Counter

import pytest

from bookings import selectors
from bookings.forms import format_start
from bookings.models import Booking
from consult.models import OutboundEmail
from tests.factories.bookings import ConsultantFactory
from tests.helpers.realstack import wait_for

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

CLIENT = "grace@example.com"
CONSULTANT = "amelia@consult.example"


def test_booking_through_the_page_delivers_one_confirmation_to_each_party(
    stack, client
):
    sink, workers = stack
    consultant = ConsultantFactory(display_name="Amelia Hart", user__email=CONSULTANT)
    start = selectors.availability_get(consultant_id=consultant.pk).slots[0].start
    workers.start()

    response = client.post(
        "/book/details/",
        {
            "start": format_start(start),
            "consultant": str(consultant.pk),
            "assessment": "",
            "key": "integration-form-key-0123456789abcdef",
            "name": "Grace Hopper",
            "email": CLIENT,
            "company": "Compilers Inc",
            "topic": "Should we fine-tune?",
            "timezone": "Asia/Tokyo",
            "consent": "on",
        },
    )

    assert response.status_code == 302
    wait_for(
        lambda: len(sink.recipients()) >= 2,
        what="both confirmations",
        logs=workers.logs,
    )
    wait_for(
        lambda: not OutboundEmail.objects.exclude(status="sent").exists(),
        what="both rows marked sent",
        logs=workers.logs,
    )
    # A second delivery of either would arrive within this pause.
    time.sleep(0.5)
    booking = Booking.objects.get()
    assert Counter(sink.recipients()) == {CLIENT: 1, CONSULTANT: 1}
    by_recipient = {message["To"]: message for message in sink.messages}
    for message in by_recipient.values():
        [invite] = [
            part
            for part in message.iter_attachments()
            if part.get_content_type() == "text/calendar"
        ]
        assert invite.get_param("method") == "REQUEST"
        assert f"UID:{booking.uid}@consult" in invite.get_content()
    # Python folds a long subject onto a continuation line; readers unfold it.
    assert (
        by_recipient[CONSULTANT]["Subject"]
        .strip()
        .startswith("New consultation booked: ")
    )
    text = by_recipient[CLIENT].get_body(preferencelist=("plain",)).get_content()
    [manage_path] = re.findall(r"http://testserver(/book/manage/[\w-]{43}/)", text)
    assert client.get(manage_path).status_code == 200
