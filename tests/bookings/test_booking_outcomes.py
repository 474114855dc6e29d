"""Outcomes are recorded by people, never by a side effect: past calls wait as
"awaiting outcome", a new booking does not decide what became of the last one, and a
no-show can send the client a way to book again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import services, tasks
from bookings.enums import BookingStatus
from bookings.models import Booking
from bookings.outcomes import booking_outcomes_due
from consult.celery import app
from consult.models import OutboundEmail
from tests.factories.bookings import BookingFactory, ConsultantFactory
from tests.helpers.admin_roles import consultant_create
from tests.helpers.booking_admin import CHANGELIST, change_url
from tests.helpers.booking_service import NOW, OFFICE, create

pytestmark = pytest.mark.django_db


def ended(status=BookingStatus.CONFIRMED, *, now=NOW, **kwargs):
    kwargs.setdefault("start", now - timedelta(hours=2))
    return BookingFactory(status=status, **kwargs)


def test_outcomes_due_moves_only_confirmed_calls_that_have_ended():
    past = ended()
    under_way = BookingFactory(start=NOW - timedelta(minutes=10))
    upcoming = BookingFactory(start=NOW + timedelta(days=1))
    cancelled = ended(BookingStatus.CANCELLED)
    completed = ended(BookingStatus.COMPLETED)

    moved = booking_outcomes_due(now=NOW)

    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert moved == 1
    assert statuses == {
        past.pk: BookingStatus.AWAITING_OUTCOME,
        under_way.pk: BookingStatus.CONFIRMED,
        upcoming.pk: BookingStatus.CONFIRMED,
        cancelled.pk: BookingStatus.CANCELLED,
        completed.pk: BookingStatus.COMPLETED,
    }
    assert booking_outcomes_due(now=NOW) == 0


def test_rebooking_after_an_unrecorded_call_keeps_it_awaiting_an_outcome():
    consultant = ConsultantFactory(hours=OFFICE)
    earlier = ended(consultant=consultant, email="grace@example.com")
    unrelated = ended(
        consultant=consultant, email="other@example.com", start=NOW - timedelta(days=1)
    )

    result = create(email="Grace@Example.com")

    earlier.refresh_from_db()
    unrelated.refresh_from_db()
    assert result.outcome == services.Outcome.CREATED
    assert earlier.status == BookingStatus.AWAITING_OUTCOME
    # Only the client's own: the scan does the rest in its own time.
    assert unrelated.status == BookingStatus.CONFIRMED


def test_a_client_with_an_upcoming_call_still_cannot_book_another():
    consultant = ConsultantFactory(hours=OFFICE)
    BookingFactory(
        consultant=consultant, email="grace@example.com", start=NOW + timedelta(days=3)
    )

    result = create(email="grace@example.com")

    assert result.outcome == services.Outcome.EMAIL_HAS_BOOKING


@pytest.mark.parametrize(
    ("mark", "status"),
    [
        (services.booking_mark_completed, BookingStatus.COMPLETED),
        (services.booking_mark_no_show, BookingStatus.NO_SHOW),
    ],
)
def test_a_call_awaiting_its_outcome_can_be_marked(mark, status):
    booking = ended(BookingStatus.AWAITING_OUTCOME)

    changed = mark(booking=booking, now=NOW)

    booking.refresh_from_db()
    assert changed is True
    assert booking.status == status


def test_marking_no_show_emails_the_client_a_way_to_book_again(
    django_capture_on_commit_callbacks,
):
    booking = ended(BookingStatus.AWAITING_OUTCOME, email="grace@example.com")

    with django_capture_on_commit_callbacks():
        services.booking_mark_no_show(booking=booking, now=NOW)

    email = OutboundEmail.objects.get(kind="booking_missed")
    assert email.to == "grace@example.com"
    assert email.subject == (
        f"Sorry we missed you: book another time with {booking.consultant}"
    )
    assert "http://testserver/book/" in email.body_text
    assert 'href="http://testserver/book/"' in email.body_html
    assert email.related_id == str(booking.pk)


def test_marking_no_show_without_the_email_sends_none():
    booking = ended(BookingStatus.AWAITING_OUTCOME)

    services.booking_mark_no_show(booking=booking, now=NOW, email_client=False)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW
    assert OutboundEmail.objects.filter(kind="booking_missed").count() == 0


def test_no_show_corrected_back_and_forth_emails_the_client_once():
    booking = ended(BookingStatus.AWAITING_OUTCOME)

    services.booking_mark_no_show(booking=booking, now=NOW)
    services.booking_mark_completed(booking=booking, now=NOW)
    services.booking_mark_no_show(booking=booking, now=NOW)

    assert OutboundEmail.objects.filter(kind="booking_missed").count() == 1


def test_outcomes_task_scans_at_the_current_time():
    ended_call = BookingFactory(start=timezone.now() - timedelta(hours=2))

    result = tasks.outcomes_due.delay()

    ended_call.refresh_from_db()
    assert result.get() == 1
    assert ended_call.status == BookingStatus.AWAITING_OUTCOME


def test_beat_runs_the_outcomes_scan_every_minute_on_the_default_queue():
    entry = app.conf.beat_schedule["bookings-outcomes-due"]

    assert entry == {
        "task": "bookings.outcomes_due",
        "schedule": 60.0,
        "options": {"expires": 55},
    }
    assert app.amqp.router.route({}, entry["task"])["queue"].name == "default"


# --- In the admin -------------------------------------------------------------------


def test_bookings_list_filters_calls_awaiting_an_outcome(client):
    mine = consultant_create()
    now = timezone.now()
    waiting = ended(BookingStatus.AWAITING_OUTCOME, consultant=mine, now=now)
    ended(BookingStatus.COMPLETED, consultant=mine, start=now - timedelta(days=1))
    BookingFactory(consultant=mine)
    client.force_login(mine.user)

    response = client.get(f"{CHANGELIST}?status__exact=awaiting_outcome")

    assert list(response.context["cl"].result_list) == [waiting]
    assert "Awaiting outcome" in response.content.decode()


def test_no_show_from_the_list_without_the_email(client):
    mine = consultant_create()
    booking = ended(BookingStatus.AWAITING_OUTCOME, consultant=mine, now=timezone.now())
    client.force_login(mine.user)

    response = client.post(
        CHANGELIST,
        {
            "action": "mark_no_show",
            "_selected_action": [booking.pk],
            "index": "0",
            "confirm": "yes",
        },
    )

    booking.refresh_from_db()
    assert response.status_code == 302
    assert booking.status == BookingStatus.NO_SHOW
    assert OutboundEmail.objects.filter(kind="booking_missed").count() == 0


def test_booking_page_shows_each_emails_delivery_status(client):
    mine = consultant_create()
    booking = BookingFactory(consultant=mine)
    OutboundEmail.objects.create(
        kind="booking_confirmation",
        to=booking.email,
        subject="-",
        body_text="-",
        body_html="-",
        dedupe_key="test:bounced",
        status="failed",
        last_error="550 5.1.1 No such user",
        related_model="bookings.booking",
        related_id=str(booking.pk),
    )
    client.force_login(mine.user)

    html = client.get(change_url(booking)).content.decode()

    assert '<span class="delivery-status delivery-status--failed">Failed</span>' in html
    assert "550 5.1.1 No such user" in html
    assert booking.email in html
