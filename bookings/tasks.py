"""Celery tasks for bookings: thin wrappers over the services.

``bookings.*`` names are routed to the ``default`` queue, with beat's other scans.
"""

from celery import shared_task

from bookings import services
from bookings.outcomes import booking_outcomes_due
from bookings.reminders import booking_reminders_queue


@shared_task(name="bookings.send_reminders", acks_late=True)
def send_reminders() -> int:
    return booking_reminders_queue()


@shared_task(name="bookings.outcomes_due", acks_late=True)
def outcomes_due() -> int:
    return booking_outcomes_due()


@shared_task(name=services.LINKS_RESEND_TASK, acks_late=True)
def links_resend(*, email: str) -> int:
    # The address is masked in Celery's logs by the caller (kwargsrepr).
    return services.booking_links_resend(email=email)
