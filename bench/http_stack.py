"""The HTTP benchmark's stack: its own database, an SMTP sink and gunicorn.

Each process is started in a session of its own and stopped with its children; the
database is created fresh and dropped at the end, so an interrupted run leaves nothing
behind for the next.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
# Redis databases of the load test's own, flushed at its start: 11 and 12 unless set
# (the test suite flushes TEST_REDIS_DB, 11 by default, so don't run both on one Redis).
BROKER_DB = int(os.environ.get("BENCH_HTTP_BROKER_DB", "11"))
CACHE_DB = int(os.environ.get("BENCH_HTTP_CACHE_DB", "12"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_urls() -> tuple[str, str]:
    """(broker, cache): the Redis of ``CELERY_BROKER_URL``, databases of their own."""
    broker = urlparse(os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379")
    return (
        broker._replace(path=f"/{BROKER_DB}").geturl(),
        broker._replace(path=f"/{CACHE_DB}").geturl(),
    )


def server_env(  # noqa: PLR0913 -- keyword-only, one per service the server talks to
    *,
    workdir: Path,
    port: int,
    smtp_port: int,
    database_url: str,
    broker_url: str,
    cache_url: str,
) -> dict[str, str]:
    """The production settings, debug off, pointed at this run's services."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "consult.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-http-secret-key-" + "x" * 40,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CACHE_URL": cache_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        # One client address carries all the load (see bench_http.py's docstring).
        "RATELIMIT_ENABLED": "false",
    }


def database_recreate(url: str) -> str:
    import psycopg  # noqa: PLC0415 -- only needed here

    parsed = urlparse(url)
    name = f"{parsed.path.lstrip('/')}_bench_http"
    with psycopg.connect(url, autocommit=True) as conn:
        # FORCE: a server left over from an interrupted run must not keep it alive.
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return parsed._replace(path=f"/{name}").geturl()


def database_drop(url: str, bench_url: str) -> None:
    import psycopg  # noqa: PLC0415

    name = urlparse(bench_url).path.lstrip("/")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class SmtpSink:
    """Accepts and counts whatever arrives, so nothing ever waits on a mail server."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's hook name
        self.received += len(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def smtp_start(port: int):
    from aiosmtpd.controller import Controller  # noqa: PLC0415

    controller = Controller(
        SmtpSink(), hostname="127.0.0.1", port=port, server_hostname="bench.localhost"
    )
    controller.start()
    return controller


def process_stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    # Each was started in a session of its own: this reaches its workers too.
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def gunicorn_start(env: dict[str, str], log: Path, port: int) -> subprocess.Popen:
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "-c",
                str(ROOT / "consult" / "gunicorn.conf.py"),
                "consult.wsgi:application",
            ],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            status, _, _ = http_request(port, "GET", "/ping")
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200:
            return process
        time.sleep(0.2)
    process_stop(process)
    sys.exit(f"gunicorn did not start:\n{log.read_text()[-3000:]}")


def http_request(
    port: int,
    method: str,
    path: str,
    *,
    body: str | None = None,
    cookie: str = "",
) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        cookies = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, cookies, text
    finally:
        conn.close()
