"""What the admin's own pages (beyond Django's change form) share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin
    from django.http import HttpRequest


def changeable(model_admin: ModelAdmin, request: HttpRequest, object_id: str) -> Any:
    """The row ``object_id`` if the viewer may change it: 404 if they cannot see it
    (the admin's own queryset scopes it), 403 if they may only look."""
    obj = model_admin.get_object(request, object_id)
    if obj is None:
        raise Http404
    if not model_admin.has_change_permission(request, obj):
        raise PermissionDenied
    return obj
