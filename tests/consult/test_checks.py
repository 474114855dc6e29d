import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from consult.checks import meeting_url_template_check, shared_cache_check

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


@pytest.mark.parametrize(
    "template",
    [
        "",
        "https://meet.jit.si/consult-{room}",
        "https://video.example.com/r/{room}?x=1",
    ],
)
def test_meeting_url_template_accepted(settings, template):
    settings.MEETING_URL_TEMPLATE = template

    assert meeting_url_template_check(None) == []


@pytest.mark.parametrize(
    ("template", "ids"),
    [
        ("http://meet.jit.si/consult-{room}", ["consult.E002"]),
        ("meet.jit.si/consult-{room}", ["consult.E002"]),
        ("https:///{room}", ["consult.E002"]),
        ("https://meet.jit.si/consult", ["consult.E003"]),
        ("https://meet.jit.si/consult-{name}", ["consult.E003"]),
        ("ftp://meet.jit.si/consult", ["consult.E002", "consult.E003"]),
    ],
)
def test_meeting_url_template_refused(settings, template, ids):
    settings.MEETING_URL_TEMPLATE = template

    errors = meeting_url_template_check(None)

    assert [error.id for error in errors] == ids
    assert all(template in error.msg for error in errors)


def test_meeting_url_template_stops_manage_py_check(settings):
    settings.MEETING_URL_TEMPLATE = "http://meet.jit.si/consult-{room}"

    with pytest.raises(SystemCheckError, match=r"consult\.E002"):
        call_command("check")
