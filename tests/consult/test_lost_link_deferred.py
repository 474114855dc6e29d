"""A "lost my link" request only queues its work: the page answers alike, and as
fast, for a client's address and a stranger's; a worker sends the links."""

import re

import pytest

from advisor import tasks as advisor_tasks
from bookings import tasks as booking_tasks
from consult.models import OutboundEmail
from tests.factories.advisor import AssessmentFactory
from tests.factories.bookings import BookingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


def page_text(response, address):
    """The page without the address typed, nor the CSP nonces and CSRF tokens each
    response has of its own."""
    html = response.content.decode().replace(address, "X")
    html = re.sub(r"[A-Za-z0-9]{40,}", "", html)  # CSRF tokens
    return re.sub(r'nonce="[^"]+"', "", html)


@pytest.fixture
def broker(settings, broker_url, monkeypatch):
    """Tasks go to the tests' own Redis database, as the stack fixture sends them."""
    from consult.celery import app  # noqa: PLC0415
    from tests.helpers.realstack import producer_reset  # noqa: PLC0415

    # Read before the settings change: Celery loads its configuration from the
    # settings lazily, on first use.
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    # Celery reads CELERY_BROKER_URL from the environment ahead of its
    # configuration (CI sets it), so the producer is pointed through both.
    monkeypatch.setenv("CELERY_BROKER_URL", broker_url)
    app.conf.broker_url = broker_url
    producer_reset()
    yield broker_url
    app.conf.task_always_eager, app.conf.broker_url = saved
    producer_reset()


@pytest.mark.parametrize(
    ("url", "make", "task"),
    [
        (
            "/assess/resume/",
            lambda: AssessmentFactory(contact_email="grace@example.com"),
            advisor_tasks.links_resend,
        ),
        (
            "/book/lost-link/",
            lambda: BookingFactory(email="grace@example.com"),
            booking_tasks.links_resend,
        ),
    ],
)
def test_the_page_queues_the_work_and_answers_alike(client, broker, url, make, task):
    import redis  # noqa: PLC0415

    make()
    queue = redis.Redis.from_url(broker)
    before = queue.llen("default")

    known = client.post(url, {"email": "grace@example.com"})
    stranger = client.post(url, {"email": "nobody@example.com"})

    # Nothing was looked up or written during the requests: two messages wait.
    assert not OutboundEmail.objects.exists()
    assert queue.llen("default") == before + 2
    assert known.status_code == stranger.status_code == 200
    assert page_text(known, "grace@example.com") == page_text(
        stranger, "nobody@example.com"
    )
    # The worker's part: links for the client, nothing for the stranger.
    assert task.run(email="grace@example.com") >= 1
    assert task.run(email="nobody@example.com") == 0
    assert OutboundEmail.objects.filter(to="grace@example.com").exists()
