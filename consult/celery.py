"""The Celery app. Its configuration lives in settings (the ``CELERY_`` names).

Queues: ``email`` (tasks named ``email.*``), ``pdf`` (``pdf.*``) and ``default``
(beat's periodic scans). Run one worker for all three, or scale them apart:
``celery -A consult worker -Q email`` and ``celery -A consult worker -Q pdf``.

Brokers: Redis (``redis://``) and RabbitMQ (``amqp://``), both tested killed and
restarted under a working worker (``tests/consult/test_worker_brokers.py``).

What a worker does around every task, here because it concerns every task:

- database connections are checked before a task uses them, as Django does
  around each request (``close_old_connections``), so a connection the server
  dropped meanwhile is replaced instead of failing the task;
- log lines never carry an email address: the worker logs through Django's LOGGING
  (``worker_hijack_root_logger`` off), whose formatters mask them (``consult.logs``).
"""

import os

from celery import Celery, signals
from celery.app.amqp import AMQP
from django.db import close_old_connections
from kombu import Connection

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")


class BrokerConnection(Connection):
    """kombu's connection, forgetting its channel once collected.

    When the broker goes away, Celery 5.7's consumer first ``collect()``\\ s the
    connection (which detaches its transport) and then ``close()``\\ s it. With
    Redis, closing the channel during ``collect()`` stops half-way when the
    pending BRPOP cannot be read, so the channel is still open when ``close()``
    tries again; that second attempt restores the unacknowledged messages
    through a new client, whose settings come from the detached transport:
    ``AttributeError: 'NoneType' object has no attribute 'hostname'``, which
    Celery treats as unrecoverable, and the worker exits for good.

    A collected connection cannot use that channel again, so it is dropped,
    as a new connection does (``Connection._connection_factory``). Celery 5.6
    behaved this way: the messages stay unacknowledged on the broker (in Redis,
    until ``visibility_timeout``) and every task is idempotent; the outbox relay
    sends any email whose message was lost. Still needed with kombu and Celery
    5.7.0; ``test_worker_brokers`` shows when it no longer is.
    """

    def collect(self, socket_timeout: float | None = None) -> None:
        super().collect(socket_timeout)
        self._default_channel = None


class BrokerAMQP(AMQP):
    Connection = BrokerConnection


app = Celery("consult", amqp=BrokerAMQP)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
def _database_connections_check(*, task, **_kwargs) -> None:
    # Django checks its connections around each request; a worker has no
    # requests. A connection whose server went away (a restart, a failover,
    # pg_terminate_backend) is closed here and made again at its first query,
    # and CONN_HEALTH_CHECKS makes that query check it first.
    if not task.request.is_eager:
        close_old_connections()


@signals.task_postrun.connect
def _database_connections_release(*, task, **_kwargs) -> None:
    if not task.request.is_eager:
        close_old_connections()
