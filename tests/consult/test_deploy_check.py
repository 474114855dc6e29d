import os
import subprocess
import sys
from pathlib import Path

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
