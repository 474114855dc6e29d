"""scripts/backup.sh and scripts/restore.sh: back up, wipe, restore, and the rows and
files are all back.

Runs against a scratch database of its own on the PostgreSQL server the tests use,
with the project's schema (migrate) and real rows (a booking, an assessment, an
email), never against the test database itself.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.helpers.services import require_service

ROOT = Path(__file__).resolve().parents[2]
# Per process, so two test runs on one server never drop each other's scratch database.
SCRATCH = f"consult_backup_restore_check_{os.getpid()}"

pytestmark = pytest.mark.postgres


def run(*args, env=None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, env=env, capture_output=True, text=True, check=True, timeout=180, **kwargs
    )


@pytest.fixture
def scratch(tmp_path):
    from django.db import connection  # noqa: PLC0415 -- needs settings

    for tool in ("pg_dump", "pg_restore", "psql"):
        require_service(shutil.which(tool) is not None, f"{tool} (postgresql-client)")
    params = connection.settings_dict
    server = urlparse(os.environ["DATABASE_URL"])
    admin_url = server._replace(path="/postgres").geturl()
    url = server._replace(path=f"/{SCRATCH}").geturl()
    drop = f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)"
    run("psql", admin_url, "-v", "ON_ERROR_STOP=1", "-c", drop)
    run("psql", admin_url, "-v", "ON_ERROR_STOP=1", "-c", f"CREATE DATABASE {SCRATCH}")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "CELERY_", "CACHE_"))
    } | {
        "DATABASE_URL": url,
        "DATABASE_POOL": "false",
        "DJANGO_DEBUG": "true",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
    }
    assert params["NAME"] != SCRATCH
    yield url, admin_url, env, tmp_path
    run("psql", admin_url, "-c", drop)


SEED = """
from django.utils import timezone
from tests.factories.bookings import BookingFactory
from tests.factories.advisor import AssessmentFactory
from consult.models import OutboundEmail
BookingFactory(name="Grace Hopper")
AssessmentFactory(company="Backup Co")
OutboundEmail.objects.create(kind="link", to="g@example.com", subject="s",
    body_text="b", body_html="b", dedupe_key="backup-check")
"""
COUNT = """
from bookings.models import Booking
from advisor.models import Assessment
from consult.models import OutboundEmail
print(Booking.objects.filter(name="Grace Hopper").count(),
      Assessment.objects.filter(company="Backup Co").count(),
      OutboundEmail.objects.filter(dedupe_key="backup-check").count())
"""


def manage(env, *args, stdin=None):
    return run(sys.executable, "manage.py", *args, env=env, cwd=ROOT, input=stdin)


def test_backup_wipe_restore_brings_back_every_row_and_file(scratch):
    _url, admin_url, env, tmp_path = scratch
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "shell", "-v", "0", "-c", SEED)
    media = tmp_path / "media" / "summaries"
    media.mkdir(parents=True)
    (media / "summary.pdf").write_bytes(b"%PDF-1.4 backup check")
    assert manage(env, "shell", "-v", "0", "-c", COUNT).stdout.split() == [
        "1",
        "1",
        "1",
    ]

    made = run(str(ROOT / "scripts" / "backup.sh"), str(tmp_path / "backups"), env=env)
    backup = Path(made.stdout.strip().splitlines()[-1])

    run("psql", admin_url, "-c", f"DROP DATABASE {SCRATCH} WITH (FORCE)")
    run("psql", admin_url, "-c", f"CREATE DATABASE {SCRATCH}")
    shutil.rmtree(tmp_path / "media")
    run(str(ROOT / "scripts" / "restore.sh"), str(backup), env=env)

    assert manage(env, "shell", "-v", "0", "-c", COUNT).stdout.split() == [
        "1",
        "1",
        "1",
    ]
    assert (media / "summary.pdf").read_bytes() == b"%PDF-1.4 backup check"
    # Backups hold client data: the folder is the owner's alone.
    assert backup.stat().st_mode & 0o077 == 0
