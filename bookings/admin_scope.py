"""Whose rows a member of staff works on in the bookings admin.

Model permissions say what a user may do; this mixin says on whose rows
(``consult.staff`` says who sees everyone).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from bookings import selectors
from consult.staff import staff_sees_everyone

if TYPE_CHECKING:
    from django.http import HttpRequest


def _consultant_id(user) -> int | None:
    # Asked several times per page (each permission check); read once per request.
    if not hasattr(user, "_consult_consultant_id"):
        mine = selectors.consultant_id_for_user(user.pk)
        user._consult_consultant_id = mine  # noqa: SLF001 -- a per-request memo
    return user._consult_consultant_id  # noqa: SLF001


class OwnRowsMixin:
    """Consultants work on their own rows; superusers and Managers on everyone's.

    ``owner_path`` leads from the model to the consultant's user, ``owner_attr`` names the
    row's consultant id. A row outside the user's reach answers 404 by URL, exactly like a
    row that does not exist.
    """

    owner_path = "consultant__user"
    owner_attr = "consultant_id"

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if staff_sees_everyone(request.user):
            return queryset
        return queryset.filter(**{self.owner_path: request.user})

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and not staff_sees_everyone(request.user):
            raise Http404
        return obj

    def is_own(self, request: HttpRequest, obj) -> bool:
        if staff_sees_everyone(request.user):
            return True
        mine = _consultant_id(request.user)
        return mine is not None and getattr(obj, self.owner_attr) == mine

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or self.is_own(request, obj))

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.is_own(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.is_own(request, obj))
