"""Celery tasks for the outbox: thin wrappers that take ids only.

Both are named ``email.*`` and so routed to the ``email`` queue.
"""

from celery import shared_task

from consult.emails import MAX_ATTEMPTS, SEND_TASK, EmailSendDeferred, email_relay
from consult.emails import email_send as email_send_service


@shared_task(name=SEND_TASK, bind=True, acks_late=True, max_retries=MAX_ATTEMPTS)
def email_send(self, *, email_id: int) -> bool:
    try:
        return email_send_service(email_id=email_id)
    except EmailSendDeferred as deferred:
        if self.request.is_eager:
            # In-process there is no broker to hold a countdown; the row is
            # queued with its next attempt time and the relay picks it up.
            return False
        # The row is already queued again with the same due time, so a lost
        # retry message only delays the email until the relay's next run.
        raise self.retry(countdown=deferred.retry_in, exc=deferred) from None


@shared_task(name="email.relay_queued", acks_late=True)
def email_relay_queued() -> int:
    return email_relay()
