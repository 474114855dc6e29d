"""Correcting the address a client typed in the wizard, and sending what they missed.

Consultants correct it from the prep sheet when an email to the client bounced. The
last email the client was sent about the assessment (their result and its PDF, or
their private link) goes again, as it was, to the corrected address
(``consult.corrections``): the private link in it is still a live one. The change is
logged as an entry on the assessment's notes. Whose assessment a consultant may
correct is the desk's to say (``desk.ownership``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from advisor.models import Assessment, AssessmentNote
from consult.corrections import EmailCorrection, client_email_resend

if TYPE_CHECKING:
    from datetime import datetime

    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


@transaction.atomic
def assessment_email_correct(
    *,
    assessment: Assessment,
    email: str,
    by: AbstractBaseUser | AnonymousUser,
    now: datetime | None = None,
) -> EmailCorrection:
    """Replace the client's address with ``email`` and resend them the last message.

    Raises ValidationError when the address is the one the assessment already has.
    """
    now = now or timezone.now()
    new = email.strip().lower()
    current = Assessment.objects.select_for_update().get(pk=assessment.pk)
    previous = current.contact_email
    if new == previous.lower():
        raise ValidationError("That is the address the assessment already has.")
    Assessment.objects.filter(pk=current.pk).update(contact_email=new, updated_at=now)
    assessment.contact_email = new
    return client_email_resend(
        about=current,
        previous=previous,
        to=new,
        by=by,
        note_model=AssessmentNote,
        note_owner={"assessment": assessment},
        now=now,
    )
