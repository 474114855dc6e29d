"""Behind proxies: the client's address is the one the trusted proxies saw.

The rate limits and the login lockout read the same address, so a client cannot
dodge a limit by writing its own X-Forwarded-For, and a stranger cannot lock a
consultant out from another address.
"""

import pytest
from django.test import RequestFactory

from consult.http import client_ip

LOGIN = "/admin/login/?next=/admin/"
PROXY = "10.0.0.2"  # the load balancer, as the app sees it


def request_from(forwarded: str | None, remote: str = PROXY):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        # No trusted proxy: the header is the client's own words.
        (0, "203.0.113.7", PROXY),
        (0, None, PROXY),
        # One proxy appends the address it saw: the right-most hop.
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        (1, " 198.51.100.1 ,203.0.113.7 ", "203.0.113.7"),
        # Two proxies: the second from the right; the left is the client's writing.
        (2, "1.1.1.1, 203.0.113.7, 10.0.0.1", "203.0.113.7"),
        (1, "2001:db8::1", "2001:db8::1"),
        # Fewer hops than proxies, or junk where the address should be.
        (2, "203.0.113.7", PROXY),
        (1, "", PROXY),
        (1, "not-an-address", PROXY),
    ],
)
def test_client_ip_reads_the_hop_the_trusted_proxies_wrote(
    settings, trusted, forwarded, expected
):
    settings.TRUSTED_PROXIES = trusted

    assert client_ip(request_from(forwarded)) == expected


@pytest.mark.django_db
def test_rotating_the_left_of_x_forwarded_for_does_not_dodge_the_rate_limit(
    client, settings
):
    settings.TRUSTED_PROXIES = 1
    settings.RATELIMIT_ENABLED = True

    answers = [
        client.post(
            "/assess/",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.7",
            REMOTE_ADDR=PROXY,
        ).status_code
        for i in range(31)
    ]

    assert set(answers[:30]) == {303}
    assert answers[30] == 429


@pytest.mark.django_db
def test_a_stranger_cannot_lock_a_consultant_out(client, settings, django_user_model):
    settings.TRUSTED_PROXIES = 1
    django_user_model.objects.create_user(
        "priya", password="correct-horse-battery", is_staff=True
    )
    stranger = {"HTTP_X_FORWARDED_FOR": "198.51.100.9", "REMOTE_ADDR": PROXY}
    priya = {"HTTP_X_FORWARDED_FOR": "203.0.113.50", "REMOTE_ADDR": PROXY}

    tries = [
        client.post(LOGIN, {"username": "priya", "password": "guess"}, **stranger)
        for _ in range(5)
    ]
    stranger_locked = client.post(
        LOGIN, {"username": "priya", "password": "correct-horse-battery"}, **stranger
    )
    signed_in = client.post(
        LOGIN, {"username": "priya", "password": "correct-horse-battery"}, **priya
    )

    assert tries[-1].status_code == 429
    assert stranger_locked.status_code == 429
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/admin/"
