"""Reminders: beat scans the database every minute and queues what is due, once."""

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.utils import timezone

from bookings import emails as booking_emails
from bookings import reminders as booking_reminders
from bookings import services, tasks
from bookings.enums import BookingStatus, CancelledBy
from bookings.models import Booking
from consult.celery import app
from consult.emails import EXPIRED_ERROR, EmailSendDeferred, email_send
from consult.models import OutboundEmail
from tests.factories.bookings import BookingFactory, ConsultantFactory

pytestmark = pytest.mark.django_db

# Monday 1 March 2027, 08:00 UTC.
NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
MEET = "https://meet.example.com/amelia"


@pytest.fixture
def consultant():
    return ConsultantFactory(
        display_name="Amelia Hart",
        timezone="Europe/London",
        meeting_url=MEET,
        user__email="amelia@consult.example",
    )


def booked(consultant, start: datetime, **fields):
    fields = {"email": "grace@example.com", "client_timezone": "Asia/Tokyo"} | fields
    return BookingFactory(consultant=consultant, start=start, **fields)


def reminders() -> list[tuple[str, str, str]]:
    return sorted(
        OutboundEmail.objects.filter(kind__endswith="_reminder").values_list(
            "to", "kind", "dedupe_key"
        )
    )


def test_reminders_23_hours_ahead_queue_one_per_party(consultant):
    booking = booked(consultant, NOW + timedelta(hours=23))

    reminded = booking_reminders.booking_reminders_queue(now=NOW)

    assert reminded == 1
    assert reminders() == [
        (
            "amelia@consult.example",
            "booking_consultant_reminder",
            f"booking:{booking.pk}:reminder-24h:consultant:0",
        ),
        (
            "grace@example.com",
            "booking_reminder",
            f"booking:{booking.pk}:reminder-24h:client:0",
        ),
    ]


def test_reminders_25_hours_ahead_queue_nothing(consultant):
    booked(consultant, NOW + timedelta(hours=25))

    assert booking_reminders.booking_reminders_queue(now=NOW) == 0
    assert reminders() == []


def test_reminders_run_twice_queue_each_once(consultant):
    booked(consultant, NOW + timedelta(hours=23))

    first = booking_reminders.booking_reminders_queue(now=NOW)
    second = booking_reminders.booking_reminders_queue(now=NOW + timedelta(minutes=1))

    assert (first, second) == (1, 0)
    assert len(reminders()) == 2


def test_reminders_after_a_reschedule_remind_again_for_the_new_time(consultant):
    booking = booked(consultant, NOW + timedelta(hours=23))
    booking_reminders.booking_reminders_queue(now=NOW)
    OutboundEmail.objects.filter(kind__endswith="_reminder").update(
        status=OutboundEmail.Status.SENT, sent_at=NOW
    )

    services.booking_reschedule(
        booking=booking, new_start=NOW + timedelta(hours=20), now=NOW
    )
    reminded = booking_reminders.booking_reminders_queue(now=NOW + timedelta(minutes=1))

    client_reminders = OutboundEmail.objects.filter(kind="booking_reminder")
    assert reminded == 1
    assert sorted(client_reminders.values_list("dedupe_key", flat=True)) == [
        f"booking:{booking.pk}:reminder-24h:client:0",
        f"booking:{booking.pk}:reminder-24h:client:1",
    ]
    latest = client_reminders.get(dedupe_key__endswith=":1")
    # 04:00 UTC on Tuesday is 13:00 in Tokyo.
    assert "When: Tuesday 2 March 2027, 13:00\u201313:30 Tokyo time (JST)\n" in (
        latest.body_text
    )


def test_reminders_skip_cancelled_bookings(consultant):
    booking = booked(consultant, NOW + timedelta(hours=23))
    services.booking_cancel(booking=booking, by=CancelledBy.CLIENT, now=NOW)

    assert booking_reminders.booking_reminders_queue(now=NOW) == 0
    assert reminders() == []


def test_reminders_skip_completed_bookings_and_meetings_already_started(
    consultant,
):
    booked(consultant, NOW - timedelta(minutes=10))
    booked(
        ConsultantFactory(),
        NOW + timedelta(hours=2),
        status=BookingStatus.COMPLETED,
    )

    assert booking_reminders.booking_reminders_queue(now=NOW) == 0
    assert reminders() == []


def test_reminders_within_the_hour_send_only_the_short_one(consultant):
    booking = booked(consultant, NOW + timedelta(minutes=40))

    reminded = booking_reminders.booking_reminders_queue(now=NOW)

    client_email = OutboundEmail.objects.get(kind="booking_reminder")
    assert reminded == 1
    assert [key for _, _, key in reminders()] == [
        f"booking:{booking.pk}:reminder-1h:consultant:0",
        f"booking:{booking.pk}:reminder-1h:client:0",
    ]
    # 08:40 UTC is 17:40 in Tokyo.
    assert client_email.subject == (
        "Starting soon: your consultation with Amelia Hart, "
        "Monday 1 March 2027, 17:40 Tokyo time (JST)"
    )
    assert client_email.body_text == (
        "Hello Grace Hopper,\n"
        "\n"
        "Your consultation with Amelia Hart starts within the hour.\n"
        "\n"
        "When: Monday 1 March 2027, 17:40\u201318:10 Tokyo time (JST)\n"
        "With: Amelia Hart, Consult\n"
        f"Join: {MEET}\n"
        "\n"
        "The Consult team\n"
        "http://testserver\n"
    )
    assert f'href="{MEET}"' in client_email.body_html
    assert ">Join the call</a>" in client_email.body_html


def test_reminders_the_day_before_and_the_hour_before(consultant):
    start = NOW + timedelta(hours=23)
    booked(consultant, start)

    day = booking_reminders.booking_reminders_queue(now=NOW)
    quiet = booking_reminders.booking_reminders_queue(now=start - timedelta(hours=2))
    hour = booking_reminders.booking_reminders_queue(now=start - timedelta(minutes=59))
    again = booking_reminders.booking_reminders_queue(now=start - timedelta(minutes=58))

    assert (day, quiet, hour, again) == (1, 0, 1, 0)
    assert [kind for _, kind, _ in reminders()] == [
        "booking_consultant_reminder",
        "booking_consultant_reminder",
        "booking_reminder",
        "booking_reminder",
    ]


def test_client_reminder_points_to_the_confirmation_and_the_lost_link_page(consultant):
    booked(consultant, NOW + timedelta(hours=23))

    booking_reminders.booking_reminders_queue(now=NOW)

    email = OutboundEmail.objects.get(kind="booking_reminder")
    # 07:00 UTC on Tuesday is 16:00 in Tokyo.
    assert email.subject == (
        "Reminder: your consultation with Amelia Hart, "
        "Tuesday 2 March 2027, 16:00 Tokyo time (JST)"
    )
    assert email.reply_to == "amelia@consult.example"
    assert email.body_text == (
        "Hello Grace Hopper,\n"
        "\n"
        "A reminder of your free 30-minute consultation with\n"
        "Amelia Hart.\n"
        "\n"
        "When: Tuesday 2 March 2027, 16:00\u201316:30 Tokyo time (JST)\n"
        "With: Amelia Hart, Consult\n"
        f"Join: {MEET}\n"
        "\n"
        "Need another time? Use the private link in your booking confirmation\n"
        "email to reschedule or cancel. If you cannot find it, get a new one here:\n"
        "http://testserver/book/lost-link/\n"
        "\n"
        "The Consult team\n"
        "http://testserver\n"
    )
    assert "/book/manage/" not in email.body_html
    assert 'href="http://testserver/book/lost-link/"' in email.body_html
    assert email.attachments == []


def test_consultant_reminder_shows_both_zones_and_what_to_prepare(consultant):
    booking = booked(consultant, NOW + timedelta(hours=23))

    booking_reminders.booking_reminders_queue(now=NOW)

    email = OutboundEmail.objects.get(kind="booking_consultant_reminder")
    assert email.subject == (
        "Reminder: consultation on Tuesday 2 March 2027, 07:00 London time (GMT)"
    )
    assert email.reply_to == "grace@example.com"
    assert email.body_text == (
        "Hello Amelia Hart,\n"
        "\n"
        "Your consultation is coming up.\n"
        "\n"
        "When: Tuesday 2 March 2027, 07:00\u201307:30 London time (GMT)\n"
        "For the client: Tuesday 2 March 2027, 16:00\u201316:30 Tokyo time (JST)\n"
        "Client: Grace Hopper, Compilers Inc\n"
        "Email: grace@example.com\n"
        f"Call link: {MEET}\n"
        "\n"
        "What they would like to discuss:\n"
        "Whether to fine-tune.\n"
        "\n"
        "The client booked without an assessment.\n"
        "\n"
        "The booking in the admin:\n"
        f"http://testserver/admin/bookings/booking/{booking.pk}/change/\n"
        "\n"
        "Consult\n"
        "http://testserver\n"
    )


def test_reminders_are_sent_only_after_commit(
    consultant, django_capture_on_commit_callbacks, mailoutbox
):
    booked(consultant, NOW + timedelta(hours=23))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        booking_reminders.booking_reminders_queue(now=NOW)

    assert len(callbacks) == 2
    assert sorted(m.to[0] for m in mailoutbox) == [
        "amelia@consult.example",
        "grace@example.com",
    ]


def test_reminders_for_a_consultant_without_email_are_not_rescanned():
    consultant = ConsultantFactory(user__email="")
    booked(consultant, NOW + timedelta(hours=23))

    first = booking_reminders.booking_reminders_queue(now=NOW)
    second = booking_reminders.booking_reminders_queue(now=NOW + timedelta(minutes=1))

    assert (first, second) == (1, 0)
    assert [to for to, _, _ in reminders()] == ["grace@example.com"]


def test_reminders_in_a_large_backlog_are_queued_a_batch_per_run(
    consultant, monkeypatch
):
    monkeypatch.setattr(booking_reminders, "REMINDER_BATCH", 1)
    booked(consultant, NOW + timedelta(hours=22))
    booked(ConsultantFactory(), NOW + timedelta(hours=23), email="ada@example.com")

    runs = [booking_reminders.booking_reminders_queue(now=NOW) for _ in range(3)]

    assert runs == [1, 1, 0]


def test_send_reminders_task_scans_at_the_current_time(consultant):
    booking = booked(consultant, timezone.now() + timedelta(hours=23))
    # Booked days ahead: a booking made within the day gets no day-before reminder.
    type(booking).objects.filter(pk=booking.pk).update(
        created_at=timezone.now() - timedelta(days=3)
    )

    result = tasks.send_reminders.delay()

    assert result.get() == 1
    assert len(reminders()) == 2


def test_beat_runs_the_reminder_scan_every_minute_on_the_default_queue():
    entry = app.conf.beat_schedule["bookings-send-reminders"]

    assert entry == {
        "task": "bookings.send_reminders",
        "schedule": 60.0,
        "options": {"expires": 55},
    }
    assert app.amqp.router.route({}, entry["task"])["queue"].name == "default"


def test_booking_made_less_than_a_day_ahead_gets_no_day_before_reminder(consultant):
    now = timezone.now()
    booked(consultant, now + timedelta(hours=20))

    reminded = booking_reminders.booking_reminders_queue(now=now)

    assert reminded == 0
    assert reminders() == []


def test_booking_made_days_ahead_gets_its_day_before_reminder(consultant):
    now = timezone.now()
    booking = booked(consultant, now + timedelta(hours=20))
    type(booking).objects.filter(pk=booking.pk).update(
        created_at=now - timedelta(days=3)
    )

    reminded = booking_reminders.booking_reminders_queue(now=now)

    assert reminded == 1
    assert [kind for _, kind, _ in reminders()] == [
        "booking_consultant_reminder",
        "booking_reminder",
    ]


def test_booking_made_less_than_a_day_ahead_still_gets_the_hour_before_reminder(
    consultant,
):
    now = timezone.now()
    booked(consultant, now + timedelta(minutes=50))

    reminded = booking_reminders.booking_reminders_queue(now=now)

    assert reminded == 1
    assert {kind for _, kind, _ in reminders()} == {
        "booking_consultant_reminder",
        "booking_reminder",
    }


# --- reminders the mail server held back ----------------------------------------------


def deferred_reminders(consultant, flaky, django_capture_on_commit_callbacks):
    """A booking's day-before reminders, each deferred once by the mail server."""
    booking = booked(consultant, NOW + timedelta(hours=23))
    with django_capture_on_commit_callbacks(execute=False):
        booking_reminders.booking_reminders_queue(now=NOW)
    rows = list(OutboundEmail.objects.filter(kind__endswith="_reminder"))
    for row in rows:
        flaky.append(smtplib.SMTPResponseException(421, b"Try again later"))
        with pytest.raises(EmailSendDeferred):
            email_send(email_id=row.pk, now=NOW)
    return booking, rows


def test_a_deferred_reminder_is_not_sent_after_the_booking_is_cancelled(
    consultant, flaky, django_capture_on_commit_callbacks, mailoutbox
):
    booking, rows = deferred_reminders(
        consultant, flaky, django_capture_on_commit_callbacks
    )

    with django_capture_on_commit_callbacks(execute=False):
        services.booking_cancel(
            booking=booking, by=CancelledBy.CLIENT, now=NOW + timedelta(minutes=1)
        )
    sent = [email_send(email_id=row.pk, now=NOW + timedelta(minutes=5)) for row in rows]

    assert sent == [False, False]
    assert not OutboundEmail.objects.filter(kind__endswith="_reminder").exists()
    assert mailoutbox == []


def test_a_deferred_reminder_is_withdrawn_when_the_booking_moves(
    consultant, flaky, django_capture_on_commit_callbacks
):
    booking, _ = deferred_reminders(
        consultant, flaky, django_capture_on_commit_callbacks
    )
    previous_start, previous_end = booking.start, booking.end
    moved = timedelta(days=2)
    Booking.objects.filter(pk=booking.pk).update(
        start=F("start") + moved,
        end=F("end") + moved,
        blocked_start=F("blocked_start") + moved,
        blocked_end=F("blocked_end") + moved,
        sequence=F("sequence") + 1,
    )
    booking.refresh_from_db()

    booking_emails.moved_emails_queue(
        booking=booking,
        previous_start=previous_start,
        previous_end=previous_end,
        now=NOW,
    )

    assert reminders() == []
    assert OutboundEmail.objects.filter(kind="booking_moved").exists()


def test_a_reminder_held_back_past_the_start_of_its_call_fails_unsent(
    consultant, flaky, django_capture_on_commit_callbacks, mailoutbox
):
    booking, rows = deferred_reminders(
        consultant, flaky, django_capture_on_commit_callbacks
    )

    late = booking.start + timedelta(minutes=1)
    sent = [email_send(email_id=row.pk, now=late) for row in rows]

    assert sent == [False, False]
    assert mailoutbox == []
    assert {
        (row.status, row.last_error)
        for row in OutboundEmail.objects.filter(kind__endswith="_reminder")
    } == {(OutboundEmail.Status.FAILED, EXPIRED_ERROR)}


def test_a_reminder_being_sent_when_the_booking_is_cancelled_is_not_retried(
    consultant, monkeypatch, mailoutbox
):
    booking = booked(consultant, NOW + timedelta(hours=23))
    booking_reminders.booking_reminders_queue(now=NOW)
    reminder = OutboundEmail.objects.get(kind="booking_reminder")
    send = EmailMultiAlternatives.send

    def cancelled_mid_send(message, *args, **kwargs):
        services.booking_cancel(booking=booking, by=CancelledBy.CLIENT, now=NOW)
        raise smtplib.SMTPServerDisconnected("timed out")

    monkeypatch.setattr(EmailMultiAlternatives, "send", cancelled_mid_send)
    with pytest.raises(EmailSendDeferred):
        email_send(email_id=reminder.pk, now=NOW)
    monkeypatch.setattr(EmailMultiAlternatives, "send", send)

    assert not email_send(email_id=reminder.pk, now=NOW + timedelta(hours=1))
    reminder.refresh_from_db()
    assert (reminder.status, reminder.last_error) == (
        OutboundEmail.Status.FAILED,
        EXPIRED_ERROR,
    )
    assert not [m for m in mailoutbox if m.subject.startswith("Reminder:")]
