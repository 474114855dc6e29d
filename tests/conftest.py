"""Fixtures shared by every test.

A test that needs a real service (PostgreSQL, Redis, Chromium) asks for it
through ``require_service``: it is skipped where the service is missing, except
in CI (``CI=true``), where a missing service fails the test.
"""

import os
import socket
from urllib.parse import urlparse

import pytest

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require_service(available: bool, what: str) -> None:
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is not available, and CI must provide it")
    pytest.skip(f"{what} is not available here")


def redis_url() -> str:
    return os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/15"


def tcp_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), 1):
            return True
    except OSError:
        return False


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
    from django.core.cache import cache  # noqa: PLC0415 -- needs settings

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
