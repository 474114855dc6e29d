"""System checks of the project's own (``manage.py check --deploy``)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register  # noqa: A004 -- Django's names

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


# Keys that have been written down somewhere public: this project's own examples and
# fallbacks, and the placeholders people copy from documentation.
PUBLIC_SECRET_KEYS = frozenset(
    {
        "change-me-to-a-long-random-value-before-going-live-0123456789",
        "insecure-development-key-only-used-with-debug-on",
        "collectstatic-only",
        "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    }
)
PLACEHOLDER_WORDS = ("change-me", "changeme", "change_me", "replace-me", "secret-key")
MIN_SECRET_KEY_LENGTH = 50


@register(Tags.security, deploy=True)
def secret_key_check(app_configs, **kwargs) -> list[Error]:
    """A deployment's secret key must be its own: long, random, written nowhere public.

    Django's own check (security.W009) only warns, and passes a long placeholder;
    this one fails ``check --deploy`` outright.
    """
    key = settings.SECRET_KEY
    lowered = key.lower()
    if (
        key in PUBLIC_SECRET_KEYS
        or any(word in lowered for word in PLACEHOLDER_WORDS)
        or len(key) < MIN_SECRET_KEY_LENGTH
        or len(set(key)) < 10
    ):
        return [
            Error(
                "DJANGO_SECRET_KEY is a known, placeholder or short value.",
                hint=(
                    "Anyone who knows it can forge sessions and password-reset links. "
                    "Set it to a value of its own: python -c 'import secrets; "
                    "print(secrets.token_urlsafe(50))'."
                ),
                id="consult.E001",
            )
        ]
    return []


ROOM_PLACEHOLDER = "{room}"


@register()
def meeting_url_template_check(app_configs, **kwargs) -> list[Error]:
    """``MEETING_URL_TEMPLATE``, when set, is an https link with ``{room}`` in it.

    The room's random name is the only thing keeping strangers out of a public meeting
    service, so it must be in the link, and the link must not travel in clear text.
    Checked at every start-up, not only with ``--deploy``: the link goes into every
    invitation, and a wrong one would reach clients before anyone noticed.
    """
    template = settings.MEETING_URL_TEMPLATE
    if not template:
        return []
    hint = "Set it to e.g. https://meet.jit.si/consult-{room}, or to nothing for none."
    errors = []
    example = template.replace(ROOM_PLACEHOLDER, "room")
    parts = urlsplit(example)
    if parts.scheme != "https" or not parts.hostname:
        errors.append(
            Error(
                f"MEETING_URL_TEMPLATE must be an https:// link; got {template!r}.",
                hint=hint,
                id="consult.E002",
            )
        )
    if ROOM_PLACEHOLDER not in template:
        errors.append(
            Error(
                "MEETING_URL_TEMPLATE must contain {room}, where each call's random "
                f"room name goes; got {template!r}.",
                hint=hint,
                id="consult.E003",
            )
        )
    return errors
