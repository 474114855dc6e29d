"""Who on the staff sees what in the admin.

The groups and their permissions are created by ``consult/migrations/0002_staff_groups``.
Model permissions say what a user may do; this module says on whose rows: superusers
and Managers work on every consultant's bookings and availability, everyone else on
their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest

CONSULTANTS = "Consultants"
MANAGERS = "Managers"
# The signed-in consultant's own zone, for the admin (``StaffTimezoneMiddleware``).
STAFF_TIMEZONE_SESSION_KEY = "consult_staff_timezone"


def staff_sees_everyone(user: AbstractBaseUser | AnonymousUser) -> bool:
    """True for superusers and Managers; remembered on the user for the request."""
    if not user.is_active or not user.is_staff:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_consult_sees_everyone", None)
    if cached is None:
        cached = user.groups.filter(name=MANAGERS).exists()
        user._consult_sees_everyone = cached  # noqa: SLF001 -- a per-request memo
    return cached


def staff_timezone_remember(request: HttpRequest, name: str | None) -> None:
    """Show the admin in ``name`` for the rest of this session (None: the site's zone)."""
    if name:
        request.session[STAFF_TIMEZONE_SESSION_KEY] = name
    else:
        request.session.pop(STAFF_TIMEZONE_SESSION_KEY, None)


@receiver(user_logged_in, dispatch_uid="consult-staff-timezone")
def _staff_signed_in(sender, request, user, **kwargs) -> None:
    # Read once, at sign-in, so that admin pages cost no query for it.
    from bookings.models import Consultant  # noqa: PLC0415 -- an app loaded after this one

    if request is not None and hasattr(request, "session"):
        name = (
            Consultant.objects.filter(user=user)
            .values_list("timezone", flat=True)
            .first()
        )
        staff_timezone_remember(request, name)
