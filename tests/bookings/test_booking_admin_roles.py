"""Who sees which bookings in the admin: the staff groups' permissions, and each
role's list and booking page."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from bookings.enums import BookingStatus
from tests.factories.advisor import AssessmentFactory
from tests.factories.bookings import BookingFactory, StaffUserFactory
from tests.helpers.admin_roles import (
    ROLES,
    consultant_create,
    manager_create,
    staff_groups_create,
    user_for,
)
from tests.helpers.booking_admin import CHANGELIST, change_url, started

pytestmark = pytest.mark.django_db


def test_staff_groups_hold_the_permissions_of_each_role():
    manager_create()  # the groups exist, even after a browser test emptied the database
    consultants = Group.objects.get(name="Consultants")
    managers = Group.objects.get(name="Managers")

    # The apps above grant their own (tests/calendars).
    granted = sorted(
        f"{p.content_type.app_label}.{p.codename}"
        for p in consultants.permissions.select_related("content_type").filter(
            content_type__app_label__in=["advisor", "bookings", "consult"]
        )
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
        "consult.view_outboundemail",
    ]
    # Every permission on the product's models (notes are written through their
    # assessment's or booking's pages), and unlocking staff accounts (axes).
    own = managers.permissions.filter(
        content_type__app_label__in=["advisor", "bookings", "consult"]
    )
    assert own.count() == 44
    assert set(
        managers.permissions.values_list("content_type__app_label", flat=True)
    ) == {"advisor", "api", "axes", "bookings", "calendars", "consult", "webhooks"}


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
