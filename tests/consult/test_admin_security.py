import pytest

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
