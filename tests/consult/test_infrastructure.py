"""docker-compose.yml, the Dockerfile and the Celery app agree with the code."""

import importlib
from pathlib import Path

import pytest
import yaml

from consult.celery import app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_names_the_full_stack(compose):
    assert set(compose["services"]) == {
        "postgres",
        "redis",
        "migrate",
        "web",
        "worker",
        "beat",
        "mailpit",
    }


def test_compose_web_serves_the_wsgi_app_under_gunicorn(compose):
    command = compose["services"]["web"]["command"]

    assert command[0] == "gunicorn"
    module_name, attribute = command[1].split(":")
    assert callable(getattr(importlib.import_module(module_name), attribute))
    config = command[command.index("--config") + 1]
    assert (ROOT / config).is_file()


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_compose_celery_services_point_at_the_celery_app(compose, service):
    command = compose["services"][service]["command"]

    assert command[:4] == ["celery", "-A", "consult", service]
    assert importlib.import_module("consult").celery_app is app


def test_compose_worker_consumes_every_routed_queue(compose):
    command = compose["services"]["worker"]["command"]
    queues = set(command[command.index("-Q") + 1].split(","))

    routed = {route["queue"] for route in app.conf.task_routes.values()}
    assert queues == routed | {app.conf.task_default_queue}


def test_compose_app_services_get_real_services_by_url(compose):
    for name in ("web", "worker", "beat", "migrate"):
        env = compose["services"][name]["environment"]
        assert env["DATABASE_URL"].startswith(
            "postgres://consult:consult@postgres:5432/"
        )
        assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"
        assert env["EMAIL_URL"] == "smtp://mailpit:1025"
        assert env["DJANGO_DEBUG"] == "false"
        assert compose["services"][name]["build"] == "."


def test_dockerfile_runs_the_same_command_as_compose_web(compose):
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert (
        'CMD ["gunicorn", "consult.wsgi:application", "--config", "consult/gunicorn.conf.py"]'
        in dockerfile
    )
    assert "uv sync --frozen --no-dev" in dockerfile


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("email.send", "email"),
        ("email.relay_queued", "email"),
        ("pdf.assessment_summary", "pdf"),
        ("bookings.send_reminders", "default"),
        ("webhook.deliver", "webhook"),
        ("webhook.relay", "webhook"),
        ("webhook.purge", "webhook"),
    ],
)
def test_celery_routes_tasks_to_their_queues(task_name, queue):
    route = app.amqp.router.route({}, task_name)

    assert route["queue"].name == queue


@pytest.mark.django_db
def test_celery_registered_tasks_follow_the_queue_naming():
    app.loader.import_default_modules()
    ours = [name for name in app.tasks if not name.startswith("celery.")]

    for name in ours:
        prefix = name.split(".", 1)[0]
        assert prefix in {
            "email",
            "pdf",
            "consult",
            "advisor",
            "bookings",
            "calendars",
            "webhook",
        }, name


def test_celery_defaults_are_json_acks_late_and_time_limited():
    conf = app.conf

    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_soft_time_limit == 60
    assert conf.task_time_limit == 120


LONG_RUNNING = ("postgres", "redis", "web", "worker", "beat", "mailpit")


def test_compose_has_no_default_secret_key_and_refuses_to_start_without_one(compose):
    raw = (ROOT / "docker-compose.yml").read_text()
    for name in ("web", "worker", "beat", "migrate"):
        value = compose["services"][name]["environment"]["DJANGO_SECRET_KEY"]
        # ${VAR:?message}: compose stops with the message when VAR is unset or empty.
        assert value.startswith("${DJANGO_SECRET_KEY:?"), value
    assert "change-me" not in raw


@pytest.mark.parametrize("service", LONG_RUNNING)
def test_compose_restarts_long_running_services(compose, service):
    assert compose["services"][service]["restart"] == "unless-stopped"


def test_compose_runs_migrate_once(compose):
    assert compose["services"]["migrate"]["restart"] == "no"


@pytest.mark.parametrize("service", ["postgres", "redis", "web", "worker", "beat"])
def test_compose_checks_the_health_of_every_service_it_depends_on(compose, service):
    check = compose["services"][service]["healthcheck"]

    assert check["test"][0] in {"CMD", "CMD-SHELL"}
    assert check["interval"]
    assert check["retries"] >= 3


def test_compose_worker_health_is_a_celery_ping_through_the_broker(compose):
    test = compose["services"]["worker"]["healthcheck"]["test"]

    assert "celery -A consult inspect ping" in " ".join(test)


def test_compose_keeps_redis_data_on_a_volume(compose):
    redis = compose["services"]["redis"]

    assert "--appendonly" in redis["command"]
    assert any(volume.endswith(":/data") for volume in redis["volumes"])
    assert "redisdata" in compose["volumes"]


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_image():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }

    assert {".venv", "var", ".git", ".tools", ".env"} <= ignored


def test_dockerfile_creates_the_media_directory_for_the_app_user():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "mkdir -p /app/var/media" in dockerfile
    assert "chown -R consult:consult /app/var" in dockerfile
    assert dockerfile.index("chown -R consult:consult /app/var") < dockerfile.index(
        "USER consult"
    )
