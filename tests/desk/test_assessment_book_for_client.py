"""Booking a call for the client from the assessment page: whose week, a free time on
both clocks, a confirmation, and the client's usual confirmation email."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from bookings.models import Booking, BookingNote, BookingPolicy
from consult.enums import NoteKind
from consult.models import OutboundEmail
from tests.factories.bookings import BookingFactory, StaffUserFactory
from tests.helpers.admin_roles import consultant_create, manager_create
from tests.helpers.assessment_admin import change_url, submitted

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]

VALUE = re.compile(r'name="start" value="([^"]+)"')
KEY = re.compile(r'name="key" value="([^"]+)"')


def book_url(assessment) -> str:
    return f"/admin/advisor/assessment/{assessment.pk}/book/"


def shown(client, assessment, consultant, tz="Asia/Tokyo", **query):
    return client.get(
        book_url(assessment), {"consultant": consultant.pk, "tz": tz, **query}
    )


def test_the_assessment_page_offers_to_book_a_call_for_the_client(client):
    mine = consultant_create()
    assessment = submitted(assigned_to=mine.user)
    client.force_login(mine.user)

    html = client.get(change_url(assessment)).content.decode()

    assert f'href="{book_url(assessment)}"' in html
    assert "Book a call for this client" in html


def test_book_page_starts_with_the_assigned_consultant_and_nothing_chosen(client):
    mine = consultant_create()
    theirs = consultant_create()
    assessment = submitted(assigned_to=theirs.user)
    manager = manager_create()
    client.force_login(manager)

    html = client.get(book_url(assessment)).content.decode()

    assert f'<option value="{theirs.pk}" selected>' in html
    assert f'<option value="{mine.pk}">' in html
    assert 'name="start"' not in html


def test_book_page_lists_a_week_on_both_clocks_with_nothing_chosen(client):
    mine = consultant_create(timezone="Europe/Berlin")
    assessment = submitted(assigned_to=mine.user)
    client.force_login(mine.user)

    response = shown(client, assessment, mine, tz="tokyo")

    html = response.content.decode()
    assert response.status_code == 200
    assert len(re.findall(r'class="module move-day"', html)) == 7
    assert VALUE.findall(html)
    assert " checked" not in html
    assert 'name="tz" value="Asia/Tokyo"' in html
    assert "client" in html


def test_book_page_asks_which_clock_for_a_country_with_several(client):
    mine = consultant_create()
    assessment = submitted(assigned_to=mine.user)
    client.force_login(mine.user)

    response = shown(client, assessment, mine, tz="United States")

    assert response.status_code == 400
    assert "United States has more than one clock" in response.content.decode()
    assert "America/New_York" in response.content.decode()


def test_booking_for_the_client_links_the_call_emails_them_and_signs_it(client):
    mine = consultant_create(timezone="Europe/Berlin")
    assessment = submitted(assigned_to=mine.user, contact_email="ada@example.com")
    client.force_login(mine.user)
    start = VALUE.findall(shown(client, assessment, mine).content.decode())[2]
    carry = {"consultant": mine.pk, "tz": "Asia/Tokyo", "start": start}

    review = client.post(book_url(assessment), carry)
    key = KEY.search(review.content.decode()).group(1)
    booked = client.post(
        book_url(assessment),
        {**carry, "confirm": "True", "key": key, "topic": "Fine-tuning or not"},
    )
    again = client.post(
        book_url(assessment),
        {**carry, "confirm": "True", "key": key, "topic": "Fine-tuning or not"},
    )

    booking = Booking.objects.get()
    email = OutboundEmail.objects.get(kind="booking_confirmation")
    note = BookingNote.objects.get(booking=booking)
    assert "Book this call for" in review.content.decode()
    assert "My assessment recommends" in review.content.decode()
    assert booked.status_code == 302
    assert booked["Location"] == change_url(assessment)
    assert again.status_code == 302
    assert booking.consultant == mine
    assert booking.assessment_id == assessment.pk
    assert booking.email == "ada@example.com"
    assert booking.client_timezone == "Asia/Tokyo"
    assert booking.topic == "Fine-tuning or not"
    assert email.to == "ada@example.com"
    assert "/book/manage/" in email.body_text
    assert note.author == mine.user
    assert note.kind == NoteKind.STATUS
    assert note.text.startswith(f"Booked for the client by {mine.user.username}")
    assert LogEntry.objects.get(object_id=str(assessment.pk)).change_message.startswith(
        f"Booked a call for the client with {mine}"
    )


def test_booking_outside_the_rules_needs_a_reason_and_keeps_it(client):
    BookingPolicy.objects.update_or_create(
        pk=1, defaults={"minimum_notice_minutes": 24 * 60}
    )
    mine = consultant_create()
    assessment = submitted()
    client.force_login(mine.user)
    soon = (timezone.now() + timedelta(hours=2)).astimezone(mine.zone)
    data = {
        "consultant": mine.pk,
        "tz": "Europe/London",
        "outside_rules": "True",
        "when": f"{soon:%Y-%m-%dT%H:%M}",
    }

    refused = client.post(book_url(assessment), {**data, "reason": ""})
    review = client.post(book_url(assessment), {**data, "reason": "Urgent"})
    key = KEY.search(review.content.decode()).group(1)
    booked = client.post(
        book_url(assessment),
        {**data, "reason": "Urgent", "confirm": "True", "key": key, "topic": "x"},
    )

    booking = Booking.objects.get()
    assert refused.status_code == 400
    assert "Say why the usual rules do not apply." in refused.content.decode()
    assert booked.status_code == 302
    assert booking.start == soon.replace(second=0, microsecond=0)
    assert BookingNote.objects.get().text.endswith("Outside the usual rules: Urgent")


def test_a_second_upcoming_call_needs_a_reason_beside_the_field(client):
    mine = consultant_create()
    assessment = submitted(assigned_to=mine.user, contact_email="ada@example.com")
    BookingFactory(consultant=mine, email="ada@example.com")
    client.force_login(mine.user)
    start = VALUE.findall(shown(client, assessment, mine).content.decode())[0]
    carry = {"consultant": mine.pk, "tz": "Asia/Tokyo", "start": start}

    review = client.post(book_url(assessment), carry)
    refused = client.post(
        book_url(assessment),
        {**carry, "confirm": "True", "extra_call": "True", "key": "k" * 20},
    )

    html = refused.content.decode()
    field = html.index('id="id_extra_call_reason"')
    assert "The client already has an upcoming call" in review.content.decode()
    assert refused.status_code == 400
    assert (
        "Say why this client gets a second upcoming call." in html[field - 400 : field]
    )
    assert Booking.objects.count() == 1


@pytest.mark.postgres
def test_a_second_upcoming_call_with_a_reason_is_booked_beside_the_first(client):
    mine = consultant_create()
    assessment = submitted(assigned_to=mine.user, contact_email="ada@example.com")
    first = BookingFactory(consultant=mine, email="ada@example.com")
    client.force_login(mine.user)
    start = VALUE.findall(shown(client, assessment, mine).content.decode())[0]
    carry = {"consultant": mine.pk, "tz": "Asia/Tokyo", "start": start}

    booked = client.post(
        book_url(assessment),
        {
            **carry,
            "confirm": "True",
            "extra_call": "True",
            "key": "k" * 20,
            "extra_call_reason": "Follow-up with their CTO",
        },
    )

    second = Booking.objects.exclude(pk=first.pk).get()
    assert booked.status_code == 302
    assert second.extra_call_reason == "Follow-up with their CTO"
    assert BookingNote.objects.get(booking=second).text.endswith(
        "Beside the client's other upcoming call: Follow-up with their CTO"
    )


@pytest.mark.parametrize("who", ["other consultant", "staff without a profile"])
def test_book_page_is_refused_to_those_whose_client_it_is_not(client, who):
    theirs = consultant_create()
    assessment = submitted(assigned_to=theirs.user)
    if who == "other consultant":
        user = consultant_create().user
    else:
        user = StaffUserFactory(is_superuser=False)
    client.force_login(user)

    page = client.get(book_url(assessment))
    posted = client.post(book_url(assessment), {"consultant": theirs.pk})
    sheet = client.get(change_url(assessment))

    assert page.status_code == 403
    assert posted.status_code == 403
    assert book_url(assessment) not in sheet.content.decode()


def test_a_consultant_may_book_for_an_assessment_nobody_has(client):
    mine = consultant_create()
    assessment = submitted()
    client.force_login(mine.user)

    assert client.get(book_url(assessment)).status_code == 200


def test_only_the_consultant_or_a_manager_books_outside_a_consultants_rules(client):
    mine = consultant_create()
    colleague = consultant_create()
    assessment = submitted()
    soon = (timezone.now() + timedelta(hours=2)).astimezone(colleague.zone)
    data = {
        "consultant": colleague.pk,
        "tz": "Europe/London",
        "outside_rules": "True",
        "when": f"{soon:%Y-%m-%dT%H:%M}",
        "reason": "Urgent",
    }
    client.force_login(mine.user)

    page = client.get(
        book_url(assessment), {"consultant": colleague.pk, "tz": "Europe/London"}
    ).content.decode()
    posted = client.post(book_url(assessment), data)
    client.force_login(manager_create())
    for_manager = client.post(book_url(assessment), data).content.decode()

    assert 'name="outside_rules"' not in page
    # Taken as a plain look at the colleague's week: nothing to confirm.
    assert 'name="confirm"' not in posted.content.decode()
    assert 'name="confirm"' in for_manager
    assert not Booking.objects.exists()
