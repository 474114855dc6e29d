import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.helpers.admin_roles import consultant_create, manager_create

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        "consultant", password="correct-horse-battery", is_staff=True
    )


def test_admin_login_locks_out_after_five_failures(client, staff):
    for _ in range(4):
        failed = client.post(LOGIN, {"username": "consultant", "password": "wrong"})
        assert failed.status_code == 200
    fifth = client.post(LOGIN, {"username": "consultant", "password": "wrong"})

    locked = client.post(
        LOGIN, {"username": "consultant", "password": "correct-horse-battery"}
    )

    assert fifth.status_code == 429
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_page_says_how_long_and_whom_to_ask(client, staff, settings):
    settings.STAFF_CONTACT_EMAIL = "ops@consult.example"
    for _ in range(5):
        client.post(LOGIN, {"username": "consultant", "password": "wrong"})

    locked = client.post(
        LOGIN, {"username": "consultant", "password": "correct-horse-battery"}
    )

    html = locked.content.decode()
    assert locked.status_code == 429
    assert "for 1 hour, counted from the last try" in html
    assert (
        "There were 5 wrong passwords in a row for <strong>consultant</strong>" in html
    )
    assert '<a href="mailto:ops@consult.example">ops@consult.example</a>' in html
    assert locked["Cache-Control"] == "private, no-store"


def test_a_manager_unlocks_a_locked_out_consultant(client, staff):
    for _ in range(5):
        client.post(LOGIN, {"username": "consultant", "password": "wrong"})
    attempt = AccessAttempt.objects.get(username="consultant")
    manager = Client()
    manager.force_login(manager_create())

    listing = manager.get("/admin/axes/accessattempt/?locked_out=yes")
    unlocked = manager.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    signed_in = client.post(
        LOGIN, {"username": "consultant", "password": "correct-horse-battery"}
    )

    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [attempt]
    assert unlocked.status_code == 302
    assert signed_in.status_code == 302


def test_a_consultant_cannot_unlock_accounts(client):
    client.force_login(consultant_create().user)

    assert client.get("/admin/axes/accessattempt/").status_code == 403


def test_admin_login_works_with_the_right_password(client, staff):
    response = client.post(
        LOGIN, {"username": "consultant", "password": "correct-horse-battery"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_admin_is_closed_to_anonymous_visitors(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"
