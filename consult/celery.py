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
- log lines never carry an email address (``EmailAddressFilter``).
"""

import logging
import os
import re

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


# What an address looks like in a log line: a local part starting with a letter
# or digit (so a broker URL's "**@host" is left alone), an at sign and a domain
# with a top-level name.
_EMAIL_ADDRESS = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._%+'-]*@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}"
)
EMAIL_ADDRESS_MASK = "[address]"


def email_addresses_masked(text: str) -> str:
    return _EMAIL_ADDRESS.sub(EMAIL_ADDRESS_MASK, text)


class EmailAddressFilter(logging.Filter):
    """Masks email addresses in log lines and in the tracebacks they carry.

    Workers log by outbox row id and kind of email; this catches what others
    write: an SMTP server's refusal quotes the recipient, and Celery logs the
    exception of a task that failed.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = email_addresses_masked(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = email_addresses_masked(record.exc_text)
        return True


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _worker_log_filters(*, logger: logging.Logger, **_kwargs) -> None:
    # Celery replaces the handlers of Django's LOGGING in a worker (it takes
    # over the root logger), so the filter goes on the handlers it installs.
    for handler in logger.handlers:
        if not any(isinstance(f, EmailAddressFilter) for f in handler.filters):
            handler.addFilter(EmailAddressFilter())
