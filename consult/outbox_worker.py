"""The worker's side of the outbox (``consult.outbox``): a send whose pool child died
gives its claim back at once. Only the task modules import it, so a web process does
not load Celery's worker machinery."""

from __future__ import annotations

import logging
from typing import ClassVar

from celery.exceptions import WorkerLostError
from celery.worker.request import Request
from django.db import connections

logger = logging.getLogger("consult.outbox")


class ClaimReleasingRequest(Request):
    """A send as the worker's main process sees it.

    When the pool child running it dies (killed, out of memory, past the hard time
    limit), the row it claimed would stay sending until the relay's timeout. The main
    process knows the child is gone, so it puts the row back at once; the message,
    given back to the broker (``task_reject_on_worker_lost``), then finds it ready.
    Past the hard time limit the message is acknowledged instead, and the relay
    enqueues the row put back here.

    A subclass names the task's id keyword (``pk_kwarg``), what a log line calls the
    row (``about``), its logger, and the service that puts it back (``release``).
    """

    pk_kwarg: ClassVar[str]
    about: ClassVar[str]
    release_logger: ClassVar[logging.Logger] = logger

    def release(self, *, pk: int, claimed_by: str) -> object:
        raise NotImplementedError

    def on_failure(self, exc_info, send_failed_event=True, return_ok=False):
        exc = getattr(exc_info.exception, "exc", exc_info.exception)
        if isinstance(exc, WorkerLostError):
            self._claim_release()
        return super().on_failure(
            exc_info, send_failed_event=send_failed_event, return_ok=return_ok
        )

    def on_timeout(self, soft, timeout):
        if not soft:
            self._claim_release()
        return super().on_timeout(soft, timeout)

    def _claim_release(self) -> None:
        pk = self.kwargs.get(self.pk_kwarg)
        try:
            self.release(pk=pk, claimed_by=self.id)
        except Exception:
            # The relay puts it back after its timeout anyway.
            self.release_logger.warning(
                "%s %s: not put back", self.about, pk, exc_info=True
            )
        finally:
            # The main process forks new children: it must not hold a connection
            # (or a pool) they would inherit.
            for connection in connections.all(initialized_only=True):
                connection.close()
                if connection.settings_dict["OPTIONS"].get("pool"):
                    connection.close_pool()
