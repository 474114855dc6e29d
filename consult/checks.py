"""System checks of the project's own (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register  # noqa: A004 -- Django's name

LOCAL_MEMORY = "django.core.cache.backends.locmem.LocMemCache"


@register(Tags.caches, deploy=True)
def shared_cache_check(app_configs, **kwargs) -> list[Warning]:
    """A deployment with a broker runs several processes: they must share one cache."""
    if (
        settings.CELERY_BROKER_URL
        and settings.CACHES["default"]["BACKEND"] == LOCAL_MEMORY
    ):
        return [
            Warning(
                "CACHE_URL is not set, so every process keeps a cache of its own.",
                hint=(
                    "Rate limits then count per process, and a booking made through one "
                    "process reaches the booking page's cached week in the others only "
                    "after 30 s. Set CACHE_URL to a Redis database that every web "
                    "process shares."
                ),
                id="consult.W001",
            )
        ]
    return []
