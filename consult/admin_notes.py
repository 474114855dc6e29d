"""The admin's side of notes as entries (``consult.notes``): the panel and its pages.

The assessment and booking admins each decide who may write on their rows and call
these with their own service to add an entry; both show the same panel
(``templates/admin/notes/panel.html``) and the same page to write or correct an entry
(``admin/notes/edit.html``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from consult.notes import NOTE_MAX_LENGTH, note_edit
from consult.timezones import viewer_label as viewer_time

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from django.contrib.admin import ModelAdmin
    from django.db import models
    from django.http import HttpRequest, HttpResponse

    from consult.notes import NoteBase

PANEL_ANCHOR = "notes"


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        max_length=NOTE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        error_messages={"required": "Write something first."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _author_name(note: NoteBase) -> str:
    if note.author_id is None:
        return "Before notes were signed"
    author = note.author
    return author.get_full_name() or author.get_username()


def note_rows(
    notes: Iterable[NoteBase],
    *,
    user: Any,
    edit_url: Callable[[NoteBase], str] | None,
    about: Callable[[NoteBase], str] | None = None,
) -> list[dict[str, object]]:
    """The entries as the panel shows them, oldest first, with an edit link on one's own."""
    rows = []
    for note in notes:
        revisions = [
            {
                "text": revision["text"],
                "until": viewer_time(datetime.fromisoformat(revision["replaced_at"])),
            }
            for revision in note.revisions
        ]
        own = note.is_editable and note.author_id == user.pk
        rows.append(
            {
                "note": note,
                "author": _author_name(note),
                "when": viewer_time(note.created_at),
                "edited": viewer_time(note.edited_at) if note.edited_at else "",
                "revisions": revisions,
                "is_status": not note.is_editable,
                "edit_url": edit_url(note) if own and edit_url else "",
                "about": about(note) if about else "",
            }
        )
    return rows


def note_page(  # noqa: PLR0913 -- keyword-only, each what the page needs
    model_admin: ModelAdmin,
    request: HttpRequest,
    *,
    owner: models.Model,
    back_url: str,
    add: Callable[[str], object] | None = None,
    note: NoteBase | None = None,
) -> HttpResponse:
    """Write a new entry on ``owner`` (``add``), or correct the user's own ``note``."""
    if note is not None and (not note.is_editable or note.author_id != request.user.pk):
        raise PermissionDenied
    initial = {"text": note.text, "version": note.version} if note else None
    form = NoteForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        try:
            if note is None:
                assert add is not None  # noqa: S101 -- one of the two, by the callers
                add(text)
                model_admin.log_change(request, owner, "Added a note.")
                model_admin.message_user(request, "Note added.", messages.SUCCESS)
                return redirect(f"{back_url}#{PANEL_ANCHOR}")
            version = form.cleaned_data["version"]
            if note_edit(
                note=note,
                editor=request.user,
                text=text,
                version=note.version if version is None else version,
            ):
                model_admin.log_change(request, owner, "Edited a note.")
                model_admin.message_user(
                    request, "Note saved; the earlier text is kept.", messages.SUCCESS
                )
                return redirect(f"{back_url}#{PANEL_ANCHOR}")
            note.refresh_from_db()
            form.add_error(
                "text",
                "This note was changed in another window since you opened it. "
                "Its text now is shown below; your text is still in the box.",
            )
            form.data = form.data.copy()
            form.data["version"] = str(note.version)
        except ValidationError as error:
            form.add_error("text", error)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": owner,
        "title": f"Edit your note on {owner}" if note else f"Add a note on {owner}",
        "form": form,
        "note": note,
        "current_text": note.text if note else "",
        "back_url": back_url,
    }
    response = TemplateResponse(request, "admin/notes/edit.html", context)
    if form.errors:
        response.status_code = 400
    return response
