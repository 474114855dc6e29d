import pytest
from django.contrib.auth.models import Permission
from django.forms import inlineformset_factory

from bookings.admin import DateOverrideFormSet, WeeklyHoursFormSet
from bookings.forms import format_start
from bookings.models import (
    Booking,
    BookingStatus,
    CancelledBy,
    Consultant,
    DateOverride,
    WeeklyHours,
)
from tests.factories.bookings import (
    BookingFactory,
    BookingPolicyFactory,
    ConsultantFactory,
    StaffUserFactory,
)
from tests.helpers.booking_pages import free_starts

pytestmark = pytest.mark.django_db


def test_booking_list_shows_upcoming_times_in_the_consultants_zone(admin_client):
    booking = BookingFactory(consultant__timezone="Asia/Kolkata")

    response = admin_client.get("/admin/bookings/booking/")

    local = booking.start.astimezone(booking.consultant.zone)
    assert response.status_code == 200
    assert f"{local:%a %d %b %Y %H:%M} (Asia/Kolkata)" in response.content.decode()


def test_booking_list_for_a_consultant_shows_only_their_bookings(client):
    mine = BookingFactory()
    BookingFactory()
    user = mine.consultant.user
    user.is_superuser = True
    user.save()
    # A superuser sees everything; a consultant without that flag sees their own.
    client.force_login(user)
    assert client.get("/admin/bookings/booking/").context["cl"].result_count == 2
    user.is_superuser = False
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_booking", "change_booking"])
    )

    response = client.get("/admin/bookings/booking/")

    assert list(response.context["cl"].result_list) == [mine]


def test_consultant_change_page_has_hours_overrides_and_time_off(admin_client):
    consultant = ConsultantFactory(expertise=["api"])

    html = admin_client.get(
        f"/admin/bookings/consultant/{consultant.pk}/change/"
    ).content.decode()

    assert 'name="weekly_hours-TOTAL_FORMS"' in html
    assert 'name="date_overrides-TOTAL_FORMS"' in html
    assert 'name="time_off-TOTAL_FORMS"' in html
    assert 'type="checkbox" name="expertise" value="api"' in html


def hours_formset(consultant, rows):
    formset_class = inlineformset_factory(
        Consultant,
        WeeklyHours,
        formset=WeeklyHoursFormSet,
        fields=["weekday", "start", "end"],
        extra=len(rows),
    )
    data = {
        "weekly_hours-TOTAL_FORMS": str(len(rows)),
        "weekly_hours-INITIAL_FORMS": "0",
    }
    for n, (weekday, start, end) in enumerate(rows):
        data |= {
            f"weekly_hours-{n}-weekday": str(weekday),
            f"weekly_hours-{n}-start": start,
            f"weekly_hours-{n}-end": end,
        }
    return formset_class(data, instance=consultant, prefix="weekly_hours")


def test_weekly_hours_that_overlap_on_one_day_are_refused():
    consultant = ConsultantFactory(hours={})

    overlapping = hours_formset(
        consultant, [(0, "09:00", "12:00"), (0, "11:00", "13:00")]
    )
    touching = hours_formset(consultant, [(0, "09:00", "12:00"), (0, "12:00", "00:00")])

    assert not overlapping.is_valid()
    assert overlapping.non_form_errors() == ["Monday: two ranges overlap."]
    assert touching.is_valid()


def test_a_date_override_cannot_be_a_day_off_and_have_hours():
    consultant = ConsultantFactory(hours={})
    formset_class = inlineformset_factory(
        Consultant,
        DateOverride,
        formset=DateOverrideFormSet,
        fields=["date", "start", "end"],
        extra=2,
    )
    formset = formset_class(
        {
            "o-TOTAL_FORMS": "2",
            "o-INITIAL_FORMS": "0",
            "o-0-date": "2027-03-01",
            "o-1-date": "2027-03-01",
            "o-1-start": "09:00",
            "o-1-end": "10:00",
        },
        instance=consultant,
        prefix="o",
    )

    assert not formset.is_valid()
    assert formset.non_form_errors() == [
        "2027-03-01: a day off cannot also have hours. Remove one of them."
    ]


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


def test_move_view_moves_the_booking_to_a_free_time(admin_client):
    consultant = ConsultantFactory()
    starts = free_starts(consultant)
    booking = BookingFactory(consultant=consultant, start=starts[0])
    url = f"/admin/bookings/booking/{booking.pk}/move/"

    page = admin_client.get(url)
    response = admin_client.post(url, {"start": format_start(starts[4])})

    booking.refresh_from_db()
    assert page.status_code == 200
    assert f'<option value="{format_start(starts[4])}">' in page.content.decode()
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
        {"start": format_start(starts[4])},
    )

    booking.refresh_from_db()
    assert response.status_code == 200
    assert booking.start == starts[0]


def test_bookings_cannot_be_added_in_the_admin(admin_client):
    assert admin_client.get("/admin/bookings/booking/add/").status_code == 403


def test_booking_policy_has_one_row_in_the_admin(admin_client):
    BookingPolicyFactory()

    assert admin_client.get("/admin/bookings/bookingpolicy/add/").status_code == 403
    assert (
        admin_client.get("/admin/bookings/bookingpolicy/1/change/").status_code == 200
    )
    assert Booking.objects.count() == 0
    assert StaffUserFactory._meta.model.objects.filter(is_superuser=True).count() == 1
