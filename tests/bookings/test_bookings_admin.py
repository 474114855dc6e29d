"""The bookings admin: roles, actions, and the small services behind the actions."""

import importlib
from datetime import UTC, datetime, time, timedelta

import pytest
from django.apps import apps
from django.contrib import admin as django_admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from bookings import services
from bookings.forms import format_start
from bookings.models import Booking, BookingStatus, CancelledBy
from bookings.services import AssessmentLink, Outcome
from consult.models import OutboundEmail
from tests.factories.advisor import AssessmentFactory
from tests.factories.bookings import (
    BookingFactory,
    ConsultantFactory,
    StaffUserFactory,
)
from tests.helpers.admin_roles import (
    ROLES,
    consultant_create,
    manager_create,
    staff_groups_create,
    user_for,
)
from tests.helpers.booking_pages import free_starts

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


# --- The assessment a booking came from ---------------------------------------------


def test_booking_create_links_the_assessment_it_came_from():
    assessment = AssessmentFactory()
    ConsultantFactory()

    result = services.booking_create(
        start=NOW + timedelta(days=2),
        name="Grace Hopper",
        email="grace@example.com",
        consent=True,
        assessment=AssessmentLink(reference=str(assessment.pk), stack="api"),
        now=NOW,
    )

    assert result.outcome == Outcome.CREATED
    assert result.booking.assessment == assessment
    assert result.booking.assessment_ref == str(assessment.pk)


@pytest.mark.parametrize("reference", ["999999", "not-a-number", ""])
def test_booking_create_with_an_unknown_assessment_books_without_a_link(reference):
    ConsultantFactory()

    result = services.booking_create(
        start=NOW + timedelta(days=2),
        name="Grace Hopper",
        email="grace@example.com",
        consent=True,
        assessment=AssessmentLink(reference=reference),
        now=NOW,
    )

    assert result.outcome == Outcome.CREATED
    assert result.booking.assessment is None
    assert result.booking.assessment_ref == reference


def test_migration_links_existing_bookings_by_their_reference():
    assessment = AssessmentFactory()
    linked = BookingFactory(assessment_ref=str(assessment.pk))
    gone = BookingFactory(assessment_ref="424242")
    odd = BookingFactory(assessment_ref="abc")
    migration = importlib.import_module("bookings.migrations.0003_booking_assessment")

    migration.link_assessments(apps, None)

    assert list(Booking.objects.order_by("pk").values_list("pk", "assessment_id")) == [
        (linked.pk, assessment.pk),
        (gone.pk, None),
        (odd.pk, None),
    ]


def test_deleting_an_assessment_keeps_its_bookings():
    assessment = AssessmentFactory()
    reference = str(assessment.pk)
    booking = BookingFactory(assessment=assessment, assessment_ref=reference)

    assessment.delete()

    booking.refresh_from_db()
    assert booking.assessment is None
    assert booking.assessment_ref == reference


# --- Completed and no-show ------------------------------------------------------------


def started(status=BookingStatus.CONFIRMED, **kwargs):
    return BookingFactory(start=NOW - timedelta(minutes=10), status=status, **kwargs)


def test_booking_mark_completed_after_the_start_completes_it():
    booking = started()

    changed = services.booking_mark_completed(booking=booking, now=NOW)

    booking.refresh_from_db()
    assert changed is True
    assert booking.status == BookingStatus.COMPLETED
    assert booking.updated_at == NOW


def test_booking_mark_no_show_corrects_a_booking_marked_completed():
    booking = started(BookingStatus.COMPLETED)

    changed = services.booking_mark_no_show(booking=booking, now=NOW)

    booking.refresh_from_db()
    assert changed is True
    assert booking.status == BookingStatus.NO_SHOW


@pytest.mark.parametrize(
    "mark", [services.booking_mark_completed, services.booking_mark_no_show]
)
def test_booking_mark_refuses_a_cancelled_booking(mark):
    booking = started(BookingStatus.CANCELLED)

    assert mark(booking=booking, now=NOW) is False
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


@pytest.mark.parametrize(
    "mark", [services.booking_mark_completed, services.booking_mark_no_show]
)
def test_booking_mark_refuses_a_meeting_that_has_not_begun(mark):
    booking = BookingFactory(start=NOW + timedelta(minutes=5))

    assert mark(booking=booking, now=NOW) is False
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


# --- Roles ------------------------------------------------------------------------------

CHANGELIST = "/admin/bookings/booking/"


def change_url(booking) -> str:
    return f"/admin/bookings/booking/{booking.pk}/change/"


def test_staff_groups_hold_the_permissions_of_each_role():
    manager_create()  # the groups exist, even after a browser test emptied the database
    consultants = Group.objects.get(name="Consultants")
    managers = Group.objects.get(name="Managers")

    granted = sorted(
        f"{p.content_type.app_label}.{p.codename}"
        for p in consultants.permissions.select_related("content_type")
    )

    assert granted == [
        "advisor.change_assessment",
        "advisor.view_assessment",
        "advisor.view_recommendation",
        "advisor.view_usecase",
        "bookings.add_dateoverride",
        "bookings.add_timeoff",
        "bookings.add_weeklyhours",
        "bookings.change_booking",
        "bookings.change_dateoverride",
        "bookings.change_timeoff",
        "bookings.change_weeklyhours",
        "bookings.delete_dateoverride",
        "bookings.delete_timeoff",
        "bookings.delete_weeklyhours",
        "bookings.view_booking",
        "bookings.view_consultant",
        "bookings.view_dateoverride",
        "bookings.view_timeoff",
        "bookings.view_weeklyhours",
    ]
    assert managers.permissions.count() == 44
    assert set(
        managers.permissions.values_list("content_type__app_label", flat=True)
    ) == {"advisor", "bookings", "consult"}


def test_staff_groups_migration_run_again_adds_nothing_twice():
    manager_create()
    before = Group.objects.get(name="Managers").permissions.count()

    staff_groups_create()

    assert Group.objects.filter(name__in=["Consultants", "Managers"]).count() == 2
    assert Group.objects.get(name="Managers").permissions.count() == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("count", [1, 3])
def test_booking_changelist_queries_do_not_grow_with_rows(
    client, django_assert_num_queries, role, count
):
    mine = consultant_create()
    for hours in range(count):
        BookingFactory(
            consultant=mine,
            assessment=AssessmentFactory(),
            start=timezone.now() + timedelta(days=2, hours=hours),
        )
    client.force_login(user_for(role, mine))
    # Caches filled once per process (content types, templates) do not count.
    client.get(CHANGELIST)

    with django_assert_num_queries(CHANGELIST_QUERIES[role]):
        response = client.get(CHANGELIST)

    assert response.status_code == 200
    assert response.context["cl"].result_count == count


# Session, user, permissions (groups for a Manager), counts, rows, filters.
CHANGELIST_QUERIES = {"superuser": 7, "manager": 10, "consultant": 8}


@pytest.mark.parametrize("role", ROLES)
def test_booking_change_page_renders_for_each_role(client, role):
    mine = consultant_create(timezone="Asia/Kolkata")
    assessment = AssessmentFactory()
    booking = BookingFactory(consultant=mine, assessment=assessment)
    client.force_login(user_for(role, mine))

    response = client.get(change_url(booking))

    html = response.content.decode()
    local = booking.start.astimezone(mine.zone)
    assert response.status_code == 200
    assert f"{local:%a %d %b %Y %H:%M} (Asia/Kolkata)" in html
    assert f'href="/admin/advisor/assessment/{assessment.pk}/change/"' in html
    assert f'href="/admin/bookings/booking/{booking.pk}/move/"' in html
    assert '<option value="mark_completed">Mark this call completed</option>' in html
    assert 'name="_save"' not in html


def test_consultant_sees_only_their_own_bookings_and_no_consultant_filter(client):
    mine = consultant_create()
    own = BookingFactory(consultant=mine)
    BookingFactory(consultant=consultant_create())
    client.force_login(mine.user)

    response = client.get(CHANGELIST)

    assert list(response.context["cl"].result_list) == [own]
    assert "By consultant" not in response.content.decode()


def test_manager_sees_every_consultants_bookings(client):
    BookingFactory(consultant=consultant_create())
    BookingFactory(consultant=consultant_create())
    client.force_login(manager_create())

    response = client.get(CHANGELIST)

    assert response.context["cl"].result_count == 2
    assert "By consultant" in response.content.decode()


@pytest.mark.parametrize("suffix", ["change/", "move/", "history/", "delete/"])
def test_consultant_opening_another_consultants_booking_by_url_gets_404(client, suffix):
    mine = consultant_create()
    theirs = BookingFactory(consultant=consultant_create())
    client.force_login(mine.user)

    response = client.get(f"/admin/bookings/booking/{theirs.pk}/{suffix}")

    assert response.status_code == 404


def test_consultant_action_on_another_consultants_booking_changes_nothing(client):
    mine = consultant_create()
    theirs = started(consultant=consultant_create())
    client.force_login(mine.user)

    client.post(
        CHANGELIST, {"action": "mark_completed", "_selected_action": [theirs.pk]}
    )

    theirs.refresh_from_db()
    assert theirs.status == BookingStatus.CONFIRMED
    assert LogEntry.objects.count() == 0


def test_staff_without_a_consultant_profile_or_group_sees_no_bookings(client):
    BookingFactory()
    user = StaffUserFactory(username="helper")
    user.user_permissions.set(Permission.objects.filter(codename="view_booking"))
    client.force_login(user)

    response = client.get(CHANGELIST)

    assert response.context["cl"].result_count == 0


def test_booking_list_puts_upcoming_calls_first_then_past_ones_latest_first(
    admin_client,
):
    now = timezone.now()
    consultant = ConsultantFactory()
    long_ago = BookingFactory(
        consultant=consultant,
        start=now - timedelta(days=9),
        status=BookingStatus.COMPLETED,
    )
    later = BookingFactory(consultant=consultant, start=now + timedelta(days=5))
    yesterday = BookingFactory(
        consultant=consultant,
        start=now - timedelta(days=1),
        status=BookingStatus.COMPLETED,
    )
    soon = BookingFactory(consultant=consultant, start=now + timedelta(days=1))

    everything = admin_client.get(CHANGELIST).context["cl"].result_list
    upcoming = admin_client.get(CHANGELIST + "?when=upcoming").context["cl"]
    past = admin_client.get(CHANGELIST + "?when=past").context["cl"]

    assert list(everything) == [soon, later, yesterday, long_ago]
    assert list(upcoming.result_list) == [soon, later]
    assert list(past.result_list) == [yesterday, long_ago]


def test_booking_list_filters_by_a_date_range(admin_client):
    consultant = ConsultantFactory()
    first = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    BookingFactory(consultant=consultant, start=first)
    inside = BookingFactory(consultant=consultant, start=first + timedelta(days=2))
    BookingFactory(consultant=consultant, start=first + timedelta(days=5))

    response = admin_client.get(
        CHANGELIST + "?start__date__gte=2027-03-02&start__date__lte=2027-03-04"
    )
    open_ended = admin_client.get(
        CHANGELIST + "?start__date__gte=2027-03-05&start__date__lte="
    )

    html = response.content.decode()
    assert list(response.context["cl"].result_list) == [inside]
    assert 'name="start__date__gte" value="2027-03-02"' in html
    assert open_ended.context["cl"].result_count == 1


def test_bookings_cannot_be_deleted_while_confirmed(admin_client):
    booking = BookingFactory()
    done = BookingFactory(status=BookingStatus.COMPLETED)

    assert (
        admin_client.get(f"/admin/bookings/booking/{booking.pk}/delete/").status_code
        == 403
    )
    assert (
        admin_client.get(f"/admin/bookings/booking/{done.pk}/delete/").status_code
        == 200
    )


# --- Actions ------------------------------------------------------------------------------


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

    response = client.post(
        change_url(booking),
        {
            "CHANGE_FORM-action": "mark_no_show",
            "_selected_action": [booking.pk],
            "index": "0",
        },
    )

    booking.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == change_url(booking)
    assert booking.status == BookingStatus.NO_SHOW
    assert log_messages(booking) == ["Marked no-show."]


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
    old_hash = booking.manage_token_hash
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
    assert booking.manage_token_hash != old_hash
    assert log_messages(booking) == ["Resent the confirmation to the client."]
    assert log_messages(past) == []
    assert "Confirmation sent again for 1 booking(s)" in html
    assert "1 booking(s) skipped" in html


def test_move_view_logs_the_move_and_emails_the_client(client):
    mine = consultant_create()
    starts = free_starts(mine)
    booking = BookingFactory(consultant=mine, start=starts[0])
    client.force_login(mine.user)

    response = client.post(
        f"/admin/bookings/booking/{booking.pk}/move/",
        {"start": format_start(starts[3])},
    )

    booking.refresh_from_db()
    local = starts[3].astimezone(mine.zone)
    assert response.status_code == 302
    assert booking.start == starts[3]
    assert log_messages(booking) == [
        f"Moved to {local:%a %d %b %Y %H:%M} (Europe/London)."
    ]
    assert "booking_moved" in OutboundEmail.objects.values_list("kind", flat=True)


# --- Consultants and their availability -------------------------------------------------


def hours_post(consultant, rows) -> dict:
    data = {
        "weekly_hours-TOTAL_FORMS": str(len(rows)),
        "weekly_hours-INITIAL_FORMS": "0",
        "date_overrides-TOTAL_FORMS": "0",
        "date_overrides-INITIAL_FORMS": "0",
        "time_off-TOTAL_FORMS": "0",
        "time_off-INITIAL_FORMS": "0",
        "display_name": "Renamed",
        "timezone": "Asia/Tokyo",
    }
    for n, (weekday, start, end) in enumerate(rows):
        data |= {
            f"weekly_hours-{n}-weekday": str(weekday),
            f"weekly_hours-{n}-start": start,
            f"weekly_hours-{n}-end": end,
            f"weekly_hours-{n}-consultant": str(consultant.pk),
        }
    return data


def test_consultant_manages_their_own_hours_but_not_their_profile(client):
    mine = consultant_create(
        hours={}, display_name="Amelia Hart", timezone="Europe/London"
    )
    client.force_login(mine.user)
    url = f"/admin/bookings/consultant/{mine.pk}/change/"

    page = client.get(url)
    response = client.post(url, hours_post(mine, [(0, "09:00", "12:00")]))

    mine.refresh_from_db()
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="weekly_hours-TOTAL_FORMS"' in html
    assert 'name="display_name"' not in html
    assert response.status_code == 302
    assert list(mine.weekly_hours.values_list("weekday", "start", "end")) == [
        (0, time(9, 0), time(12, 0))
    ]
    assert (mine.display_name, mine.timezone) == ("Amelia Hart", "Europe/London")


def test_consultant_cannot_open_another_consultants_profile(client):
    mine = consultant_create()
    theirs = consultant_create()
    client.force_login(mine.user)

    listing = client.get("/admin/bookings/consultant/")
    other = client.get(f"/admin/bookings/consultant/{theirs.pk}/change/")

    assert list(listing.context["cl"].result_list) == [mine]
    assert other.status_code == 404


def test_consultant_cannot_see_the_booking_policy_or_price_books(client):
    mine = consultant_create()
    client.force_login(mine.user)

    assert client.get("/admin/bookings/bookingpolicy/").status_code == 403
    assert client.get("/admin/advisor/pricebook/").status_code == 403
    assert client.get("/admin/consult/outboundemail/").status_code == 403


def test_manager_edits_any_consultants_profile(client):
    consultant = consultant_create(hours={})
    client.force_login(manager_create())
    url = f"/admin/bookings/consultant/{consultant.pk}/change/"

    response = client.post(
        url, {**hours_post(consultant, []), "user": str(consultant.user.pk)}
    )

    consultant.refresh_from_db()
    assert response.status_code == 302
    assert (consultant.display_name, consultant.timezone) == ("Renamed", "Asia/Tokyo")


def test_booking_times_in_the_repeated_autumn_hour_say_which_one():
    booking_admin = django_admin.site._registry[Booking]
    # New York's clocks go back at 06:00 UTC on 7 November 2027: 01:30 happens twice.
    first, second = (
        BookingFactory(
            start=datetime(2027, 11, 7, hour, 30, tzinfo=UTC),
            consultant__timezone="America/New_York",
            client_timezone="America/New_York",
        )
        for hour in (5, 6)
    )

    assert [booking_admin.client_time(b) for b in (first, second)] == [
        "Sun 07 Nov 2027 01:30 EDT (America/New_York)",
        "Sun 07 Nov 2027 01:30 EST (America/New_York)",
    ]
    assert "01:30 EDT (America/New_York)</time>" in booking_admin.when(first)


def test_weekly_hours_row_without_a_weekday_is_an_error_beside_it(client):
    mine = consultant_create(hours={}, timezone="Europe/London")
    client.force_login(mine.user)

    response = client.post(
        f"/admin/bookings/consultant/{mine.pk}/change/",
        hours_post(mine, [("", "09:00", "12:00")]),
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not mine.weekly_hours.exists()


def test_time_off_typed_in_the_consultants_zone_is_logged_in_utc(client):
    mine = consultant_create(hours={}, timezone="Asia/Tokyo")
    client.force_login(mine.user)  # the admin shows Asia/Tokyo
    data = hours_post(mine, []) | {
        "time_off-TOTAL_FORMS": "1",
        "time_off-0-start_0": "2027-03-01",
        "time_off-0-start_1": "09:00",
        "time_off-0-end_0": "2027-03-01",
        "time_off-0-end_1": "17:00",
        "time_off-0-consultant": str(mine.pk),
    }

    response = client.post(f"/admin/bookings/consultant/{mine.pk}/change/", data)

    assert response.status_code == 302
    assert mine.time_off.get().start == datetime(2027, 3, 1, 0, 0, tzinfo=UTC)
    message = LogEntry.objects.get().get_change_message()
    assert "2027-03-01 00:00 to 2027-03-01 08:00 UTC" in message
