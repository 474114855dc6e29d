"""The calendars' own deploy check (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register  # noqa: A004 -- Django's names


@register(Tags.security, deploy=True)
def encryption_keys_check(app_configs, **kwargs) -> list[Warning]:
    """Calendar passwords and secret feed addresses need keys of their own."""
    if settings.CALENDAR_ENCRYPTION_KEYS:
        return []
    return [
        Warning(
            "CALENDAR_ENCRYPTION_KEYS is not set, so consultants' calendar passwords "
            "and secret feed addresses are encrypted with a key derived from "
            "SECRET_KEY.",
            hint=(
                "Rotating the secret key then asks for it among SECRET_KEY_FALLBACKS "
                "until the secrets are moved, and whoever reads the secret key reads "
                "them too. Set CALENDAR_ENCRYPTION_KEYS to a Fernet key of its own "
                "(see SECURITY.md) and run manage.py calendar_keys_rotate."
            ),
            id="calendars.W001",
        )
    ]
