"""Requests to user-supplied URLs: private networks refused on every hop, deadlines and
size caps kept, against a real HTTP server on this machine."""

import http.server
import threading
import time
from contextlib import contextmanager, suppress

import pytest
from django.test import override_settings

from consult.outbound import OutboundError, UnsafeURL, fetch, url_check

LOCAL = override_settings(OUTBOUND_ALLOWED_NETWORKS=["127.0.0.1/32"])


class Handler(http.server.BaseHTTPRequestHandler):
    routes: dict = {}

    def log_message(self, *args):
        pass

    def _answer(self):
        self.server.seen.append((self.command, self.path, self.headers.get("Host")))
        route = self.routes.get(self.path.split("?")[0], (404, {}, b"missing"))
        status, headers, body = route
        if callable(body):
            body = body()
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # The client may hang up first (size cap, deadline): that is the point.
        with suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def do_GET(self):
        self._answer()

    def do_POST(self):
        self._answer()


@contextmanager
def server(routes):
    handler = type("Routes", (Handler,), {"routes": routes})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.seen = []
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield httpd, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_fetch_reads_an_allowed_server_and_sends_the_host_header():
    with (
        LOCAL,
        server({"/feed.ics": (200, {"ETag": '"v1"'}, b"BEGIN:VCALENDAR")}) as (
            httpd,
            base,
        ),
    ):
        fetched = fetch(f"{base}/feed.ics?x=1", headers={"If-None-Match": '"v0"'})

    assert (fetched.status, fetched.body, fetched.headers["etag"]) == (
        200,
        b"BEGIN:VCALENDAR",
        '"v1"',
    )
    assert httpd.seen == [("GET", "/feed.ics?x=1", httpd.seen[0][2])]
    assert httpd.seen[0][2] == base.removeprefix("http://")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://localhost/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
    ],
)
def test_url_check_refuses_private_loopback_and_metadata_addresses(url):
    with pytest.raises(UnsafeURL, match="private network"):
        url_check(url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/feed", "Only http"),
        ("file:///etc/passwd", "Only http"),
        ("https://user:secret@example.com/", "credentials"),
        ("http://", "no host"),
        ("http://example.com:99999/", "not a valid"),
    ],
)
def test_url_check_refuses_what_is_not_a_plain_web_address(url, message):
    with pytest.raises(UnsafeURL, match=message):
        url_check(url)


def test_fetch_refuses_a_redirect_into_a_private_network():
    routes = {"/go": (302, {"Location": "http://10.0.0.5/internal"}, b"")}
    with LOCAL, server(routes) as (_httpd, base), pytest.raises(UnsafeURL):
        fetch(f"{base}/go")


def test_fetch_follows_a_bounded_number_of_redirects():
    routes = {
        "/a": (302, {"Location": "/b"}, b""),
        "/b": (301, {"Location": "/c"}, b""),
        "/c": (200, {}, b"done"),
        "/loop": (302, {"Location": "/loop"}, b""),
    }
    with LOCAL, server(routes) as (httpd, base):
        assert fetch(f"{base}/a").body == b"done"
        with pytest.raises(OutboundError, match="redirects"):
            fetch(f"{base}/loop", max_redirects=2)
    assert [path for _method, path, _host in httpd.seen].count("/loop") == 3


def test_fetch_turns_a_post_into_a_get_on_303():
    routes = {"/hook": (303, {"Location": "/seen"}, b""), "/seen": (200, {}, b"ok")}
    with LOCAL, server(routes) as (httpd, base):
        fetched = fetch(f"{base}/hook", method="POST", body=b"{}")

    assert fetched.url == f"{base}/seen"
    assert [(method, path) for method, path, _ in httpd.seen] == [
        ("POST", "/hook"),
        ("GET", "/seen"),
    ]


def test_fetch_stops_reading_past_the_size_cap():
    routes = {"/big": (200, {}, b"x" * 300_000)}
    with (
        LOCAL,
        server(routes) as (_httpd, base),
        pytest.raises(OutboundError, match="larger"),
    ):
        fetch(f"{base}/big", max_bytes=100_000)


def test_fetch_gives_up_at_its_deadline():
    def slow():
        time.sleep(2)
        return b"late"

    routes = {"/slow": (200, {}, slow)}
    with LOCAL, server(routes) as (_httpd, base):
        started = time.monotonic()
        with pytest.raises(OutboundError):
            fetch(f"{base}/slow", timeout=0.5)
        assert time.monotonic() - started < 1.5


def test_fetch_reports_a_refused_connection_as_an_outbound_error():
    with LOCAL, server({}) as (_httpd, base):
        closed = base  # the port is free again once the server is gone
    with LOCAL, pytest.raises(OutboundError):
        fetch(f"{closed}/")


def test_fetch_returns_server_errors_rather_than_raising():
    with LOCAL, server({"/down": (500, {}, b"oops")}) as (_httpd, base):
        assert fetch(f"{base}/down").status == 500
