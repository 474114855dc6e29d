import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCAL_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "healthz-tests",
}


@pytest.fixture
def local_cache(settings):
    """The embedded default: no shared cache, whatever CACHE_URL the run has."""
    settings.CACHES = {**settings.CACHES, "default": LOCAL_CACHE}


@pytest.mark.django_db
@pytest.mark.usefixtures("local_cache")
def test_healthz_in_process_tasks_is_ok(client, settings):
    settings.CELERY_BROKER_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "in-process",
        "cache": "local",
    }
    assert (
        response["Cache-Control"]
        == "max-age=0, no-cache, no-store, must-revalidate, private"
    )


@pytest.mark.django_db
def test_healthz_with_reachable_redis_is_ok(client, settings, redis_broker_url):
    settings.CELERY_BROKER_URL = redis_broker_url
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_broker_url,
        },
    }

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "cache": "ok",
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("local_cache")
def test_healthz_broker_down_is_503(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "broker": "down",
        "cache": "local",
    }


def with_database_down(script: str, **env_extra: str) -> subprocess.CompletedProcess:
    """``script`` in a fresh process pointed at a PostgreSQL port nobody listens on:
    the same code path as a database that went away."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "CELERY_", "CACHE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="consult.settings",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/consult",
        DATABASE_POOL="false",
        DJANGO_ALLOWED_HOSTS="testserver",
        **env_extra,
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_healthz_database_down_is_503():
    result = with_database_down(
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps([r.status_code, r.json()]))"
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout) == [
        503,
        {
            "status": "unavailable",
            "database": "down",
            "broker": "in-process",
            "cache": "local",
        },
    ]


def test_healthz_rejects_post(client):
    response = client.post("/healthz")

    assert response.status_code == 405


@pytest.mark.django_db
def test_healthz_with_the_cache_down_is_degraded_not_unavailable(client, settings):
    settings.CELERY_BROKER_URL = ""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "broker": "in-process",
        "cache": "down",
    }


@pytest.mark.django_db
def test_healthz_answers_within_its_deadline_when_a_dependency_hangs(
    client, settings, monkeypatch
):
    import threading  # noqa: PLC0415
    import time  # noqa: PLC0415

    from consult import health  # noqa: PLC0415

    release = threading.Event()

    def hangs() -> str:
        release.wait(30)
        return "ok"

    monkeypatch.setitem(health.CHECKS, "broker", hangs)
    monkeypatch.setattr(health, "CHECK_SECONDS", 0.5)
    started = time.monotonic()
    try:
        response = client.get("/healthz")
    finally:
        release.set()

    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert time.monotonic() - started < 3


@pytest.mark.django_db
def test_healthz_says_nothing_of_the_failure_itself(client, settings, caplog):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = client.get("/healthz")

    body = response.content.decode()
    assert "Error" not in body
    assert "127.0.0.1" not in body
    assert "broker is down" in caplog.text


def test_the_booking_page_with_the_database_down_answers_503_kindly():
    result = with_database_down(
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client(raise_request_exception=False).get('/book/');"
        "print(json.dumps([r.status_code, r.get('Retry-After'),"
        " 'back in a moment' in r.content.decode()]))",
        # Static files from their sources (no collectstatic in a test run).
        DJANGO_DEBUG="true",
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [503, "30", True]
