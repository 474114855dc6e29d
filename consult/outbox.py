"""The outbox mechanism the email and webhook outboxes share (and the write-back's backoff).

A row is written with the change that causes it, in a "ready" status (an email's
``queued``, a delivery's ``pending``), and its send is enqueued once that change
commits. A worker ``claim``-s it with a conditional update to a "sending" status, so
running the task twice sends once. A failed attempt schedules the next one on the row
(``backoff``); the relay (``relay_due``) enqueues what is due, and what the broker never
got, marking ``relayed_at`` so a backlog is not enqueued again on every run. A row left
"sending" by a worker that died (``stuck``) is put back (``stuck_put_back``).

Each app passes its own model, status names, timings and enqueue function: what to do
with a row besides that (fail it, withdraw it, log it) stays with the app.

The rows carry ``status``, ``attempts``, ``next_attempt_at``, ``created_at``,
``claimed_at``, ``claimed_by``, ``relayed_at`` and ``last_error``.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Q

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime, timedelta

    from django.db.models import QuerySet


def backoff(doublings: int, *, base: int, cap: int, jitter: float = 0.0) -> int:
    """Seconds to wait: ``base`` doubled ``doublings`` times, at most ``cap``.

    ``jitter`` (0 to 1) spreads the wait by up to that share either way, so rows that
    failed together are not tried again together; it never goes past ``cap``.
    """
    seconds: float = min(base * 2 ** max(doublings, 0), cap)
    if jitter:
        spread = random.uniform(1 - jitter, 1 + jitter)  # noqa: S311 -- spreading load
        seconds = min(seconds * spread, cap)
    return round(seconds)


def attempts_within(window_seconds: int, wait: Callable[[int], int]) -> int:
    """Attempts whose waits (``wait(n)`` after the n-th) add up to ``window_seconds``.

    Counted in attempts rather than read off a clock, so a row first tried late (the
    workers were down) still gets the whole window of retries.
    """
    attempts, waited = 1, 0
    while waited < window_seconds:
        waited += wait(attempts)
        attempts += 1
    return attempts


def claim(  # noqa: PLR0913 -- keyword-only, each part of the claim
    rows: QuerySet[Any],
    *,
    pk: int,
    ready: str,
    sending: str,
    claim_id: str,
    now: datetime,
) -> bool:
    """Take the row ``pk`` of ``rows`` for this attempt; True if this call took it.

    Only a row that is ``ready`` and due moves to ``sending``, so of any number of
    calls at once exactly one succeeds; it counts the attempt and names its claim.
    """
    return bool(
        rows.filter(pk=pk, status=ready)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            status=sending,
            claimed_at=now,
            claimed_by=claim_id,
            attempts=F("attempts") + 1,
        )
    )


def stuck(
    rows: QuerySet[Any], *, sending: str, now: datetime, timeout: timedelta
) -> QuerySet[Any]:
    """The rows sending for longer than ``timeout``: their worker died."""
    return rows.filter(status=sending, claimed_at__lte=now - timeout)


def stuck_put_back(rows: QuerySet[Any], *, ready: str, error: str) -> int:
    """Make ``rows`` ready again, saying why in ``last_error``; how many.

    A row was due when it was claimed, so it is due again at once.
    """
    return rows.update(status=ready, last_error=error)


def fresh_start(rows: QuerySet[Any], *, ready: str, now: datetime) -> int:
    """Make ``rows`` ready now with a fresh set of attempts (staff send one again)."""
    return rows.update(
        status=ready, attempts=0, next_attempt_at=now, claimed_at=None, relayed_at=None
    )


def relay_due(  # noqa: PLR0913 -- keyword-only, each part of the rule
    rows: QuerySet[Any],
    *,
    ready: str,
    now: datetime,
    grace: timedelta,
    batch: int,
    enqueue: Callable[[int], None],
    undated_lost: bool = False,
) -> list[int]:
    """Enqueue the ready rows no worker holds; return their ids.

    A retry (``attempts`` > 0) has no message waiting in the broker: it is enqueued
    once due. A first try still ready ``grace`` after it was due never reached a
    worker (the broker was down, or lost the message). ``undated_lost`` counts a
    first try without ``next_attempt_at`` as due from ``created_at``. A row relayed
    for its current due time is not enqueued again until ``grace`` has passed.
    Enqueuing a row that did reach a worker is harmless: only one claim succeeds.
    ``enqueue`` runs inside the transaction, so it should enqueue on commit.
    """
    due_before = now - grace
    first_try_lost = Q(next_attempt_at__lte=due_before)
    if undated_lost:
        first_try_lost |= Q(next_attempt_at__isnull=True, created_at__lte=due_before)
    first_try_lost &= Q(attempts=0)
    retry_due = Q(attempts__gt=0, next_attempt_at__lte=now)
    not_relayed_for_it = (
        Q(relayed_at__isnull=True)
        | Q(relayed_at__lte=due_before)
        | Q(relayed_at__lt=F("next_attempt_at"))
    )
    with transaction.atomic():
        # SKIP LOCKED (PostgreSQL) lets two relays run at once without both taking
        # the same rows; SQLite serialises writers anyway.
        ids = list(
            rows.select_for_update(skip_locked=True)
            .filter(status=ready)
            .filter(first_try_lost | retry_due)
            .filter(not_relayed_for_it)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:batch]
        )
        if ids:
            rows.filter(pk__in=ids).update(relayed_at=now)
            for pk in ids:
                enqueue(pk)
    return ids
