import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_in_process_tasks_is_ok(client, settings):
    settings.CELERY_BROKER_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "in-process"}
    assert (
        response["Cache-Control"]
        == "max-age=0, no-cache, no-store, must-revalidate, private"
    )


@pytest.mark.django_db
def test_healthz_with_reachable_redis_is_ok(client, settings, redis_broker_url):
    settings.CELERY_BROKER_URL = redis_broker_url

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_broker_down_is_503(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "broker": "down: OperationalError",
    }


def test_healthz_database_down_is_503():
    # A fresh process pointed at a PostgreSQL port nobody listens on: the
    # same code path as a database that went away.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "CELERY_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="consult.settings",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/consult",
        DATABASE_POOL="false",
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps([r.status_code, r.json()]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert json.loads(result.stdout) == [
        503,
        {
            "status": "unavailable",
            "database": "down: OperationalError",
            "broker": "in-process",
        },
    ]


def test_healthz_rejects_post(client):
    response = client.post("/healthz")

    assert response.status_code == 405
