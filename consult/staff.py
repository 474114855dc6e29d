"""Who on the staff sees what in the admin.

The groups and their permissions are created by ``consult/migrations/0002_staff_groups``.
Model permissions say what a user may do; this module says on whose rows: superusers
and Managers work on every consultant's bookings and availability, everyone else on
their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest

CONSULTANTS = "Consultants"
MANAGERS = "Managers"
# The signed-in consultant's own zone, for the admin (``StaffTimezoneMiddleware``);
# remembered at sign-in by ``bookings.signals``, which knows the consultants.
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
