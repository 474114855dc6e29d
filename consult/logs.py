"""What the logs carry: a request id from the web request into its Celery tasks, and
no private data.

* Every line has a ``request_id``: the web request's (``X-Request-ID`` from a trusted
  proxy, or a new one), carried into the tasks it queues through a message header, so
  a booking's POST and the emails it caused can be read together.
* The formatters mask private link tokens and email addresses in the whole line,
  traceback included: logs are kept longer and shared wider than the database.
* An expected client error (a 403, a 404) is one line, not a traceback.
* ``LOG_FORMAT=json`` writes one JSON object a line, for a log collector.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings

from consult.tokens import private_links_masked

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse

NO_REQUEST = "-"
HEADER = "X-Request-ID"
CELERY_HEADER = "consult_request_id"
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "request_id", default=NO_REQUEST
)
_INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# What an address looks like in a log line: a local part starting with a letter or
# digit (so a broker URL's "**@host" is left alone), an at sign and a domain with a
# top-level name.
_EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+'-]*@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}")
EMAIL_MASK = "[email]"


def request_id() -> str:
    return _request_id.get()


def email_addresses_masked(text: str) -> str:
    return _EMAIL.sub(EMAIL_MASK, text)


def masked(text: str) -> str:
    """``text`` without private link tokens or email addresses."""
    return email_addresses_masked(private_links_masked(text))


class RequestIdMiddleware:
    """Gives each request an id, in the logs and in the ``X-Request-ID`` response header.

    An id sent by a trusted proxy (``TRUSTED_PROXIES``) is kept, so the proxy's access
    log and ours match; from anyone else it is ignored.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(HEADER, "")
        trusted = settings.TRUSTED_PROXIES > 0 and _INCOMING_ID.fullmatch(incoming)
        # Not reset on the way out: Django logs a 4xx or 5xx after the middleware
        # has returned, and that line must carry the id too. The id is cleared when
        # the request finishes (``request_finished``).
        _request_id.set(incoming if trusted else uuid.uuid4().hex)
        response = self.get_response(request)
        response[HEADER] = _request_id.get()
        return response


def _request_finished(**_: Any) -> None:
    _request_id.set(NO_REQUEST)


class RequestIdFilter(logging.Filter):
    """Sets ``request_id`` on records made before ``record_factory_install`` ran."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


def record_factory_install() -> None:
    """Stamp every log record with the request id when it is made.

    At creation, not in a handler's filter: a record is then complete for every
    handler, Celery's and the test runner's included, whatever thread formats it.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, "consult_request_id", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = _request_id.get()
        return record

    factory.consult_request_id = True
    logging.setLogRecordFactory(factory)


class ClientErrorFilter(logging.Filter):
    """An expected 4xx is worth a line, not a traceback (Django logs one for a 403)."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return masked(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, request id, message, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", NO_REQUEST),
            "message": masked(record.getMessage()),
        }
        status = getattr(record, "status_code", None)
        if isinstance(status, int):
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = masked(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def _publish_with_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    if headers is not None:
        headers.setdefault(CELERY_HEADER, _request_id.get())


_task_tokens: dict[str, contextvars.Token[str]] = {}


def _task_started(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    incoming = getattr(getattr(task, "request", None), CELERY_HEADER, None)
    if task_id is not None:
        # An eager task (run in the web process) keeps the request's own id.
        _task_tokens[task_id] = _request_id.set(
            incoming if isinstance(incoming, str) else _request_id.get()
        )


def _task_finished(task_id: str | None = None, **_: Any) -> None:
    token = _task_tokens.pop(task_id, None) if task_id is not None else None
    if token is not None:
        _request_id.reset(token)


def request_signals_connect() -> None:
    from django.core.signals import request_finished  # noqa: PLC0415

    request_finished.connect(_request_finished, weak=False)


def celery_signals_connect() -> None:
    """Carry the request id from the publishing process into the task's logs."""
    from celery import signals  # noqa: PLC0415 -- only where Celery runs tasks

    signals.before_task_publish.connect(_publish_with_request_id, weak=False)
    signals.task_prerun.connect(_task_started, weak=False)
    signals.task_postrun.connect(_task_finished, weak=False)


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        return masked(value)
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item) for item in value]
    return value


def sentry_event_scrubbed(
    event: dict[str, Any], hint: dict[str, Any]
) -> dict[str, Any]:
    """A Sentry event without private link tokens or email addresses, anywhere in it.

    URLs, messages, exception values, breadcrumbs and local variables alike: what
    leaves for a third party must hold nothing that opens a client's data.
    """
    scrubbed: dict[str, Any] = _scrubbed(event)
    request = scrubbed.get("request")
    if isinstance(request, dict):
        # Form bodies and cookies are the client's own words and session.
        request.pop("data", None)
        request.pop("cookies", None)
    return scrubbed
