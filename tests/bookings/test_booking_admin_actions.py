"""The bookings admin's actions: mark completed or no-show, cancel with a reason,
send the confirmation again, and move a call to another free time."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from bookings.enums import BookingStatus, CancelledBy
from bookings.forms import format_start
from consult.models import OutboundEmail
from tests.factories.bookings import BookingFactory, ConsultantFactory
from tests.helpers.admin_roles import consultant_create
from tests.helpers.booking_admin import CHANGELIST, change_url
from tests.helpers.booking_pages import free_starts

pytestmark = pytest.mark.django_db


def log_messages(booking) -> list[str]:
    return list(
        LogEntry.objects.filter(object_id=str(booking.pk))
        .order_by("pk")
        .values_list("change_message", flat=True)
    )


def test_mark_completed_action_completes_started_calls_and_logs_each(client):
    mine = consultant_create()
    begun = BookingFactory(consultant=mine, start=timezone.now() - timedelta(minutes=5))
    ahead = BookingFactory(consultant=mine, start=timezone.now() + timedelta(days=1))
    client.force_login(mine.user)

    response = client.post(
        CHANGELIST,
        {"action": "mark_completed", "_selected_action": [begun.pk, ahead.pk]},
        follow=True,
    )

    begun.refresh_from_db()
    ahead.refresh_from_db()
    html = response.content.decode()
    assert begun.status == BookingStatus.COMPLETED
    assert ahead.status == BookingStatus.CONFIRMED
    assert log_messages(begun) == ["Marked completed."]
    assert log_messages(ahead) == []
    assert LogEntry.objects.get().user == mine.user
    assert "Marked 1 booking(s) completed." in html
    assert "1 booking(s) left as they were" in html


def test_mark_no_show_from_the_booking_page_marks_that_booking(client):
    mine = consultant_create()
    booking = BookingFactory(consultant=mine, start=timezone.now() - timedelta(hours=1))
    client.force_login(mine.user)

    action = {
        "CHANGE_FORM-action": "mark_no_show",
        "_selected_action": [booking.pk],
        "index": "0",
    }
    asked = client.post(change_url(booking), action)
    response = client.post(
        change_url(booking), {**action, "confirm": "yes", "email_client": "on"}
    )

    booking.refresh_from_db()
    assert asked.status_code == 200
    assert 'name="email_client" id="id_email_client" checked' in asked.content.decode()
    assert response.status_code == 302
    assert response["Location"] == change_url(booking)
    assert booking.status == BookingStatus.NO_SHOW
    assert log_messages(booking) == [
        "Marked no-show and emailed the client a link to book again."
    ]


def test_cancel_action_asks_for_a_reason_first(client):
    mine = consultant_create()
    booking = BookingFactory(consultant=mine)
    client.force_login(mine.user)

    page = client.post(
        CHANGELIST + "?when=upcoming",
        {"action": "cancel_bookings", "_selected_action": [booking.pk], "index": "0"},
    )
    empty = client.post(
        CHANGELIST + "?when=upcoming",
        {
            "action": "cancel_bookings",
            "_selected_action": [booking.pk],
            "index": "0",
            "confirm": "yes",
            "reason": "  ",
        },
    )

    html = page.content.decode()
    booking.refresh_from_db()
    assert page.status_code == 200
    assert 'name="reason"' in html
    assert f'<input type="hidden" name="_selected_action" value="{booking.pk}">' in html
    assert '<input type="hidden" name="action" value="cancel_bookings">' in html
    assert 'action="/admin/bookings/booking/?when=upcoming"' in html
    assert "Give the client a reason." in empty.content.decode()
    assert booking.status == BookingStatus.CONFIRMED
    assert OutboundEmail.objects.count() == 0


def test_cancel_action_with_a_reason_cancels_emails_the_client_and_logs(client):
    mine = consultant_create()
    booking = BookingFactory(consultant=mine)
    client.force_login(mine.user)

    with_reason = {
        "action": "cancel_bookings",
        "_selected_action": [booking.pk],
        "index": "0",
        "confirm": "yes",
        "reason": "I am ill; please book another time.",
    }
    response = client.post(CHANGELIST, with_reason)

    booking.refresh_from_db()
    client_email = OutboundEmail.objects.get(kind="booking_cancelled")
    assert response.status_code == 302
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancelled_by == CancelledBy.STAFF
    assert booking.cancel_reason == "I am ill; please book another time."
    assert client_email.to == booking.email
    assert "I am ill; please book another time." in client_email.body_text
    assert sorted(OutboundEmail.objects.values_list("kind", flat=True)) == [
        "booking_cancelled",
        "booking_consultant_cancelled",
    ]
    assert log_messages(booking) == ["Cancelled: I am ill; please book another time."]


def test_cancel_from_the_booking_page_posts_back_to_it(client):
    mine = consultant_create()
    booking = BookingFactory(consultant=mine)
    client.force_login(mine.user)
    action = {
        "CHANGE_FORM-action": "cancel_bookings",
        "_selected_action": [booking.pk],
        "index": "0",
    }

    page = client.post(change_url(booking), action)
    done = client.post(
        change_url(booking), {**action, "confirm": "yes", "reason": "Double-booked."}
    )

    booking.refresh_from_db()
    assert 'name="CHANGE_FORM-action" value="cancel_bookings"' in page.content.decode()
    assert done.status_code == 302
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason == "Double-booked."


def test_resend_confirmation_queues_the_clients_confirmation_again(client):
    mine = consultant_create()
    booking = BookingFactory(consultant=mine)
    past = BookingFactory(consultant=mine, start=timezone.now() - timedelta(days=2))
    old_hashes = list(booking.links.values_list("token_hash", flat=True))
    client.force_login(mine.user)

    response = client.post(
        CHANGELIST,
        {
            "action": "resend_confirmation",
            "_selected_action": [booking.pk, past.pk],
            "index": "0",
        },
        follow=True,
    )

    booking.refresh_from_db()
    email = OutboundEmail.objects.get()
    html = response.content.decode()
    assert (email.kind, email.to) == ("booking_confirmation", booking.email)
    # A further link beside the first, which keeps working.
    assert list(booking.links.values_list("token_hash", flat=True))[:1] == old_hashes
    assert booking.links.count() == 2
    assert log_messages(booking) == ["Resent the confirmation to the client."]
    assert log_messages(past) == []
    assert "Confirmation sent again for 1 booking(s)" in html
    assert "1 booking(s) skipped" in html


def test_cancel_action_cancels_confirmed_bookings_as_staff(admin_client):
    booking = BookingFactory()
    done = BookingFactory(status=BookingStatus.COMPLETED)

    response = admin_client.post(
        "/admin/bookings/booking/",
        {
            "action": "cancel_bookings",
            "_selected_action": [booking.pk, done.pk],
            "confirm": "yes",
            "reason": "The consultant is ill.",
        },
        follow=True,
    )

    booking.refresh_from_db()
    done.refresh_from_db()
    html = response.content.decode()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancelled_by == CancelledBy.STAFF
    assert booking.cancel_reason == "The consultant is ill."
    assert done.status == BookingStatus.COMPLETED
    assert "Cancelled 1 booking(s); 1 client(s) told by email." in html
    assert "1 booking(s) were not active and stay as they were." in html


def test_move_view_offers_times_by_day_with_none_chosen_then_asks_to_confirm(
    admin_client,
):
    consultant = ConsultantFactory(timezone="Europe/London")
    starts = free_starts(consultant)
    booking = BookingFactory(
        consultant=consultant, start=starts[0], client_timezone="Asia/Tokyo"
    )
    url = f"/admin/bookings/booking/{booking.pk}/move/"

    page = admin_client.get(url)
    review = admin_client.post(url, {"start": format_start(starts[4])})
    response = admin_client.post(
        url, {"start": format_start(starts[4]), "confirm": "True"}
    )

    booking.refresh_from_db()
    html = page.content.decode()
    local = starts[4].astimezone(consultant.zone)
    tokyo = starts[4].astimezone(booking.client_zone)
    assert page.status_code == 200
    assert f'type="radio" name="start" value="{format_start(starts[4])}">' in html
    assert " checked" not in html
    assert f"{local:%H:%M} · client {tokyo:%H:%M}" in html
    assert 'class="module move-day"' in html
    assert review.status_code == 200
    assert "Move the call to this time?" in review.content.decode()
    assert f"{local:%a %d %b %Y %H:%M} (Europe/London)" in review.content.decode()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/bookings/booking/{booking.pk}/change/"
    assert booking.start == starts[4]
    assert booking.sequence == 1


def test_move_view_refuses_a_time_that_is_not_free(admin_client):
    consultant = ConsultantFactory()
    starts = free_starts(consultant)
    booking = BookingFactory(consultant=consultant, start=starts[0])
    BookingFactory(consultant=consultant, start=starts[4])

    response = admin_client.post(
        f"/admin/bookings/booking/{booking.pk}/move/",
        {"start": format_start(starts[4]), "confirm": "True"},
    )

    booking.refresh_from_db()
    assert response.status_code == 400
    assert booking.start == starts[0]


def test_move_view_without_a_time_says_so_beside_the_times(admin_client):
    consultant = ConsultantFactory()
    booking = BookingFactory(consultant=consultant, start=free_starts(consultant)[0])

    response = admin_client.post(f"/admin/bookings/booking/{booking.pk}/move/", {})

    assert response.status_code == 400
    assert "Pick the new time first." in response.content.decode()


def test_move_view_logs_the_move_and_emails_the_client(client):
    mine = consultant_create()
    starts = free_starts(mine)
    booking = BookingFactory(consultant=mine, start=starts[0])
    client.force_login(mine.user)

    response = client.post(
        f"/admin/bookings/booking/{booking.pk}/move/",
        {"start": format_start(starts[3]), "confirm": "True"},
    )

    booking.refresh_from_db()
    local = starts[3].astimezone(mine.zone)
    assert response.status_code == 302
    assert booking.start == starts[3]
    assert log_messages(booking) == [
        f"Moved to {local:%a %d %b %Y %H:%M} (Europe/London)."
    ]
    assert "booking_moved" in OutboundEmail.objects.values_list("kind", flat=True)
