"""Celery tasks for calendars: thin wrappers over the services (``default`` queue)."""

from celery import shared_task

from calendars import services


@shared_task(name="calendars.sync_due", acks_late=True)
def sync_due() -> int:
    return services.syncs_due()


@shared_task(name=services.FEED_SYNC_TASK, acks_late=True)
def feed_sync(*, feed_id: int) -> bool:
    return services.feed_sync(feed_id=feed_id).ok


@shared_task(name=services.ACCOUNT_SYNC_TASK, acks_late=True)
def account_sync(*, account_id: int) -> bool:
    return services.account_sync(account_id=account_id).ok


@shared_task(name=services.WRITE_TASK, acks_late=True)
def write_deliver(*, write_id: int) -> bool:
    return services.write_deliver(write_id=write_id)
