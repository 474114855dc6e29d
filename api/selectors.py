"""What a token reads: the rows its owner sees in the admin, a page at a time.

Superusers and Managers see every booking; anyone else on the staff (a consultant) sees
their own bookings, as in the bookings admin (``bookings.admin_scope``), and of the
assessments only those their own calls were booked from. The model permissions the
admin checks apply too.

Lists are ordered by last change, then id, and paged with an opaque cursor naming the
last row sent: a client syncing with ``updated_since`` misses nothing that changes
while it pages.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from advisor.models import Assessment
from bookings.models import Booking, Consultant
from consult.staff import staff_sees_everyone

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


CURSOR_INVALID = "Not a cursor this API gave out."
MAX_ID = 2**63 - 1


class CursorInvalid(ValueError):
    pass


def bookings_for(owner: AbstractBaseUser) -> QuerySet[Booking]:
    bookings = Booking.objects.select_related("consultant")
    if not owner.has_perm("bookings.view_booking"):
        return bookings.none()
    if staff_sees_everyone(owner):
        return bookings
    return bookings.filter(consultant__user=owner)


def assessments_for(owner: AbstractBaseUser) -> QuerySet[Assessment]:
    assessments = Assessment.objects.select_related(
        "recommendation", "recommendation__price_book"
    ).prefetch_related("use_cases")
    if not owner.has_perm("advisor.view_assessment"):
        return assessments.none()
    if staff_sees_everyone(owner):
        return assessments
    booked = Booking.objects.filter(consultant__user=owner).values("assessment_id")
    return assessments.filter(pk__in=booked)


def consultants_public() -> QuerySet[Consultant]:
    return Consultant.objects.filter(is_active=True)


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None


def _cursor_encode(changed: datetime | None, pk: int) -> str:
    raw = json.dumps([changed.isoformat() if changed else None, pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _cursor_decode(cursor: str) -> tuple[datetime | None, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        changed, pk = json.loads(raw)
        changed = datetime.fromisoformat(changed) if changed else None
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise CursorInvalid(CURSOR_INVALID) from None
    if not isinstance(pk, int) or isinstance(pk, bool) or not 0 <= pk <= MAX_ID:
        raise CursorInvalid(CURSOR_INVALID)
    if changed is not None and changed.tzinfo is None:
        raise CursorInvalid(CURSOR_INVALID)
    return changed, pk


def page_by_change(queryset: QuerySet[Any], *, cursor: str | None, limit: int) -> Page:
    """Rows ordered by ``updated_at`` then id, after ``cursor``."""
    ordered = queryset.order_by("updated_at", "pk")
    if cursor:
        changed, pk = _cursor_decode(cursor)
        if changed is None:
            raise CursorInvalid(CURSOR_INVALID)
        ordered = ordered.filter(
            Q(updated_at__gt=changed) | Q(updated_at=changed, pk__gt=pk)
        )
    rows = list(ordered[: limit + 1])
    if len(rows) <= limit:
        return Page(items=rows, next_cursor=None)
    last = rows[limit - 1]
    return Page(
        items=rows[:limit], next_cursor=_cursor_encode(last.updated_at, last.pk)
    )


def page_by_id(queryset: QuerySet[Any], *, cursor: str | None, limit: int) -> Page:
    ordered = queryset.order_by("pk")
    if cursor:
        _, pk = _cursor_decode(cursor)
        ordered = ordered.filter(pk__gt=pk)
    rows = list(ordered[: limit + 1])
    if len(rows) <= limit:
        return Page(items=rows, next_cursor=None)
    return Page(
        items=rows[:limit], next_cursor=_cursor_encode(None, rows[limit - 1].pk)
    )
