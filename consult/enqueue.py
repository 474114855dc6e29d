"""Handing work to Celery: after the transaction that caused it commits, never before.

Tasks are named by their registered name, not imported: a task module imports the
services it wraps, so the services that enqueue it cannot import it back. Every
caller has a relay (a beat task scanning the database) that catches up on what
was not handed over, so a broker outage is logged, not raised to whoever caused
the work.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, Unpack

from django.db import transaction

from consult.celery import app

if TYPE_CHECKING:
    from celery import Task

logger = logging.getLogger(__name__)

# A publish that cannot reach the broker must not hold a web request for long:
# one reconnect, then give up and leave the work to the relay.
PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}


def _task(name: str) -> Task:
    if name not in app.tasks:
        # Task modules are discovered when a worker starts; a web process (or an
        # eager run) meets them here first.
        app.loader.import_default_modules()
    return app.tasks[name]


class _Publish(TypedDict):
    kwargs: dict[str, Any]
    about: str
    if_lost: str
    kwargsrepr: NotRequired[str | None]
    expires: NotRequired[int | None]


def enqueue(  # noqa: PLR0913 -- keyword-only, each a Celery publish option
    task_name: str,
    /,
    *,
    kwargs: dict[str, Any],
    about: str,
    if_lost: str,
    kwargsrepr: str | None = None,
    expires: int | None = None,
) -> None:
    """Publish ``task_name`` now; on failure log ``"<about>: <if_lost>"`` and go on.

    Runs the task in-process when tasks are eager, so a failing task is logged the
    same way: the change that caused it stands, and the relay tries again.
    """
    # Outside the try: a name no task is registered under is a bug to raise, not an
    # outage for the relay to wait out.
    task = _task(task_name)
    try:
        task.apply_async(
            kwargs=kwargs,
            kwargsrepr=kwargsrepr,
            expires=expires,
            retry=True,
            retry_policy=PUBLISH_RETRY_POLICY,
        )
    except Exception:
        logger.warning("%s: %s", about, if_lost, exc_info=True)


def enqueue_on_commit(task_name: str, /, **options: Unpack[_Publish]) -> None:
    """``enqueue`` once the caller's transaction commits; never if it rolls back."""
    transaction.on_commit(partial(enqueue, task_name, **options))
