"""What bookings does when the rest of the site signals: a consultant signs in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from bookings.models import Consultant
from consult.staff import staff_timezone_remember
from consult.timezones import zone_or_none

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import HttpRequest


@receiver(user_logged_in, dispatch_uid="consult-staff-timezone")
def staff_signed_in(
    sender: type, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: object
) -> None:
    # Read once, at sign-in, so that admin pages cost no query for it.
    if request is not None and hasattr(request, "session"):
        name = (
            Consultant.objects.filter(user=user)
            .values_list("timezone", flat=True)
            .first()
        )
        if name is None:
            # Not a consultant (a manager, say): the zone their browser sent with the
            # sign-in form, if it is one we know.
            sent = request.POST.get("tz", "")[:64]
            name = sent if zone_or_none(sent) is not None else None
        staff_timezone_remember(request, name)
