"""Fixtures of the calendar tests: a local HTTP server that serves feeds."""

import pytest

from tests.calendars.feed_server import FeedServer


@pytest.fixture
def feed_server(settings):
    # Consult reaches no private address unless allowed; the tests' server is on
    # loopback, so only that one address is let in.
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    with FeedServer() as server:
        yield server
