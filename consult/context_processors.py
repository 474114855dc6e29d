"""Template context every page shares."""

from django.conf import settings
from django.http import HttpRequest


def contact(request: HttpRequest) -> dict[str, str]:
    return {"contact_email": settings.CONTACT_EMAIL}
