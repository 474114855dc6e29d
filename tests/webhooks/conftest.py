"""A webhook receiver of the test's own: a real HTTP server on 127.0.0.1 that verifies
every request's signature with the ``standardwebhooks`` library, as a CRM would."""

import importlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.factories.webhooks import WebhookEndpointFactory
from tests.helpers.admin_roles import manager_create

_grants = importlib.import_module("webhooks.migrations.0002_api_managers")


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    payload: dict | None
    error: str


@dataclass
class Receiver:
    """Answers each request with the next of ``answers`` (the last one repeats): a
    status code, or ("sleep", seconds) to answer 200 only after that long."""

    secret: str = ""
    answers: list = field(default_factory=lambda: [200])
    requests: list[Received] = field(default_factory=list)
    url: str = ""
    # Run in the server's thread while a request is held, before it is answered.
    on_request: object = None

    def answer(self):
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    @property
    def verified(self) -> list[Received]:
        return [request for request in self.requests if not request.error]

    def ids(self) -> list[str]:
        return [request.headers["webhook-id"] for request in self.requests]


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {key.lower(): value for key, value in self.headers.items()}
            try:
                payload = Webhook(receiver.secret).verify(body, headers)
                error = ""
            except WebhookVerificationError as exc:
                payload, error = None, str(exc)
            receiver.requests.append(Received(headers, body, payload, error))
            answer = receiver.answer()
            if receiver.on_request is not None:
                hook, receiver.on_request = receiver.on_request, None
                try:
                    hook()
                finally:
                    from django.db import connection  # noqa: PLC0415 -- needs settings

                    connection.close()
            if isinstance(answer, tuple):
                time.sleep(answer[1])
                answer = 200
            if error:
                answer = 400
            self.send_response(answer)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(receiver):
    """An endpoint subscribed to every event, posting to ``receiver``."""
    made = WebhookEndpointFactory(url=receiver.url)
    receiver.secret = made.secret
    return made


@pytest.fixture
def manager(db):
    """A member of Managers, with the webhook permissions its migration grants (tests
    that flush the database take them away)."""
    from django.apps import apps  # noqa: PLC0415 -- needs settings

    user = manager_create()
    _grants.grant(apps, None)
    return user
