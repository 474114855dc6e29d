"""The shared cache, used so that an outage degrades the site instead of breaking it.

Everything the site keeps in the shared cache (``CACHE_URL``, Redis in production)
can be recomputed or done without: rate-limit counts, the availability version,
rendered slot listings. So every read, write and delete goes through these
functions: when the cache cannot be reached they log (once a minute per process,
not once per request), count the failure, and answer as a cache miss would. A
booking, a cancellation or a wizard step never fails, and never rolls back,
because Redis is down.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from typing import Any

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a cache backend raises when its server is away: redis-py's errors, and the
# socket errors (refused, reset, timed out) other backends let through.
CACHE_ERRORS = (RedisError, OSError)
LOG_EVERY_SECONDS = 60

_failures: Counter[str] = Counter()
_lock = threading.Lock()
_last_logged = 0.0


def failures() -> dict[str, int]:
    """How many cache operations failed in this process, by operation."""
    with _lock:
        return dict(_failures)


def _failed(operation: str, key: str, exc: BaseException) -> None:
    global _last_logged  # noqa: PLW0603 -- one timestamp per process, under the lock
    now = time.monotonic()
    with _lock:
        _failures[operation] += 1
        due = now - _last_logged >= LOG_EVERY_SECONDS
        if due:
            _last_logged = now
        total = sum(_failures.values())
    if due:
        logger.warning(
            "Shared cache unreachable (%s %s: %s); going on without it. "
            "%d cache operations have failed in this process so far.",
            operation,
            key.split(":", 1)[0],
            type(exc).__name__,
            total,
        )


def cache_get(key: str, default: Any = None) -> Any:
    """The cached value, or ``default`` when it is missing or the cache is away."""
    try:
        return cache.get(key, default)
    except CACHE_ERRORS as exc:
        _failed("get", key, exc)
        return default


def cache_set(key: str, value: Any, timeout: float | None) -> None:
    try:
        cache.set(key, value, timeout)
    except CACHE_ERRORS as exc:
        _failed("set", key, exc)


def cache_delete(key: str) -> None:
    try:
        cache.delete(key)
    except CACHE_ERRORS as exc:
        _failed("delete", key, exc)


def cache_count(key: str, timeout: float) -> int | None:
    """Add one to the counter at ``key`` (created with ``timeout``); None if the cache
    is away."""
    try:
        if cache.add(key, 1, timeout=timeout):
            return 1
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=timeout)
            return 1
    except CACHE_ERRORS as exc:
        _failed("count", key, exc)
        return None
