"""Writes on an assessment's review: notes as entries, the review status, who follows it up.

Each change is an entry signed by whoever made it (``consult.notes``): a status change
cannot overwrite another consultant's without a trace, nor a note their words. Whose
assessment a consultant may write on is the desk's to say (``desk.ownership``), since
it depends on the calls booked from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from advisor.models import Assessment, AssessmentNote
from consult.enums import NoteKind
from consult.notes import note_add

if TYPE_CHECKING:
    from datetime import datetime

    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    Staff = AbstractBaseUser | AnonymousUser


def assessment_note_add(
    *, assessment: Assessment, author: Staff, text: str, now: datetime | None = None
) -> AssessmentNote:
    """Append ``author``'s note to the assessment."""
    return note_add(
        model=AssessmentNote,
        author=author,
        text=text,
        now=now,
        assessment=assessment,
    )


@transaction.atomic
def assessment_review_status_set(
    *,
    assessment: Assessment,
    status: str,
    was: str,
    by: Staff,
    now: datetime | None = None,
) -> bool:
    """Change the review status from ``was`` to ``status``, logged as an entry.

    Compare-and-swap: False, and nothing written, when the status is no longer
    ``was`` (someone changed it since the page was read). Setting the same status
    again changes nothing and is True.
    """
    if status == was:
        return True
    labels = dict(Assessment.Review.choices)
    if status not in labels:
        raise ValueError(f"Unknown review status {status!r}.")
    now = now or timezone.now()
    changed = Assessment.objects.filter(pk=assessment.pk, review_status=was).update(
        review_status=status, updated_at=now
    )
    if not changed:
        return False
    assessment.review_status = status
    note_add(
        model=AssessmentNote,
        author=by,
        kind=NoteKind.STATUS,
        text=f"Review status: {labels.get(was, was)} → {labels[status]}",
        now=now,
        assessment=assessment,
    )
    return True


@transaction.atomic
def assessment_assign(
    *,
    assessment: Assessment,
    to: Staff | None,
    by: Staff,
    unassigned_only: bool = False,
    now: datetime | None = None,
) -> bool:
    """Give the assessment to ``to`` (None: to nobody), logged as an entry.

    With ``unassigned_only`` (a consultant taking it), only while nobody has it.
    """
    rows = Assessment.objects.filter(pk=assessment.pk)
    if unassigned_only:
        rows = rows.filter(assigned_to__isnull=True)
    to_id = to.pk if to is not None else None
    now = now or timezone.now()
    if not rows.exclude(assigned_to_id=to_id).update(
        assigned_to_id=to_id, updated_at=now
    ):
        return False
    assessment.assigned_to_id = to_id
    name = (to.get_full_name() or to.get_username()) if to is not None else "nobody"
    note_add(
        model=AssessmentNote,
        author=by,
        kind=NoteKind.STATUS,
        text=f"Assigned to {name}",
        now=now,
        assessment=assessment,
    )
    return True
