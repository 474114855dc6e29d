"""Readiness checks behind ``/healthz``: each dependency, within a deadline.

``/healthz`` is unauthenticated, so it states each dependency's condition in one
word and nothing else (no exception names, hosts or versions); the reason goes to
the log for the operator. Each check runs in a worker thread with a deadline, so
a dependency that hangs (a black-holed host, an exhausted connection pool) makes
the answer "down" after ``CHECK_SECONDS`` instead of holding the probe for ten.

* database down, or broker down: "unavailable" (503), the site cannot do its work;
* shared cache down: "degraded" (200), the site works without it (consult/cache.py).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connections

from consult.celery import app

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)

# Together well under the 5 s a compose or Kubernetes probe waits by default.
CHECK_SECONDS = 2.0
OK, DOWN, IN_PROCESS, LOCAL = "ok", "down", "in-process", "local"
HEALTHY = {OK, IN_PROCESS, LOCAL}

# Threads that outlive a hung check are few and reused: a probe every few seconds
# against a dependency that hangs queues behind them and is answered "down".
_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz")
_CACHE_PROBE_KEY = "healthz:probe"


def _database() -> str:
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        # This thread's own connection: returned to the pool or closed, never kept.
        connection.close()
    return OK


def _broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return IN_PROCESS
    with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(
            max_retries=1,
            interval_start=0,
            interval_step=0.2,
            timeout=CHECK_SECONDS / 2,
        )
    return OK


def _cache() -> str:
    shared = caches["default"]
    if isinstance(shared, LocMemCache):
        return LOCAL
    shared.set(_CACHE_PROBE_KEY, 1, timeout=10)
    return OK


CHECKS: dict[str, Callable[[], str]] = {
    "database": _database,
    "broker": _broker,
    "cache": _cache,
}


def statuses() -> dict[str, str]:
    """Each dependency's condition, all checked at once, within ``CHECK_SECONDS``."""
    futures = {name: _executor.submit(check) for name, check in CHECKS.items()}
    found = {}
    for name, future in futures.items():
        try:
            found[name] = future.result(timeout=CHECK_SECONDS)
        except FutureTimeout:
            logger.warning(
                "Health check: %s did not answer within %s s", name, CHECK_SECONDS
            )
            found[name] = DOWN
        except Exception:
            logger.warning("Health check: %s is down", name, exc_info=True)
            found[name] = DOWN
    return found


def overall(found: dict[str, str]) -> str:
    if found["database"] not in HEALTHY or found["broker"] not in HEALTHY:
        return "unavailable"
    return "ok" if found["cache"] in HEALTHY else "degraded"
