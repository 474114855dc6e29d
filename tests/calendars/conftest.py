"""Fixtures of the calendar tests: a local HTTP server that serves feeds."""

import pytest

from tests.calendars.feed_server import FeedServer
from tests.calendars.radicale_server import Radicale


@pytest.fixture
def feed_server(settings):
    # Consult reaches no private address unless allowed; the tests' server is on
    # loopback, so only that one address is let in.
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    with FeedServer() as server:
        yield server


@pytest.fixture
def radicale(settings, tmp_path):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    server = Radicale(tmp_path)
    server.start()
    yield server
    server.stop()
