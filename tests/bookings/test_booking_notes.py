"""Notes on a booking, with or without an assessment: on its page, on the prep sheet,
only its consultant (or a manager) writes them, and they go when the client erases
their data."""

import pytest

from bookings.models import BookingNote
from privacy.services import booking_erase
from tests.factories.advisor import AssessmentFactory
from tests.factories.bookings import BookingFactory
from tests.helpers.admin_roles import ROLES, consultant_create, manager_create, user_for
from tests.helpers.booking_admin import change_url

pytestmark = pytest.mark.django_db


def add_url(booking) -> str:
    return f"/admin/bookings/booking/{booking.pk}/notes/add/"


def test_consultant_notes_a_booking_made_without_an_assessment(client):
    mine = consultant_create()
    booking = BookingFactory(consultant=mine, assessment=None)
    client.force_login(mine.user)

    response = client.post(add_url(booking), {"text": "Wants a demo of RAG."})

    note = BookingNote.objects.get()
    html = client.get(change_url(booking)).content.decode()
    assert response.status_code == 302
    assert (note.booking, note.author, note.text) == (
        booking,
        mine.user,
        "Wants a demo of RAG.",
    )
    assert "Wants a demo of RAG." in html
    assert f'href="/admin/bookings/booking/{booking.pk}/notes/{note.pk}/edit/"' in html


def test_booking_note_shows_on_the_prep_sheet_of_its_assessment(
    client, active_price_book
):
    mine = consultant_create()
    assessment = AssessmentFactory()
    booking = BookingFactory(consultant=mine, assessment=assessment)
    client.force_login(mine.user)
    client.post(add_url(booking), {"text": "Asked about GPUs."})

    html = client.get(
        f"/admin/advisor/assessment/{assessment.pk}/change/"
    ).content.decode()

    assert "Asked about GPUs." in html
    assert "on the call of" in html


def test_consultant_cannot_note_another_consultants_booking(client):
    other = BookingFactory(consultant=consultant_create())
    client.force_login(consultant_create().user)

    response = client.post(add_url(other), {"text": "Mine now."})

    assert response.status_code == 404
    assert BookingNote.objects.count() == 0


def test_manager_notes_any_booking(client):
    booking = BookingFactory()
    client.force_login(manager_create())

    response = client.post(add_url(booking), {"text": "Covering for Priya."})

    assert response.status_code == 302
    assert BookingNote.objects.get().text == "Covering for Priya."


def test_booking_note_edit_keeps_the_earlier_text(client):
    mine = consultant_create()
    booking = BookingFactory(consultant=mine)
    client.force_login(mine.user)
    client.post(add_url(booking), {"text": "Call at 9."})
    note = BookingNote.objects.get()

    client.post(
        f"/admin/bookings/booking/{booking.pk}/notes/{note.pk}/edit/",
        {"text": "Call at 10.", "version": "0"},
    )

    note.refresh_from_db()
    assert note.text == "Call at 10."
    assert [revision["text"] for revision in note.revisions] == ["Call at 9."]


def test_erasing_a_clients_booking_deletes_its_notes():
    booking = BookingFactory()
    BookingNote.objects.create(booking=booking, text="Their phone is 555 0100.")
    kept = BookingNote.objects.create(booking=BookingFactory(), text="Other client.")

    booking_erase(booking=booking)

    assert list(BookingNote.objects.all()) == [kept]


# The booking page: session, user, permissions, the booking, its consultant, the
# notes and the emails; as many for three notes as for one.
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("count", [1, 3])
def test_booking_page_queries_do_not_grow_with_notes(
    client, django_assert_num_queries, role, count
):
    mine = consultant_create()
    booking = BookingFactory(consultant=mine)
    author = mine.user
    for n in range(count):
        BookingNote.objects.create(booking=booking, author=author, text=f"Note {n}")
    client.force_login(user_for(role, mine))
    client.get(change_url(booking))

    with django_assert_num_queries(BOOKING_PAGE_QUERIES[role]):
        response = client.get(change_url(booking))

    assert response.status_code == 200
    assert response.content.decode().count('<li class="note">') == count


BOOKING_PAGE_QUERIES = {"superuser": 7, "manager": 10, "consultant": 10}
