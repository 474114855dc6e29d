from django.test import override_settings

from consult.checks import shared_cache_check

LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
    }
}


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/0", CACHES=LOCAL)
def test_broker_without_a_shared_cache_is_warned_about():
    assert [message.id for message in shared_cache_check(None)] == ["consult.W001"]


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/0", CACHES=REDIS)
def test_broker_with_a_shared_cache_passes():
    assert shared_cache_check(None) == []


@override_settings(CELERY_BROKER_URL="", CACHES=LOCAL)
def test_embedded_default_without_a_broker_passes():
    assert shared_cache_check(None) == []
