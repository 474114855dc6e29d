"""Fixtures shared by every test.

A test that needs a real service (PostgreSQL, Redis, Chromium) asks for it
through ``require_service`` (``tests/helpers/services.py``): it is skipped where
the service is missing, except in CI (``CI=true``), where a missing service fails
the test.
"""

import os
from urllib.parse import urlparse

import pytest

from tests.helpers.mailers import FlakyBackend
from tests.helpers.services import redis_url, require_service, tcp_reachable


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> None:
    """The staff groups as the migrations make them, also in a reused test database.

    With ``--reuse-db`` the database keeps what the last run left: transactional tests
    flush it, groups included, and the migrations run again only where they are new. A
    new migration that grants one group its permissions (api 0002, webhooks 0002) then
    makes the group with those alone, and the tests that follow find it incomplete.
    """
    from tests.helpers.admin_roles import staff_groups_create  # noqa: PLC0415

    with django_db_blocker.unblock():
        staff_groups_create()


@pytest.fixture
def redis_broker_url() -> str:
    url = redis_url()
    require_service(tcp_reachable(url), f"Redis at {url}")
    return url


@pytest.fixture(autouse=True)
def _service_markers(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres"):
        from django.db import connection  # noqa: PLC0415 -- needs settings

        require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")


@pytest.fixture(autouse=True)
def _test_storage(settings, tmp_path) -> None:
    # The manifest storage used with debug off needs collectstatic; tests read
    # static files from their sources, and media goes to a throw-away folder.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    # Password hashing is slow on purpose; tests log in often.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Rate-limit counts live in the cache: every test starts with none.
    from django.core.cache import caches  # noqa: PLC0415 -- needs settings

    for cache in caches.all():
        cache.clear()


@pytest.fixture
def active_price_book():
    """The seeded price book, recreated after transactional tests flushed it."""
    from advisor.engine import DEFAULT_PRICES  # noqa: PLC0415 -- needs settings
    from advisor.models import PriceBook  # noqa: PLC0415

    data = DEFAULT_PRICES.to_dict()
    book, _ = PriceBook.objects.get_or_create(
        name=DEFAULT_PRICES.name,
        defaults={"as_of": DEFAULT_PRICES.as_of, "data": data, "is_active": True},
    )
    return book


@pytest.fixture
def migrate():
    """``migrate(targets)`` moves the test database to those migrations and gives
    their historical models; afterwards it goes back to the latest schema."""
    from django.db import connection  # noqa: PLC0415 -- needs settings
    from django.db.migrations.executor import MigrationExecutor  # noqa: PLC0415

    def to(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    yield to
    # Whatever happened, the database goes back to the latest schema.
    to(MigrationExecutor(connection).loader.graph.leaf_nodes())


# --- The real stack: a Celery worker, Redis, SMTP (helpers in tests/helpers/realstack.py) ---


@pytest.fixture
def smtp():
    """A real SMTP server on localhost: ``(sink, port)``."""
    from aiosmtpd.controller import Controller  # noqa: PLC0415 -- only these tests

    from tests.helpers.ports import free_port  # noqa: PLC0415
    from tests.helpers.realstack import SmtpSink  # noqa: PLC0415

    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield sink, controller.port
    sink.release.set()
    controller.stop()


@pytest.fixture
def refusing(settings):
    """A real SMTP server that refuses the addresses a test lists; the outbox sends
    through it in-process (``tests/helpers/bounces.py`` ``RefusingSmtp``)."""
    from aiosmtpd.controller import Controller  # noqa: PLC0415 -- only these tests

    from tests.helpers.bounces import RefusingSmtp  # noqa: PLC0415
    from tests.helpers.ports import free_port  # noqa: PLC0415

    handler = RefusingSmtp()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 10},
        }
    }
    yield handler
    controller.stop()


@pytest.fixture
def broker_url(redis_broker_url) -> str:
    """A Redis database of the tests' own, empty before and after."""
    import redis  # noqa: PLC0415 -- only these tests

    from tests.helpers.realstack import REDIS_DB  # noqa: PLC0415

    url = urlparse(redis_broker_url)._replace(path=f"/{REDIS_DB}").geturl()
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def stack(settings, smtp, broker_url, tmp_path, monkeypatch):
    """``(sink, workers)``: tasks go to Redis, ``workers.start()`` runs a worker.

    Every worker started is stopped however the test ends.
    """
    from consult.celery import app  # noqa: PLC0415 -- needs settings
    from tests.helpers.realstack import (  # noqa: PLC0415
        Workers,
        producer_reset,
        worker_database_url,
    )

    sink, port = smtp
    # Read before the settings change: Celery loads its configuration from the
    # settings lazily, on first use, and would save the changed value.
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    app.conf.task_always_eager = False
    # Celery reads CELERY_BROKER_URL from the environment ahead of its
    # configuration (CI sets it), so the producer is pointed through both.
    monkeypatch.setenv("CELERY_BROKER_URL", broker_url)
    app.conf.broker_url = broker_url
    producer_reset()
    workers = Workers(
        env={
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "DATABASE_POOL": "false",
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            # Celery runs Django's system checks at start; with debug off they
            # need collected static files, which only a deployment has. The
            # suite runs the checks itself.
            "CELERY_SKIP_CHECKS": "true",
        },
        log_dir=tmp_path,
    )
    try:
        yield sink, workers
    finally:
        workers.stop_all()
        app.conf.task_always_eager, app.conf.broker_url = saved
        producer_reset()


@pytest.fixture
def flaky(settings):
    # Django's test set-up swaps every mailer to locmem; this runs after it.
    settings.MAILERS = {"default": {"BACKEND": "tests.helpers.mailers.FlakyBackend"}}
    FlakyBackend.failures = []
    yield FlakyBackend.failures
    FlakyBackend.failures = []
