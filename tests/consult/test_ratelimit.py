import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from consult.ratelimit import Rate, ratelimit


@ratelimit(scope="test", per_ip="3/h", per_email="2/h")
def view(request):
    return HttpResponse("ok")


@pytest.fixture
def rf():
    return RequestFactory()


def test_rate_parse():
    assert Rate.parse("10/m") == Rate(10, 60)
    assert Rate.parse("3/h") == Rate(3, 3600)


def test_ratelimit_per_ip_answers_429_with_retry_after(rf):
    statuses = [
        view(rf.post("/x", REMOTE_ADDR="10.0.0.1")).status_code for _ in range(4)
    ]
    other_ip = view(rf.post("/x", REMOTE_ADDR="10.0.0.2"))

    assert statuses == [200, 200, 200, 429]
    assert other_ip.status_code == 200
    limited = view(rf.post("/x", REMOTE_ADDR="10.0.0.1"))
    assert 0 < int(limited["Retry-After"]) <= 3601
    assert b"Please wait a moment" in limited.content


def test_ratelimit_per_email_across_ips(rf):
    responses = [
        view(rf.post("/x", {"email": "Bot@Example.com "}, REMOTE_ADDR=f"10.0.1.{n}"))
        for n in range(3)
    ]

    assert [r.status_code for r in responses] == [200, 200, 429]


def test_ratelimit_ignores_get(rf):
    statuses = [
        view(rf.get("/x", REMOTE_ADDR="10.0.0.9")).status_code for _ in range(5)
    ]

    assert statuses == [200] * 5


def test_ratelimit_ignores_forwarded_for_unless_behind_a_proxy(rf, settings):
    for n in range(3):
        view(
            rf.post("/x", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        )

    spoofed = view(
        rf.post("/x", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="203.0.113.99")
    )

    assert spoofed.status_code == 429


@ratelimit(scope="test-reads", per_ip="1/h", reads_per_ip="3/h")
def costly_page(request):
    return HttpResponse("slots")


def test_reads_per_ip_limits_gets_apart_from_posts(rf):
    reads = [
        costly_page(rf.get("/x", REMOTE_ADDR="10.0.0.7")).status_code for _ in range(4)
    ]
    head = costly_page(rf.head("/x", REMOTE_ADDR="10.0.0.7"))
    other = costly_page(rf.get("/x", REMOTE_ADDR="10.0.0.8"))
    post = costly_page(rf.post("/x", REMOTE_ADDR="10.0.0.7"))

    assert reads == [200, 200, 200, 429]
    assert head.status_code == 429
    assert other.status_code == 200
    # Posts keep their own count.
    assert post.status_code == 200


@pytest.mark.django_db
def test_the_booking_page_answers_429_to_a_flood_of_reads(client, settings):
    settings.RATELIMIT_ENABLED = True

    answers = [
        client.get("/book/", REMOTE_ADDR="10.0.0.9").status_code for _ in range(601)
    ]

    assert set(answers[:600]) == {200}
    assert answers[600] == 429
