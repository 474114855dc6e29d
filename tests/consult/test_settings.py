"""Settings are read from the environment; bad values stop start-up."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "debug": settings.DEBUG,
    "engine": db["ENGINE"],
    "db_name": str(db["NAME"]),
    "db_host": db.get("HOST", ""),
    "pool": db.get("OPTIONS", {}).get("pool"),
    "conn_max_age": db.get("CONN_MAX_AGE"),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "email_backend": settings.MAILERS["default"]["BACKEND"],
    "email_options": settings.MAILERS["default"]["OPTIONS"],
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "hsts": settings.SECURE_HSTS_SECONDS,
    "cache": settings.CACHES["default"]["BACKEND"],
    "media": settings.STORAGES["default"],
    "meeting_url_template": settings.MEETING_URL_TEMPLATE,
    "beat": sorted(settings.CELERY_BEAT_SCHEDULE),
    "bounce_every": settings.CELERY_BEAT_SCHEDULE.get("email-bounces-read", {}).get("schedule"),
}))
"""


def load_settings(**overrides: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "CELERY_", "DATABASE_", "EMAIL_", "CACHE_", "MEETING_URL_")
        )
    }
    env["DJANGO_SETTINGS_MODULE"] = "consult.settings"
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def settings_for(**overrides: str) -> dict:
    result = load_settings(**overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_settings_default_is_embedded_sqlite_in_process_file_email():
    loaded = settings_for(DJANGO_DEBUG="true")

    assert loaded["debug"] is True
    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert loaded["db_name"] == str(ROOT / "var" / "db.sqlite3")
    assert loaded["eager"] is True
    assert loaded["broker"] == ""
    assert loaded["email_backend"] == "django.core.mail.backends.filebased.EmailBackend"
    assert loaded["email_options"] == {"file_path": str(ROOT / "var" / "mail")}
    assert loaded["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert loaded["ssl_redirect"] is False
    assert loaded["hsts"] == 0


def test_settings_production_urls_select_postgres_pool_redis_and_smtp():
    loaded = settings_for(
        DJANGO_SECRET_KEY="x" * 60,
        DATABASE_URL="postgres://app:pw@db.internal:5432/consult",
        CELERY_BROKER_URL="redis://cache.internal:6379/0",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.internal:587",
        CACHE_URL="redis://cache.internal:6379/1",
        DJANGO_ALLOWED_HOSTS="consult.example, www.consult.example",
    )

    assert loaded["debug"] is False
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["db_name"] == "consult"
    assert loaded["db_host"] == "db.internal"
    assert loaded["pool"] == {"min_size": 2, "max_size": 8, "timeout": 10}
    assert loaded["conn_max_age"] == 0
    assert loaded["eager"] is False
    assert loaded["broker"] == "redis://cache.internal:6379/0"
    assert loaded["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert loaded["email_options"] == {
        "host": "smtp.internal",
        "port": 587,
        "username": "mailer",
        "password": "secret",
        "use_tls": True,
        "use_ssl": False,
        "timeout": 10,
    }
    assert loaded["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert loaded["allowed_hosts"] == ["consult.example", "www.consult.example"]
    assert loaded["ssl_redirect"] is True
    assert loaded["hsts"] == 31536000


def test_settings_without_pool_use_persistent_connections():
    loaded = settings_for(
        DJANGO_DEBUG="true",
        DATABASE_URL="postgres://app@localhost/consult",
        DATABASE_POOL="false",
        DATABASE_CONN_MAX_AGE="120",
    )

    assert loaded["pool"] is None
    assert loaded["conn_max_age"] == 120


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"DJANGO_DEBUG": "maybe"},
            "DJANGO_DEBUG='maybe' is not a boolean: use one of true/false, yes/no, on/off, 1/0.",
        ),
        ({"DJANGO_DEBUG": "false"}, "DJANGO_SECRET_KEY is not set."),
        ({}, "DJANGO_SECRET_KEY is not set."),
        (
            {"DJANGO_DEBUG": "1", "DATABASE_URL": "mysql://root@localhost/consult"},
            "DATABASE_URL must be a postgres:// URL",
        ),
        (
            {
                "DJANGO_DEBUG": "1",
                "DATABASE_URL": "postgres://localhost/c",
                "DATABASE_POOL_MAX_SIZE": "lots",
            },
            "DATABASE_POOL_MAX_SIZE='lots' is not a whole number.",
        ),
        (
            {"DJANGO_DEBUG": "on", "EMAIL_URL": "pigeon://loft"},
            "Invalid email schema pigeon",
        ),
        (
            {"DJANGO_DEBUG": "yes", "CELERY_TASK_SOFT_TIME_LIMIT": "-5"},
            "CELERY_TASK_SOFT_TIME_LIMIT=-5 must be at least 0.",
        ),
    ],
)
def test_settings_bad_value_stops_start_up_with_its_message(overrides, message):
    result = load_settings(**overrides)

    assert result.returncode == 1
    assert message in result.stderr


def test_manage_py_bad_value_prints_one_line_not_a_traceback():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DJANGO_DEBUG"] = "maybe"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Configuration error: DJANGO_DEBUG='maybe' is not a boolean: "
        "use one of true/false, yes/no, on/off, 1/0.\n"
    )


def test_media_stays_on_this_machine_without_storage_url():
    result = load_settings(DJANGO_DEBUG="true")

    assert json.loads(result.stdout)["media"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }


def test_storage_url_puts_media_in_private_s3_objects():
    result = load_settings(
        DJANGO_DEBUG="true",
        STORAGE_URL="s3://consult-media/summaries?region_name=eu-west-1"
        "&endpoint_url=https://minio.internal:9000",
    )

    media = json.loads(result.stdout)["media"]
    assert media["BACKEND"] == "storages.backends.s3.S3Storage"
    assert media["OPTIONS"] == {
        "bucket_name": "consult-media",
        "location": "summaries",
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 300,
        "file_overwrite": False,
        "region_name": "eu-west-1",
        "endpoint_url": "https://minio.internal:9000",
    }


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://files.example/media", "must be s3://bucket"),
        ("s3://bucket?acl=public-read", "unknown options: acl"),
    ],
)
def test_a_storage_url_it_cannot_use_stops_start_up(url, message):
    result = load_settings(DJANGO_DEBUG="true", STORAGE_URL=url)

    assert result.returncode != 0
    assert message in result.stderr


def test_meeting_rooms_default_on_in_the_embedded_profile_only():
    embedded = settings_for(DJANGO_DEBUG="true")
    deployed = settings_for(
        DJANGO_SECRET_KEY="x" * 60, DATABASE_URL="postgres://db.internal/consult"
    )
    chosen = settings_for(
        DJANGO_DEBUG="true", MEETING_URL_TEMPLATE=" https://meet.example.com/{room} "
    )
    off = settings_for(DJANGO_DEBUG="true", MEETING_URL_TEMPLATE="")

    assert embedded["meeting_url_template"] == "https://meet.jit.si/consult-{room}"
    assert deployed["meeting_url_template"] == ""
    assert chosen["meeting_url_template"] == "https://meet.example.com/{room}"
    assert off["meeting_url_template"] == ""


def test_bounce_mailbox_is_read_by_beat_only_when_one_is_set(tmp_path):
    without = settings_for(DJANGO_DEBUG="true")
    maildir = settings_for(
        DJANGO_DEBUG="true",
        EMAIL_BOUNCE_MAILDIR=str(tmp_path),
        EMAIL_BOUNCE_POLL_MINUTES="3",
    )

    assert "email-bounces-read" not in without["beat"]
    assert maildir["bounce_every"] == 180.0


@pytest.mark.parametrize(
    "address", ["bounces", "bounces+x@consult.example", "a@b@consult.example"]
)
def test_bounce_address_must_be_one_plain_address(address):
    result = load_settings(DJANGO_DEBUG="true", EMAIL_BOUNCE_ADDRESS=address)

    assert result.returncode != 0
    assert "EMAIL_BOUNCE_ADDRESS must be one plain address" in result.stderr
