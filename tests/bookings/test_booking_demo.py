import pytest
from django.contrib.auth import get_user_model

from bookings import demo
from bookings.models import BookingPolicy, Consultant, WeeklyHours
from tests.helpers.admin_roles import staff_groups_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_var_dir(settings, tmp_path):
    # The shared consultant password is kept next to the database; not the real one.
    settings.VAR_DIR = tmp_path
    # The migration's groups, gone if a browser test emptied a reused database.
    staff_groups_create()


def test_demo_load_creates_four_consultants_in_four_zones_and_the_policy():
    lines = demo.load()

    assert sorted(Consultant.objects.values_list("timezone", flat=True)) == [
        "America/New_York",
        "Asia/Kolkata",
        "Europe/Berlin",
        "Europe/London",
    ]
    assert BookingPolicy.objects.count() == 1
    assert WeeklyHours.objects.count() == 40
    assert lines[0] == (
        "Booking policy: 30-minute calls, 12 h notice, 30 days ahead (created)"
    )
    assert all(c.user.is_staff for c in Consultant.objects.select_related("user"))


def test_demo_consultants_sign_in_with_one_shared_password_as_consultants(settings):
    lines = demo.load()

    password = (settings.VAR_DIR / demo.PASSWORD_FILE).read_text().strip()
    users = [c.user for c in Consultant.objects.select_related("user")]
    assert lines[-1] == (
        "Consultants sign in to the admin as amelia, marcus, priya, jonas, and the "
        f"managing partner as morgan, with password {password!r} (kept in "
        "var/demo-consultant-password.txt)"
    )
    assert all(user.check_password(password) for user in users)
    assert all(
        list(user.groups.values_list("name", flat=True)) == ["Consultants"]
        for user in users
    )


def test_demo_consultants_each_have_a_meeting_link_that_a_change_keeps():
    demo.load()
    Consultant.objects.filter(user__username="priya").update(
        meeting_url="https://meet.example.com/priya"
    )

    demo.load()

    assert dict(Consultant.objects.values_list("user__username", "meeting_url")) == {
        "amelia": "https://meet.jit.si/consult-demo-amelia",
        "marcus": "https://meet.jit.si/consult-demo-marcus",
        "priya": "https://meet.example.com/priya",
        "jonas": "https://meet.jit.si/consult-demo-jonas",
    }


def test_demo_load_twice_changes_nothing():
    demo.load()
    before = list(Consultant.objects.values_list("pk", "display_name", "expertise"))
    hashes = list(Consultant.objects.values_list("user__password", flat=True))

    lines = demo.load()

    assert (
        list(Consultant.objects.values_list("pk", "display_name", "expertise"))
        == before
    )
    assert WeeklyHours.objects.count() == 40
    assert list(Consultant.objects.values_list("user__password", flat=True)) == hashes
    assert lines[0] == "Booking policy: 30-minute calls, 12 h notice, 30 days ahead"


def test_demo_managing_partner_signs_in_as_a_manager_who_takes_no_calls(settings):
    demo.load()
    demo.load()

    password = (settings.VAR_DIR / demo.PASSWORD_FILE).read_text().strip()
    morgan = get_user_model().objects.get(username="morgan")
    assert morgan.is_staff
    assert not morgan.is_superuser
    assert morgan.check_password(password)
    assert list(morgan.groups.values_list("name", flat=True)) == ["Managers"]
    assert not Consultant.objects.filter(user=morgan).exists()
