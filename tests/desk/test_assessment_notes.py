"""Notes on an assessment as signed entries, its status changes logged, and who may
write on it: the consultant it is assigned to or booked with, and managers."""

import pytest

from advisor.models import Assessment, AssessmentNote
from consult.enums import NoteKind
from tests.factories.bookings import BookingFactory
from tests.helpers.admin_roles import consultant_create, manager_create
from tests.helpers.assessment_admin import change_url, hybrid

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]


def add_url(assessment) -> str:
    return f"/admin/advisor/assessment/{assessment.pk}/notes/add/"


def edit_url(assessment, note) -> str:
    return f"/admin/advisor/assessment/{assessment.pk}/notes/{note.pk}/edit/"


def booked_with(consultant):
    assessment = hybrid(company="Prep Co")
    BookingFactory(consultant=consultant, assessment=assessment)
    return assessment


def test_consultant_adds_a_signed_note_shown_on_the_prep_sheet(client):
    mine = consultant_create(user__first_name="Priya", user__last_name="Shah")
    assessment = booked_with(mine)
    client.force_login(mine.user)

    response = client.post(add_url(assessment), {"text": "  Start with summaries. "})

    note = AssessmentNote.objects.get()
    html = client.get(change_url(assessment)).content.decode()
    assert response.status_code == 302
    assert response["Location"] == f"{change_url(assessment)}#notes"
    assert (note.author, note.kind, note.text) == (
        mine.user,
        NoteKind.NOTE,
        "Start with summaries.",
    )
    assert "<strong>Priya Shah</strong>" in html
    assert "Start with summaries." in html
    assert f'href="{edit_url(assessment, note)}"' in html


def test_two_consultants_notes_are_both_kept(client):
    first, second = consultant_create(), consultant_create()
    assessment = booked_with(first)
    BookingFactory(consultant=second, assessment=assessment)

    for consultant, text in ((first, "Budget is tight."), (second, "CTO is keen.")):
        client.force_login(consultant.user)
        client.post(add_url(assessment), {"text": text})

    assert list(
        AssessmentNote.objects.order_by("pk").values_list("author", "text")
    ) == [(first.user.pk, "Budget is tight."), (second.user.pk, "CTO is keen.")]


def test_empty_note_is_refused_beside_the_field(client):
    mine = consultant_create()
    assessment = booked_with(mine)
    client.force_login(mine.user)

    response = client.post(add_url(assessment), {"text": "   "})

    assert response.status_code == 400
    assert "Write something first." in response.content.decode()
    assert AssessmentNote.objects.count() == 0


def test_consultant_cannot_write_on_an_assessment_that_is_not_theirs(client):
    mine, other = consultant_create(), consultant_create()
    assessment = booked_with(other)
    client.force_login(mine.user)

    page = client.get(change_url(assessment))
    note = client.post(add_url(assessment), {"text": "Mine now."})
    status = client.post(
        change_url(assessment),
        {"review_status": "lost", "review_status_was": "new"},
    )

    assessment.refresh_from_db()
    assert page.status_code == 200
    assert 'name="text"' not in page.content.decode()
    assert '<select name="review_status"' not in page.content.decode()
    assert (note.status_code, status.status_code) == (403, 403)
    assert assessment.review_status == "new"
    assert AssessmentNote.objects.count() == 0


def test_manager_writes_on_any_assessment_and_assigns_it(client):
    consultant = consultant_create()
    assessment = hybrid()
    manager = manager_create()
    client.force_login(manager)

    client.post(add_url(assessment), {"text": "Hand to the fine-tuning team."})
    response = client.post(
        change_url(assessment),
        {
            "review_status": "new",
            "review_status_was": "new",
            "assigned_to": consultant.user.pk,
        },
    )

    assessment.refresh_from_db()
    assert response.status_code == 302
    assert assessment.assigned_to == consultant.user
    assert list(AssessmentNote.objects.values_list("kind", "text", "author")) == [
        ("note", "Hand to the fine-tuning team.", manager.pk),
        ("status", f"Assigned to {consultant.user.username}", manager.pk),
    ]


def test_consultant_takes_an_unassigned_assessment_and_then_writes_on_it(client):
    mine = consultant_create()
    assessment = hybrid()
    client.force_login(mine.user)

    before = client.get(change_url(assessment)).content.decode()
    taken = client.post(f"/admin/advisor/assessment/{assessment.pk}/take/")
    added = client.post(add_url(assessment), {"text": "Calling them Monday."})

    assessment.refresh_from_db()
    assert "Take it" in before
    assert taken.status_code == 302
    assert assessment.assigned_to == mine.user
    assert added.status_code == 302


def test_an_assessment_already_taken_cannot_be_taken_again(client):
    first, second = consultant_create(), consultant_create()
    assessment = hybrid()
    Assessment.objects.filter(pk=assessment.pk).update(assigned_to=first.user)
    client.force_login(second.user)

    response = client.post(f"/admin/advisor/assessment/{assessment.pk}/take/")

    assessment.refresh_from_db()
    assert response.status_code == 302
    assert assessment.assigned_to == first.user
    assert AssessmentNote.objects.count() == 0


def test_status_change_is_logged_with_who_and_when(client):
    mine = consultant_create()
    assessment = booked_with(mine)
    client.force_login(mine.user)

    client.post(
        change_url(assessment),
        {"review_status": "contacted", "review_status_was": "new"},
    )

    entry = AssessmentNote.objects.get()
    html = client.get(change_url(assessment)).content.decode()
    assert (entry.kind, entry.text, entry.author) == (
        NoteKind.STATUS,
        "Review status: New → Contacted",
        mine.user,
    )
    assert "Review status: New → Contacted" in html
    # A status change is a record, not an entry anyone edits.
    assert client.get(edit_url(assessment, entry)).status_code == 403


def test_status_changed_since_the_page_was_opened_is_not_overwritten(client):
    first, second = consultant_create(), consultant_create()
    assessment = booked_with(first)
    BookingFactory(consultant=second, assessment=assessment)
    # Both opened the page while it was New; the first saved Won.
    client.force_login(first.user)
    client.post(
        change_url(assessment), {"review_status": "won", "review_status_was": "new"}
    )
    client.force_login(second.user)

    response = client.post(
        change_url(assessment), {"review_status": "lost", "review_status_was": "new"}
    )

    assessment.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone changed the status to “Won” since you opened this page" in html
    assert assessment.review_status == "won"
    assert AssessmentNote.objects.filter(kind=NoteKind.STATUS).count() == 1


def test_author_edits_their_note_and_the_earlier_text_is_kept(client):
    mine = consultant_create()
    assessment = booked_with(mine)
    client.force_login(mine.user)
    client.post(add_url(assessment), {"text": "Budget 10k."})
    note = AssessmentNote.objects.get()

    response = client.post(
        edit_url(assessment, note), {"text": "Budget 100k.", "version": "0"}
    )

    note.refresh_from_db()
    html = client.get(change_url(assessment)).content.decode()
    assert response.status_code == 302
    assert (note.text, note.version) == ("Budget 100k.", 1)
    assert [revision["text"] for revision in note.revisions] == ["Budget 10k."]
    assert note.edited_at is not None
    assert "Earlier text (1)" in html
    assert "Budget 10k." in html


def test_an_edit_from_an_older_page_is_refused_and_the_typed_text_kept(client):
    mine = consultant_create()
    assessment = booked_with(mine)
    client.force_login(mine.user)
    client.post(add_url(assessment), {"text": "First."})
    note = AssessmentNote.objects.get()
    client.post(edit_url(assessment, note), {"text": "Second.", "version": "0"})

    response = client.post(
        edit_url(assessment, note), {"text": "Third.", "version": "0"}
    )

    note.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 400
    assert "changed in another window" in html
    assert "Third.</textarea>" in html
    assert note.text == "Second."


@pytest.mark.parametrize("who", ["consultant", "manager"])
def test_nobody_but_its_author_edits_a_note(client, who):
    author = consultant_create()
    assessment = booked_with(author)
    client.force_login(author.user)
    client.post(add_url(assessment), {"text": "Mine."})
    note = AssessmentNote.objects.get()
    other = consultant_create()
    BookingFactory(consultant=other, assessment=assessment)
    client.force_login(other.user if who == "consultant" else manager_create())

    response = client.post(
        edit_url(assessment, note), {"text": "Yours.", "version": "0"}
    )

    note.refresh_from_db()
    assert response.status_code == 403
    assert note.text == "Mine."


# --- The free-text notes before entries -------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_free_text_notes_become_the_first_unsigned_entry(migrate):
    old = migrate([("advisor", "0005_regulations_user_facing_batch_ok")])
    old_assessment = old.get_model("advisor", "Assessment")
    noted = old_assessment.objects.create(
        token_hash="a" * 64, consultant_notes="Keen on fine-tuning.\nCall in May."
    )
    old_assessment.objects.create(token_hash="b" * 64, consultant_notes="  ")

    new = migrate([("advisor", "0010_day_drop_consultant_notes")])

    notes = new.get_model("advisor", "AssessmentNote").objects.all()
    assert [(n.assessment_id, n.author_id, n.kind, n.text) for n in notes] == [
        (noted.pk, None, "note", "Keen on fine-tuning.\nCall in May.")
    ]
