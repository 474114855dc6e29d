"""The call link: the consultant's own, else the booking's room, wherever it shows."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from icalendar import Calendar

from advisor.services import assessment_submit
from bookings import emails, services
from bookings.ics import booking_ics, calendar_links
from bookings.meetings import meeting_url, room_new, room_url
from bookings.models import Booking
from bookings.services import AssessmentLink
from calendars.subscription import consultant_event
from consult.models import OutboundEmail
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.factories.bookings import BookingFactory, ConsultantFactory
from tests.helpers.admin_roles import superuser_create
from tests.helpers.booking_emails import email_to, event_of
from tests.helpers.booking_service import NOW, OFFICE, TUESDAY_9, create

pytestmark = pytest.mark.django_db

TEMPLATE = "https://meet.jit.si/consult-{room}"
OWN = "https://meet.example.com/amelia"
ROOM_LINK = re.compile(r"https://meet\.jit\.si/consult-([A-Za-z0-9_-]{22})")


@pytest.fixture
def rooms_on(settings):
    settings.MEETING_URL_TEMPLATE = TEMPLATE


@pytest.fixture
def amelia():
    return ConsultantFactory(
        display_name="Amelia Hart",
        timezone="Europe/London",
        user__email="amelia@consult.example",
        hours=OFFICE,
    )


def room_link(booking: Booking) -> str:
    return TEMPLATE.replace("{room}", booking.room)


# --- the rules --------------------------------------------------------------------------


def test_room_new_is_random_url_safe_and_long():
    rooms = {room_new() for _ in range(200)}

    assert len(rooms) == 200
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", room) for room in rooms)


def test_room_url_replaces_only_the_placeholder():
    assert room_url("abc", "https://meet.example.com/{room}?x={y}") == (
        "https://meet.example.com/abc?x={y}"
    )
    assert room_url("abc", "") == ""
    assert room_url("", TEMPLATE) == ""


@pytest.mark.usefixtures("rooms_on")
def test_consultants_own_link_wins_over_the_room(amelia):
    amelia.meeting_url = OWN
    amelia.save()
    booking = BookingFactory(consultant=amelia)

    assert meeting_url(booking) == OWN


@pytest.mark.usefixtures("rooms_on")
def test_without_own_link_the_booking_gets_its_rooms_link(amelia):
    first = BookingFactory(consultant=amelia)
    second = BookingFactory(consultant=amelia, start=first.start + timedelta(hours=1))

    assert meeting_url(first) == room_link(first)
    assert ROOM_LINK.fullmatch(meeting_url(first))
    assert meeting_url(first) != meeting_url(second)


def test_without_own_link_or_template_there_is_no_link(amelia, settings):
    settings.MEETING_URL_TEMPLATE = ""
    booking = BookingFactory(consultant=amelia)

    assert booking.room
    assert meeting_url(booking) == ""


@pytest.mark.usefixtures("rooms_on")
def test_room_link_is_stable_across_reads_and_a_reschedule(amelia):
    booking = create(consultant=amelia).booking
    link = meeting_url(booking)

    again = Booking.objects.get(pk=booking.pk)
    moved = services.booking_reschedule(
        booking=again, new_start=TUESDAY_9 + timedelta(hours=2), now=NOW
    )

    assert moved.outcome == services.Outcome.MOVED
    moved_booking = Booking.objects.get(pk=booking.pk)
    assert moved_booking.sequence == 1
    assert meeting_url(again) == link
    assert meeting_url(moved_booking) == link


@pytest.mark.usefixtures("rooms_on")
def test_handed_to_a_consultant_with_own_link_the_call_carries_theirs(amelia):
    booking = BookingFactory(consultant=amelia)
    room = meeting_url(booking)
    marcus = ConsultantFactory(meeting_url="https://meet.example.com/marcus")

    booking.consultant = marcus
    booking.save()
    booking = Booking.objects.get(pk=booking.pk)

    assert meeting_url(booking) == "https://meet.example.com/marcus"
    # Handed back to someone without a link of their own: the same room as before.
    booking.consultant = amelia
    booking.save()
    assert meeting_url(Booking.objects.get(pk=booking.pk)) == room


# --- where it shows ---------------------------------------------------------------------


@pytest.mark.usefixtures("rooms_on")
def test_ics_location_and_url_carry_the_room_link(amelia):
    booking = BookingFactory(consultant=amelia)

    [event] = Calendar.from_ical(booking_ics(booking, attendee=True)).walk("VEVENT")

    assert str(event["LOCATION"]) == room_link(booking)
    assert str(event["URL"]) == room_link(booking)
    assert f"Join: {room_link(booking)}" in str(event["DESCRIPTION"])


def test_ics_without_any_link_has_no_location(amelia, settings):
    settings.MEETING_URL_TEMPLATE = ""
    booking = BookingFactory(consultant=amelia)

    [event] = Calendar.from_ical(booking_ics(booking)).walk("VEVENT")

    assert "LOCATION" not in event
    assert "URL" not in event


@pytest.mark.usefixtures("rooms_on")
def test_google_and_outlook_links_carry_the_room_link(amelia):
    booking = BookingFactory(consultant=amelia)

    links = calendar_links(booking)

    google = parse_qs(urlsplit(links.google).query)
    outlook = parse_qs(urlsplit(links.outlook).query)
    assert google["location"] == [room_link(booking)]
    assert outlook["location"] == [room_link(booking)]
    assert f"Join: {room_link(booking)}" in google["details"][0]


@pytest.mark.usefixtures("rooms_on")
def test_consultants_feed_event_carries_the_room_link(amelia):
    booking = BookingFactory(consultant=amelia)

    event = consultant_event(booking, now=NOW)

    assert str(event["LOCATION"]) == room_link(booking)


@pytest.mark.usefixtures("rooms_on")
def test_confirmed_and_manage_pages_show_the_room_link(amelia, client):
    booking = BookingFactory(consultant=amelia)

    for name in ("confirmed", "manage"):
        response = client.get(f"/book/{name}/{booking.token}/")
        assert response.status_code == 200, name
        assert (
            f'Join the call: <a href="{room_link(booking)}" rel="noreferrer">'
            in response.text
        ), name


@pytest.mark.usefixtures("rooms_on")
def test_emails_and_their_invites_carry_the_room_link(
    amelia, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = create(consultant=amelia).booking

    link = room_link(booking)
    confirmation = email_to("grace@example.com", "booking_confirmation")
    notice = email_to("amelia@consult.example", "booking_consultant_new")
    assert f"Join: {link}\n" in confirmation.body_text
    assert f'href="{link}"' in confirmation.body_html
    assert f"Call link: {link}\n" in notice.body_text
    assert str(event_of(confirmation)["LOCATION"]) == link
    assert str(event_of(notice)["URL"]) == link

    emails.reminder_emails_queue(booking=booking, reminder=emails.Reminder.HOUR)
    assert (
        f"Join: {link}\n" in email_to("grace@example.com", "booking_reminder").body_text
    )
    reminder = email_to("amelia@consult.example", "booking_consultant_reminder")
    assert f"Call link: {link}\n" in reminder.body_text
    assert f'href="{link}"' in reminder.body_html


def test_emails_without_any_link_say_one_will_follow(
    amelia, settings, django_capture_on_commit_callbacks
):
    settings.MEETING_URL_TEMPLATE = ""
    with django_capture_on_commit_callbacks(execute=True):
        create(consultant=amelia)

    confirmation = email_to("grace@example.com", "booking_confirmation")
    assert (
        "Join: Amelia Hart will send you the call link before the meeting."
        in confirmation.body_text
    )
    assert "https://meet" not in confirmation.body_text


@pytest.mark.usefixtures("active_price_book", "rooms_on")
def test_consultants_reminders_and_notice_link_the_prep_sheet(amelia):
    assessment = AssessmentFactory(company="Engines Ltd")
    UseCaseFactory(assessment=assessment, name="Support summaries")
    assessment_submit(assessment=assessment)
    booking = create(
        consultant=amelia, assessment=AssessmentLink(reference=str(assessment.pk))
    ).booking
    prep = f"http://testserver/admin/advisor/assessment/{assessment.pk}/change/"

    emails.reminder_emails_queue(booking=booking, reminder=emails.Reminder.DAY)
    emails.reminder_emails_queue(booking=booking, reminder=emails.Reminder.HOUR)

    for kind in ("booking_consultant_new", "booking_consultant_reminder"):
        for email in OutboundEmail.objects.filter(kind=kind):
            assert f"Prep sheet: {prep}\n" in email.body_text, email.dedupe_key
            assert f'href="{prep}"' in email.body_html, email.dedupe_key
    # The client never gets the staff's link.
    for email in OutboundEmail.objects.filter(to="grace@example.com"):
        assert "/admin/" not in email.body_text


def test_consultants_reminder_without_an_assessment_has_no_prep_sheet_line(amelia):
    booking = BookingFactory(consultant=amelia)

    emails.reminder_emails_queue(booking=booking, reminder=emails.Reminder.DAY)

    reminder = email_to("amelia@consult.example", "booking_consultant_reminder")
    assert "Prep sheet" not in reminder.body_text


# --- bookings made before rooms ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_gives_each_existing_booking_a_room_of_its_own(migrate):
    apps = migrate([("bookings", "0011_cal_busy_interval")])
    consultant = apps.get_model("bookings", "Consultant").objects.create(
        user=apps.get_model("auth", "User").objects.create(
            username="old", is_staff=True
        ),
        display_name="Old",
        timezone="UTC",
    )
    for n in range(3):
        start = NOW + timedelta(days=n)
        apps.get_model("bookings", "Booking").objects.create(
            consultant=consultant,
            name="Old client",
            email=f"old{n}@example.com",
            email_key=f"old{n}@example.com",
            start=start,
            end=start + timedelta(minutes=30),
            blocked_start=start,
            blocked_end=start + timedelta(minutes=30),
        )

    apps = migrate([("bookings", "0012_rooms_booking_room")])

    rooms = list(
        apps.get_model("bookings", "Booking").objects.values_list("room", flat=True)
    )
    assert len(set(rooms)) == 3
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", room) for room in rooms)


# --- staff pages ------------------------------------------------------------------------


@pytest.mark.usefixtures("rooms_on", "active_price_book")
def test_booking_page_and_prep_sheet_show_the_call_link(amelia, client):
    assessment = AssessmentFactory(company="Engines Ltd")
    UseCaseFactory(assessment=assessment, name="Support summaries")
    assessment_submit(assessment=assessment)
    booking = BookingFactory(consultant=amelia, assessment=assessment)
    client.force_login(superuser_create())

    booking_page = client.get(f"/admin/bookings/booking/{booking.pk}/change/")
    prep_sheet = client.get(f"/admin/advisor/assessment/{assessment.pk}/change/")

    link = room_link(booking)
    assert booking_page.status_code == prep_sheet.status_code == 200
    assert f'<a href="{link}" rel="noreferrer" target="_blank">{link}</a>' in (
        booking_page.text
    )
    assert f'<a href="{link}" rel="noreferrer" target="_blank">Join the call</a>' in (
        prep_sheet.text
    )
