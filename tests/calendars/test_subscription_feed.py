"""The private subscription feed: the consultant's calls with the invitation's UIDs and
the prep sheet link, no client private link, a hashed token that rotates."""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from bookings.enums import BookingStatus
from calendars import services
from calendars.models import CalendarSubscription
from consult.tokens import private_links_masked, token_hash
from tests.calendars.staff import calendar_consultant
from tests.factories.advisor import AssessmentFactory
from tests.factories.bookings import BookingFactory, ConsultantFactory

pytestmark = pytest.mark.django_db


def feed(client, token):
    return client.get(f"/calendar/{token}.ics")


def test_subscription_feed_lists_the_consultants_calls_with_the_invites_uids(client):
    consultant = ConsultantFactory()
    soon = timezone.now() + timedelta(days=2)
    assessment = AssessmentFactory()
    booking = BookingFactory(
        consultant=consultant,
        start=soon,
        end=soon + timedelta(minutes=30),
        assessment=assessment,
        manage_link_in_calendar=True,
    )
    BookingFactory(
        consultant=consultant,
        start=soon + timedelta(days=1),
        end=soon + timedelta(days=1, minutes=30),
        status=BookingStatus.CANCELLED,
    )
    BookingFactory(start=soon, end=soon + timedelta(minutes=30))  # someone else's
    token = services.subscription_rotate(consultant=consultant)

    response = feed(client, token)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(event["UID"]) for event in events] == [f"{booking.uid}@consult"]
    description = str(events[0]["DESCRIPTION"])
    assert (
        f"Prep sheet: http://testserver/admin/advisor/assessment/{assessment.pk}/change/"
        in description
    )
    assert "/book/manage/" not in response.content.decode()


def test_subscription_token_is_stored_hashed_and_rotation_retires_the_old_one(client):
    consultant = ConsultantFactory()
    old = services.subscription_rotate(consultant=consultant)

    new = services.subscription_rotate(consultant=consultant)

    stored = CalendarSubscription.objects.get(consultant=consultant)
    assert stored.token_hash == token_hash(new)
    assert feed(client, old).status_code == 404
    assert feed(client, new).status_code == 200


def test_subscription_feed_unknown_token_is_404(client):
    assert feed(client, "x" * 43).status_code == 404
    assert feed(client, "x" * 200).status_code == 404


def test_subscription_token_is_masked_in_logs():
    assert (
        private_links_masked("GET /calendar/" + "a" * 43 + ".ics")
        == "GET /calendar/[private].ics"
    )


def test_consultant_makes_their_subscription_in_the_admin_and_sees_the_link_once(
    client,
):
    consultant = calendar_consultant()
    client.force_login(consultant.user)

    response = client.post(
        "/admin/calendars/calendarsubscription/add/", {}, follow=True
    )

    shown = [
        str(message)
        for message in response.context["messages"]
        if "webcal://" in str(message)
    ]
    assert len(shown) == 1
    token = shown[0].split("webcal://testserver/calendar/")[1].split(".ics")[0]
    assert CalendarSubscription.objects.get().token_hash == token_hash(token)
    assert CalendarSubscription.objects.get().consultant == consultant
    assert (
        token
        not in client.get("/admin/calendars/calendarsubscription/").content.decode()
    )
