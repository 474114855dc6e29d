"""Whose assessment a consultant works on: the desk's rule, since it reads both apps.

An assessment is a consultant's when it is assigned to them or a call was booked with
them from it. Superusers and Managers work on every one (``consult.staff``). Others
read it, and may take it while nobody has it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import CharField, Q
from django.db.models.functions import Cast

from advisor.models import Assessment
from bookings.models import Booking, Consultant
from consult.staff import staff_sees_everyone

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.db import models
    from django.http import HttpRequest

_MEMO = "_desk_assessments_theirs"


def assessment_is_theirs(
    user: AbstractBaseUser | AnonymousUser, assessment: Assessment
) -> bool:
    if staff_sees_everyone(user):
        return True
    if user.pk is None:
        return False
    if assessment.assigned_to_id == user.pk:
        return True
    return Booking.objects.filter(
        assessment_id=assessment.pk, consultant__user_id=user.pk
    ).exists()


def assessment_bookable(request: HttpRequest, assessment: Assessment) -> bool:
    """Whether the user may book a call for the assessment's client.

    Managers for any client; a consultant for an assessment that is theirs or that
    nobody has yet.
    """
    user = request.user
    if staff_sees_everyone(user):
        return True
    if user.pk is None or not user.is_staff:
        return False
    if not Consultant.objects.filter(user_id=user.pk).exists():
        return False
    return assessment.assigned_to_id is None or assessment_is_theirs_memo(
        request, assessment
    )


def assessment_is_theirs_memo(request: HttpRequest, assessment: Assessment) -> bool:
    """``assessment_is_theirs``, asked once per request (the admin asks per check)."""
    memo: dict[tuple[int, int | None], bool] = request.__dict__.setdefault(_MEMO, {})
    key = (assessment.pk, assessment.assigned_to_id)
    if key not in memo:
        memo[key] = assessment_is_theirs(request.user, assessment)
    return memo[key]


def emails_theirs(user: AbstractBaseUser | AnonymousUser) -> Q:
    """The outbox rows about a consultant's own clients: their calls and assessments.

    Everything for those who see everyone. A filter for ``OutboundEmail``, by the row
    that caused each email (``related_model``, ``related_id``, which is text).
    """
    if staff_sees_everyone(user):
        return Q()
    if user.pk is None:
        return Q(pk__in=[])
    calls = Booking.objects.filter(consultant__user_id=user.pk)
    assessments = Assessment.objects.filter(
        Q(assigned_to_id=user.pk) | Q(pk__in=calls.values("assessment_id"))
    )
    as_text = Cast("pk", CharField())
    return Q(
        related_model=related_label(Booking),
        related_id__in=calls.annotate(key=as_text).values("key"),
    ) | Q(
        related_model=related_label(Assessment),
        related_id__in=assessments.annotate(key=as_text).values("key"),
    )


def related_label(model: type[models.Model]) -> str:
    """How the outbox names a model (``consult.models.related_key``)."""
    return model._meta.label_lower  # noqa: SLF001 -- Django's documented metadata API
