"""The shared outbox mechanism (consult.outbox) on its own, against PostgreSQL.

Email rows stand in for any outbox's rows: the functions only read the columns every
outbox has, and take the statuses as arguments.
"""

import threading
from datetime import timedelta
from itertools import count

import pytest
from django.db import connection, transaction
from django.utils import timezone

from consult import outbox
from consult.models import OutboundEmail

pytestmark = pytest.mark.postgres

READY = OutboundEmail.Status.QUEUED
SENDING = OutboundEmail.Status.SENDING
GRACE = timedelta(minutes=2)
TIMEOUT = timedelta(minutes=10)
_keys = count()


def row(**fields) -> OutboundEmail:
    n = next(_keys)
    now = timezone.now()
    return OutboundEmail.objects.create(
        kind="link",
        to=f"row{n}@example.com",
        subject="Subject",
        body_text="Text",
        body_html="<p>Text</p>",
        dedupe_key=f"mechanism:{n}",
        **{"created_at": now, "next_attempt_at": now, **fields},
    )


def in_thread(target, results, name):
    # Each thread has its own database connection: a second client of the server.
    def run():
        try:
            results[name] = target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


# --- backoff -------------------------------------------------------------------------


def test_backoff_doubles_from_base_and_stops_at_cap():
    waits = [outbox.backoff(n, base=30, cap=3600) for n in range(10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


def test_backoff_before_the_first_doubling_is_the_base():
    assert outbox.backoff(-1, base=30, cap=3600) == 30
    assert outbox.backoff(0, base=60, cap=30) == 30


def test_backoff_jitter_stays_within_its_share_and_under_the_cap():
    for n in range(12):
        plain = outbox.backoff(n, base=30, cap=3600)
        for _ in range(50):
            wait = outbox.backoff(n, base=30, cap=3600, jitter=0.2)
            assert round(plain * 0.8) <= wait <= min(round(plain * 1.2), 3600)


def test_attempts_within_counts_the_attempts_whose_waits_fill_the_window():
    # Waits of 10, 20, 40 s after attempts 1, 2, 3: 70 s once the fourth is made.
    def wait(n):
        return outbox.backoff(n - 1, base=10, cap=1000)

    assert outbox.attempts_within(70, wait) == 4
    assert outbox.attempts_within(71, wait) == 5
    assert outbox.attempts_within(0, wait) == 1


# --- claim ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_claim_takes_a_due_ready_row_once_and_counts_the_attempt():
    now = timezone.now()
    email = row(next_attempt_at=now)
    rows = OutboundEmail.objects.all()
    first = outbox.claim(
        rows, pk=email.pk, ready=READY, sending=SENDING, claim_id="a", now=now
    )
    second = outbox.claim(
        rows, pk=email.pk, ready=READY, sending=SENDING, claim_id="b", now=now
    )
    assert (first, second) == (True, False)
    email.refresh_from_db()
    assert (email.status, email.claimed_by, email.claimed_at, email.attempts) == (
        SENDING,
        "a",
        now,
        1,
    )


@pytest.mark.django_db
def test_claim_leaves_a_row_not_due_yet_and_takes_one_without_a_due_time():
    now = timezone.now()
    later = row(next_attempt_at=now + timedelta(seconds=1))
    undated = row(next_attempt_at=None)
    rows = OutboundEmail.objects.all()
    kwargs = {"ready": READY, "sending": SENDING, "claim_id": "c", "now": now}
    assert not outbox.claim(rows, pk=later.pk, **kwargs)
    assert outbox.claim(rows, pk=undated.pk, **kwargs)
    later.refresh_from_db()
    assert (later.status, later.attempts) == (READY, 0)


@pytest.mark.django_db
def test_claim_keeps_to_the_rows_it_is_given():
    email = row()
    taken = outbox.claim(
        OutboundEmail.objects.filter(erase_when_done=True),
        pk=email.pk,
        ready=READY,
        sending=SENDING,
        claim_id="d",
        now=timezone.now(),
    )
    assert not taken


@pytest.mark.django_db(transaction=True)
def test_claim_is_exclusive_between_two_connections():
    now = timezone.now()
    email = row(next_attempt_at=now)
    claimed = threading.Event()
    results: dict[str, bool] = {}

    def first():
        with transaction.atomic():
            took = outbox.claim(
                OutboundEmail.objects.all(),
                pk=email.pk,
                ready=READY,
                sending=SENDING,
                claim_id="first",
                now=now,
            )
            claimed.set()
            # Holds the row while the other connection tries for it.
            threading.Event().wait(0.5)
        return took

    def second():
        claimed.wait(5)
        return outbox.claim(
            OutboundEmail.objects.all(),
            pk=email.pk,
            ready=READY,
            sending=SENDING,
            claim_id="second",
            now=now,
        )

    threads = [
        in_thread(first, results, "first"),
        in_thread(second, results, "second"),
    ]
    for thread in threads:
        thread.join(10)
    # The second waited on the first's row lock, then saw it sending.
    assert results == {"first": True, "second": False}
    email.refresh_from_db()
    assert (email.claimed_by, email.attempts) == ("first", 1)


@pytest.mark.django_db(transaction=True)
def test_claim_started_together_on_many_connections_is_taken_once():
    now = timezone.now()
    email = row(next_attempt_at=now)
    start = threading.Barrier(4)
    results: dict[str, bool] = {}

    def contender(name):
        def go():
            start.wait(5)
            return outbox.claim(
                OutboundEmail.objects.all(),
                pk=email.pk,
                ready=READY,
                sending=SENDING,
                claim_id=name,
                now=now,
            )

        return go

    threads = [in_thread(contender(f"w{n}"), results, f"w{n}") for n in range(4)]
    for thread in threads:
        thread.join(10)
    assert sorted(results.values()) == [False, False, False, True]
    email.refresh_from_db()
    assert email.attempts == 1
    assert results[email.claimed_by] is True


# --- stuck ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_stuck_rows_are_those_sending_past_the_timeout_and_are_put_back():
    now = timezone.now()
    stuck = row(status=SENDING, claimed_at=now - TIMEOUT - timedelta(seconds=1))
    at_limit = row(status=SENDING, claimed_at=now - TIMEOUT)
    fresh = row(status=SENDING, claimed_at=now - TIMEOUT + timedelta(seconds=1))
    sent = row(
        status=OutboundEmail.Status.SENT,
        claimed_at=now - timedelta(hours=1),
        sent_at=now,
    )
    rows = outbox.stuck(
        OutboundEmail.objects.all(), sending=SENDING, now=now, timeout=TIMEOUT
    )
    assert set(rows.values_list("pk", flat=True)) == {stuck.pk, at_limit.pk}

    returned = outbox.stuck_put_back(rows, ready=READY, error="The worker stopped.")

    assert returned == 2
    statuses = dict(OutboundEmail.objects.values_list("pk", "status"))
    assert statuses == {
        stuck.pk: READY,
        at_limit.pk: READY,
        fresh.pk: SENDING,
        sent.pk: OutboundEmail.Status.SENT,
    }
    stuck.refresh_from_db()
    assert stuck.last_error == "The worker stopped."


@pytest.mark.django_db
def test_fresh_start_makes_rows_due_now_with_no_attempts_claim_or_relay():
    now = timezone.now()
    failed = row(
        status=OutboundEmail.Status.FAILED,
        attempts=5,
        next_attempt_at=now - timedelta(hours=1),
        claimed_at=now - timedelta(hours=1),
        relayed_at=now - timedelta(hours=1),
    )
    other = row(status=OutboundEmail.Status.FAILED, attempts=5)
    assert (
        outbox.fresh_start(
            OutboundEmail.objects.filter(pk=failed.pk), ready=READY, now=now
        )
        == 1
    )
    failed.refresh_from_db()
    assert (
        failed.status,
        failed.attempts,
        failed.next_attempt_at,
        failed.claimed_at,
        failed.relayed_at,
    ) == (READY, 0, now, None, None)
    other.refresh_from_db()
    assert (other.status, other.attempts) == (OutboundEmail.Status.FAILED, 5)


# --- relay ---------------------------------------------------------------------------


def relay(now, *, batch=100, undated_lost=False, enqueued=None):
    enqueued = [] if enqueued is None else enqueued
    ids = outbox.relay_due(
        OutboundEmail.objects.all(),
        ready=READY,
        now=now,
        grace=GRACE,
        batch=batch,
        enqueue=enqueued.append,
        undated_lost=undated_lost,
    )
    assert enqueued == ids
    return ids


@pytest.mark.django_db
def test_relay_enqueues_only_due_rows_and_marks_them_relayed():
    now = timezone.now()
    lost = now - GRACE - timedelta(seconds=1)
    rows = {
        "first try in flight": row(next_attempt_at=now - timedelta(seconds=30)),
        "first try lost": row(next_attempt_at=lost),
        "retry due": row(attempts=1, next_attempt_at=now),
        "retry later": row(attempts=1, next_attempt_at=now + timedelta(seconds=1)),
        "sending": row(status=SENDING, attempts=1, next_attempt_at=lost),
        "sent": row(
            status=OutboundEmail.Status.SENT, next_attempt_at=lost, sent_at=lost
        ),
        "relayed for this try": row(
            attempts=2, next_attempt_at=now - timedelta(minutes=1), relayed_at=now
        ),
        "relayed for an earlier try": row(
            attempts=2,
            next_attempt_at=now - timedelta(seconds=10),
            relayed_at=now - timedelta(seconds=20),
        ),
        "relayed long ago": row(
            attempts=2, next_attempt_at=lost, relayed_at=now - GRACE
        ),
    }

    ids = relay(now)

    picked = {"first try lost", "retry due", "relayed for an earlier try"}
    picked.add("relayed long ago")
    # Oldest due first.
    due = sorted(
        (rows[name] for name in picked), key=lambda r: (r.next_attempt_at, r.pk)
    )
    assert ids == [r.pk for r in due]
    relayed = dict(OutboundEmail.objects.values_list("pk", "relayed_at"))
    for name, email in rows.items():
        if name in picked:
            assert relayed[email.pk] == now, name
        else:
            assert relayed[email.pk] == email.relayed_at, name
    # Relayed for their due time: not again on the next run, which takes what fell due.
    assert relay(now + timedelta(seconds=1)) == [rows["retry later"].pk]


@pytest.mark.django_db
def test_relay_takes_a_batch_at_a_time():
    now = timezone.now()
    for _ in range(3):
        row(attempts=1, next_attempt_at=now)
    assert len(relay(now, batch=2)) == 2
    assert len(relay(now, batch=2)) == 1


@pytest.mark.django_db
def test_relay_counts_a_row_without_a_due_time_from_its_writing_only_if_asked():
    now = timezone.now()
    undated = row(next_attempt_at=None, created_at=now - GRACE - timedelta(seconds=1))
    row(next_attempt_at=None, created_at=now)
    assert relay(now) == []
    assert relay(now, undated_lost=True) == [undated.pk]


@pytest.mark.django_db(transaction=True)
def test_two_relays_at_once_skip_each_others_rows():
    now = timezone.now()
    due = [row(attempts=1, next_attempt_at=now).pk for _ in range(2)]
    locked = threading.Event()
    done = threading.Event()
    results: dict[str, object] = {}

    def first():
        # Its transaction holds the row it took until the other relay has run.
        with transaction.atomic():
            ids = relay(now, batch=1)
            locked.set()
            # Set by the other relay only if it did not wait for this one's lock.
            other_finished = done.wait(5)
        return ids, other_finished

    def second():
        locked.wait(5)
        try:
            return relay(now)
        finally:
            done.set()

    threads = [
        in_thread(first, results, "first"),
        in_thread(second, results, "second"),
    ]
    for thread in threads:
        thread.join(10)
    assert results["first"] == (due[:1], True)
    # Not blocked on the locked row, and not taking it either.
    assert results["second"] == due[1:]
