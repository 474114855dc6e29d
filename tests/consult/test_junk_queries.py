"""A query string no page can use gets a 400 with a plain reason, never a 500."""

import pytest

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "/admin/bookings/booking/",
    "/admin/advisor/assessment/",
    "/admin/consult/outboundemail/",
]


@pytest.mark.parametrize("url", CHANGELISTS)
@pytest.mark.parametrize(
    "query",
    [
        "status__exact=%00",
        "q=%00",
        "created_at__year=-1",
        "created_at__year=99999",
        "created_at__year=abc",
        "created_at__month=13",
        "start__day=0",
    ],
)
def test_admin_filters_answer_400_to_junk(admin_client, url, query):
    response = admin_client.get(f"{url}?{query}")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("url", CHANGELISTS)
def test_admin_filters_with_real_dates_still_work(admin_client, url):
    response = admin_client.get(f"{url}?created_at__year=2026&created_at__month=12")

    assert response.status_code in {200, 302}


def test_a_public_page_answers_400_to_a_nul_in_its_query(client):
    response = client.get("/book/?tz=%00")

    assert response.status_code == 400
    assert b"not allowed" in response.content


def test_a_public_page_is_not_judged_by_admin_date_rules(client):
    response = client.get("/book/?week__year=-1")

    assert response.status_code == 200
