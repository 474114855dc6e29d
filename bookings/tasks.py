"""Celery tasks for bookings: thin wrappers over the services.

``bookings.*`` names are routed to the ``default`` queue, with beat's other scans.
"""

from celery import shared_task

from bookings.reminders import booking_reminders_queue


@shared_task(name="bookings.send_reminders", acks_late=True)
def send_reminders() -> int:
    return booking_reminders_queue()
