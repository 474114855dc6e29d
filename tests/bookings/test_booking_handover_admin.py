""" "Hand to a colleague" in the admin: who is free and who is busy, a confirmation, and
only for the booking's own consultant or a manager. Staff cancel a call awaiting its
outcome too."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from bookings import services
from bookings.enums import BookingStatus, CancelledBy
from bookings.services import Outcome
from consult.models import OutboundEmail
from consult.timezones import short_label
from tests.factories.bookings import BookingFactory, TimeOffFactory
from tests.helpers.admin_roles import consultant_create, manager_create
from tests.helpers.booking_admin import change_url

pytestmark = pytest.mark.django_db


def url(booking) -> str:
    return f"/admin/bookings/booking/{booking.pk}/hand-over/"


def later():
    return (timezone.now() + timedelta(days=3)).replace(
        minute=0, second=0, microsecond=0
    )


def test_handover_page_offers_free_colleagues_and_shows_the_busy_with_why(client):
    mine = consultant_create(display_name="Amelia Hart")
    free = consultant_create(display_name="Bo Chen")
    off = consultant_create(display_name="Cleo Diaz")
    booking = BookingFactory(consultant=mine, start=later())
    TimeOffFactory(
        consultant=off,
        start=booking.start - timedelta(hours=1),
        end=booking.end + timedelta(hours=1),
        reason="Conference",
    )
    client.force_login(mine.user)

    page = client.get(url(booking))
    change = client.get(change_url(booking))

    html = page.content.decode()
    assert page.status_code == 200
    assert f'name="consultant" value="{free.pk}"' in html
    assert f'name="consultant" value="{off.pk}"' not in html
    assert f'name="consultant" value="{mine.pk}"' not in html
    assert "Cleo Diaz: during time off (Conference)" in html
    assert f"(for them: {short_label(booking.start, free.zone, free.timezone)})" in html
    assert f'href="{url(booking)}"' in change.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_handover_page_reads_a_fixed_number_of_queries(
    client, django_assert_num_queries, count
):
    booking = BookingFactory(consultant=consultant_create(), start=later())
    for _ in range(count):
        colleague = consultant_create()
        TimeOffFactory(consultant=colleague, start=booking.start, end=booking.end)
    client.force_login(manager_create())
    client.get(url(booking))

    # Session, user, group, the booking, permissions (2), the colleagues, the policy,
    # their hours, overrides, time off with calendar busy time, calls, the time off's
    # reasons, the admin's menu (policy saved?) and the booking's consultant.
    with django_assert_num_queries(15):
        response = client.get(url(booking))

    assert response.content.decode().count("during time off (Holiday)") == count


def test_handover_from_the_admin_asks_to_confirm_then_hands_over_and_logs(client):
    mine = consultant_create(display_name="Amelia Hart")
    bo = consultant_create(display_name="Bo Chen")
    booking = BookingFactory(consultant=mine, start=later())
    client.force_login(mine.user)

    review = client.post(url(booking), {"consultant": bo.pk, "reason": "Away"})
    booking.refresh_from_db()
    assert review.status_code == 200
    assert "Hand the call to Bo Chen?" in review.content.decode()
    assert booking.consultant == mine

    done = client.post(
        url(booking), {"consultant": bo.pk, "reason": "Away", "confirm": "True"}
    )

    booking.refresh_from_db()
    assert booking.consultant == bo
    # No longer hers to open: back to her list.
    assert done.status_code == 302
    assert done["Location"] == "/admin/bookings/booking/"
    assert LogEntry.objects.get(object_id=str(booking.pk)).change_message == (
        "Handed from Amelia Hart to Bo Chen: Away"
    )
    assert OutboundEmail.objects.filter(kind="booking_reassigned").count() == 1


def test_manager_hands_any_call_over_and_lands_back_on_it(client):
    booking = BookingFactory(consultant=consultant_create(), start=later())
    bo = consultant_create()
    client.force_login(manager_create())

    done = client.post(url(booking), {"consultant": bo.pk, "confirm": "True"})

    booking.refresh_from_db()
    assert booking.consultant == bo
    assert done["Location"] == change_url(booking)


def test_another_consultant_cannot_hand_over_a_call_that_is_not_theirs(client):
    booking = BookingFactory(consultant=consultant_create(), start=later())
    other = consultant_create()
    client.force_login(other.user)

    page = client.get(url(booking))
    post = client.post(url(booking), {"consultant": other.pk, "confirm": "True"})

    booking.refresh_from_db()
    # Outside their reach a booking answers as if it did not exist (OwnRowsMixin).
    assert (page.status_code, post.status_code) == (404, 404)
    assert booking.consultant != other


def test_handing_to_a_colleague_who_became_busy_is_a_clear_400_not_an_error(client):
    mine = consultant_create()
    bo = consultant_create(display_name="Bo Chen")
    booking = BookingFactory(consultant=mine, start=later())
    BookingFactory(consultant=bo, start=booking.start)
    client.force_login(mine.user)

    response = client.post(url(booking), {"consultant": bo.pk, "confirm": "True"})

    booking.refresh_from_db()
    assert response.status_code == 400
    assert "not free at this time any more" in response.content.decode()
    assert booking.consultant == mine


# --- cancelling a call awaiting its outcome --------------------------------------------


def awaiting(**kwargs):
    start = timezone.now() - timedelta(hours=2)
    return BookingFactory(start=start, status=BookingStatus.AWAITING_OUTCOME, **kwargs)


def test_staff_cancel_a_call_awaiting_its_outcome_without_emailing_anyone():
    booking = awaiting()

    result = services.booking_cancel(
        booking=booking, reason="The consultant was ill.", by=CancelledBy.STAFF
    )

    assert result.outcome == Outcome.CANCELLED
    assert result.emailed is False
    assert result.booking.status == BookingStatus.CANCELLED
    assert result.booking.cancel_reason == "The consultant was ill."
    assert not OutboundEmail.objects.exists()


def test_a_client_cannot_cancel_a_call_awaiting_its_outcome():
    booking = awaiting()

    result = services.booking_cancel(booking=booking, by=CancelledBy.CLIENT)

    assert result.outcome == Outcome.TOO_LATE
    assert result.booking.status == BookingStatus.AWAITING_OUTCOME


def test_cancel_action_cancels_an_awaiting_call_logs_it_and_says_nobody_is_emailed(
    client,
):
    mine = consultant_create()
    booking = awaiting(consultant=mine)
    client.force_login(mine.user)
    data = {"action": "cancel_bookings", "_selected_action": [booking.pk]}

    page = client.post("/admin/bookings/booking/", data)
    done = client.post(
        "/admin/bookings/booking/",
        data | {"confirm": "yes", "reason": "Called off by phone."},
        follow=True,
    )

    booking.refresh_from_db()
    html = page.content.decode()
    assert "already over (awaiting its outcome) is cancelled without emailing" in html
    assert 'value="Cancel 1 booking"' in html
    assert booking.status == BookingStatus.CANCELLED
    assert "Cancelled 1 booking(s)." in done.content.decode()
    assert LogEntry.objects.get(object_id=str(booking.pk)).change_message == (
        "Cancelled: Called off by phone."
    )
    assert not OutboundEmail.objects.exists()
