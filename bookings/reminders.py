"""Reminders from beat scanning the database.

``bookings.send_reminders`` runs ``booking_reminders_queue`` every minute: the day-before and
hour-before emails of confirmed bookings, each queued once to the outbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F
from django.utils import timezone

from bookings import emails as booking_emails
from bookings.enums import BookingStatus
from bookings.models import Booking
from consult.models import OutboundEmail

# (reminder, due while the meeting starts within this window from now). The day-before
# reminder stops where the hour-before one starts, so a booking made or moved into the
# last hour (or missed while beat was down) gets one short reminder, not two at once.
REMINDER_WINDOWS = (
    (booking_emails.Reminder.DAY, timedelta(hours=1), timedelta(hours=24)),
    (booking_emails.Reminder.HOUR, timedelta(0), timedelta(hours=1)),
)
# Per reminder and run; any rest waits a minute for the next run.
REMINDER_BATCH = 200
# A booking made less than a day before it starts has its confirmation fresh in the
# inbox: a "tomorrow" reminder a minute later would only repeat it.
DAY_REMINDER_MIN_LEAD = timedelta(hours=24)


def _reminder_queued(reminder: booking_emails.Reminder) -> Exists:
    # The client's dedupe key for the booking's current SEQUENCE, in SQL: the
    # outbox remembers which reminders went out, so no bookkeeping field is needed, and
    # a moved booking (a new SEQUENCE) is due again for its new time.
    key = booking_emails.dedupe_key_sql(reminder.value, booking_emails.CLIENT)
    return Exists(OutboundEmail.objects.filter(dedupe_key=key))


def booking_reminders_queue(*, now: datetime | None = None) -> int:
    """Queue the reminders now due; return how many bookings were reminded.

    Beat runs it every minute. It scans the database rather than giving each reminder
    an ETA: Redis redelivers messages held that long, and an ETA would not follow a
    booking that moved or was cancelled. Safe to run twice or in parallel: a reminder is
    one outbox row per dedupe key.
    """
    now = now or timezone.now()
    reminded = 0
    for reminder, after, until in REMINDER_WINDOWS:
        candidates = Booking.objects.filter(
            status=BookingStatus.CONFIRMED,
            start__gt=now + after,
            start__lte=now + until,
        )
        if reminder == booking_emails.Reminder.DAY:
            candidates = candidates.exclude(
                created_at__gt=F("start") - DAY_REMINDER_MIN_LEAD
            )
        due = list(
            candidates.exclude(_reminder_queued(reminder))
            .order_by("start", "pk")
            .values_list("pk", "sequence")[:REMINDER_BATCH]
        )
        for booking_id, sequence in due:
            reminded += _booking_remind(
                booking_id=booking_id, sequence=sequence, reminder=reminder
            )
    return reminded


@transaction.atomic
def _booking_remind(
    *, booking_id: int, sequence: int, reminder: booking_emails.Reminder
) -> bool:
    # Locked and read again: a cancel or move committed since the scan has changed the
    # row, which then no longer matches; one committing now waits for this reminder.
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("consultant__user")
        .filter(pk=booking_id, status=BookingStatus.CONFIRMED, sequence=sequence)
        .first()
    )
    if booking is None:
        return False
    booking_emails.reminder_emails_queue(booking=booking, reminder=reminder)
    return True
