"""Notes as entries: what staff write about an assessment or a booking.

An entry is signed (its author) and dated; entries are only ever added, never
overwritten by someone else. An author may correct their own entry: the earlier text is
kept in ``revisions`` with when it was replaced, so the history survives every edit.
Status changes are entries too (``NoteKind.STATUS``), written by the services that
make them, and cannot be edited.

Each app keeps its own concrete model (``advisor.models.AssessmentNote``,
``bookings.models.BookingNote``) over ``NoteBase``, and says in its own module whose
rows a member of staff may write on; the writes here are shared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from consult.enums import NoteKind
from consult.timezones import utc_label

if TYPE_CHECKING:
    from datetime import datetime

    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

NOTE_MAX_LENGTH = 10_000


class NoteBase(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for notes written before notes were signed.",
    )
    kind = models.CharField(max_length=10, choices=NoteKind, default=NoteKind.NOTE)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Raised on every edit: an edit posted from an older copy of the page is refused.
    version = models.PositiveIntegerField(default=0)
    # The texts an edit replaced, oldest first: {"text": ..., "replaced_at": ISO}.
    revisions = models.JSONField(default=list, blank=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {utc_label(self.created_at)}"

    @property
    def is_editable(self) -> bool:
        return self.kind == NoteKind.NOTE


def note_text_clean(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise ValidationError("Write something first.", code="required")
    if len(cleaned) > NOTE_MAX_LENGTH:
        raise ValidationError(
            f"A note can be at most {NOTE_MAX_LENGTH:,} characters.", code="max_length"
        )
    return cleaned


def note_add[N: NoteBase](
    *,
    model: type[N],
    author: AbstractBaseUser | AnonymousUser | None,
    text: str,
    kind: NoteKind = NoteKind.NOTE,
    now: datetime | None = None,
    **owner: Any,
) -> N:
    """Append an entry to ``owner`` (``assessment=...`` or ``booking=...``)."""
    return model.objects.create(
        author_id=author.pk if author is not None else None,
        kind=kind,
        text=note_text_clean(text) if kind == NoteKind.NOTE else text,
        created_at=now or timezone.now(),
        **owner,
    )


@transaction.atomic
def note_edit(
    *,
    note: NoteBase,
    editor: AbstractBaseUser | AnonymousUser,
    text: str,
    version: int,
    now: datetime | None = None,
) -> bool:
    """Replace the text of the editor's own entry, keeping the old one.

    False when the entry changed since ``version`` was read (another tab saved first);
    nothing is written then. Raises PermissionDenied for anyone but its author and for
    a status change.
    """
    if not note.is_editable or note.author_id is None or note.author_id != editor.pk:
        raise PermissionDenied("Only its author can edit an entry.")
    cleaned = note_text_clean(text)
    now = now or timezone.now()
    manager = type(note).objects
    current = manager.select_for_update().filter(pk=note.pk, version=version).first()
    if current is None:
        return False
    if cleaned == current.text:
        return True
    revisions = [
        *current.revisions,
        {"text": current.text, "replaced_at": now.isoformat()},
    ]
    manager.filter(pk=note.pk, version=version).update(
        text=cleaned, revisions=revisions, edited_at=now, version=F("version") + 1
    )
    note.refresh_from_db()
    return True
