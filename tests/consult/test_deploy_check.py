import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_production_settings_pass_check_deploy_without_warnings():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "EMAIL_", "CACHE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="consult.settings",
        DJANGO_SECRET_KEY="k7Yq-2vB9mXw_Lr4tZp8NcJ3hF6sD1aG5eU0oI-QyTb7RnVxWmKjHgFdSaPzXcV",
        DJANGO_ALLOWED_HOSTS="consult.example",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://consult.example",
        SITE_URL="https://consult.example",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.consult.example:587",
        CALENDAR_ENCRYPTION_KEYS="m8Q2yV0sXh3bT5nR7kW9pL1cF4dJ6gA8zE0uI2oY3qM=",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "System check identified no issues (0 silenced).\n"


def _check_deploy_with_key(key: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CELERY_", "EMAIL_", "CACHE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="consult.settings",
        DJANGO_SECRET_KEY=key,
        DJANGO_ALLOWED_HOSTS="consult.example",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://consult.example",
        SITE_URL="https://consult.example",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.consult.example:587",
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "key",
    [
        # The value the compose file used to fall back to: long, but public.
        "change-me-to-a-long-random-value-before-going-live-0123456789",
        "short-but-random-Xq3",
        "a" * 60,
    ],
)
def test_check_deploy_fails_on_a_public_placeholder_or_short_secret_key(key):
    result = _check_deploy_with_key(key)

    assert result.returncode != 0
    assert "consult.E001" in result.stdout + result.stderr
