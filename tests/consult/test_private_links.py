"""Nobody reaches an assessment or booking without its private link."""

import pytest
from django.test import Client
from django.urls import reverse

from advisor.services import assessment_submit
from consult.tokens import token_hash
from tests.bookings.factories import BookingFactory
from tests.factories import AssessmentFactory, UseCaseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]

ASSESSMENT_URLS = [
    ("advisor:about", {}),
    ("advisor:organisation", {}),
    ("advisor:use_cases", {}),
    ("advisor:use_case_new", {}),
    ("advisor:use_case_edit", {"position": 1}),
    ("advisor:use_case_remove", {"position": 1}),
    ("advisor:check", {}),
    ("advisor:result", {}),
    ("advisor:erase", {}),
    ("advisor:email_link", {}),
    ("advisor:summary_pdf", {}),
    ("advisor:summary_status", {}),
]
BOOKING_URLS = [
    "bookings:confirmed",
    "bookings:manage",
    "bookings:reschedule",
    "bookings:cancel",
    "bookings:erase",
    "bookings:calendar",
]


def guesses(real: str, pk: int) -> list[str]:
    # Ids, near misses of the real token, its hash, and junk of every shape.
    return [
        str(pk),
        str(pk + 1),
        real[:-1] + ("A" if real[-1] != "A" else "B"),
        real[:-1],
        real + "x",
        token_hash(real),
        "0" * 43,
        "a" * 300,
    ]


@pytest.fixture
def assessment():
    assessment = AssessmentFactory(company="Secret Co")
    UseCaseFactory(assessment=assessment, position=1)
    return assessment


@pytest.mark.parametrize(("name", "extra"), ASSESSMENT_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_assessment_urls_refuse_guessed_tokens(client, assessment, name, extra, method):
    for guess in guesses(assessment.token, assessment.pk):
        url = reverse(name, kwargs={"token": guess, **extra})
        response = getattr(client, method)(url)
        assert response.status_code in {404, 405}, (url, response.status_code)
        assert b"Secret Co" not in response.content


@pytest.mark.parametrize("name", BOOKING_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_booking_urls_refuse_guessed_tokens(client, name, method):
    booking = BookingFactory(name="Hidden Person", company="Secret Co")
    for guess in [*guesses(booking.token, booking.pk), str(booking.uid)]:
        if not guess.replace("-", "").replace("_", "").isalnum():
            continue
        url = reverse(name, kwargs={"token": guess})
        response = getattr(client, method)(url)
        assert response.status_code in {404, 405}, (url, response.status_code)
        assert b"Hidden Person" not in response.content


def test_the_real_links_work(client, assessment):
    assessment_submit(assessment=assessment)
    booking = BookingFactory()

    assert (
        client.get(
            reverse("advisor:result", kwargs={"token": assessment.token})
        ).status_code
        == 200
    )
    assert (
        client.get(
            reverse("bookings:manage", kwargs={"token": booking.token})
        ).status_code
        == 200
    )


def test_public_urls_carry_no_sequential_ids(client, assessment):
    response = client.post("/assess/")

    assert str(assessment.pk + 1) not in response["Location"].split("/")


def test_csrf_is_enforced_on_public_posts(assessment):
    strict = Client(enforce_csrf_checks=True)
    url = reverse("advisor:about", kwargs={"token": assessment.token})

    refused = strict.post(url, {"version": "0", "contact_name": "X"})
    page = strict.get(url)
    token = page.cookies["csrftoken"].value
    accepted = strict.post(
        url,
        {
            "version": "0",
            "contact_name": "Ada",
            "contact_email": "ada@example.com",
            "company": "Engines",
            "csrfmiddlewaretoken": token,
        },
    )
    htmx = strict.post(
        url,
        {"version": "1", "contact_name": "Ada"},
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN=token,
    )

    assert refused.status_code == 403
    assert accepted.status_code == 303
    assert htmx.status_code == 422


def test_private_pages_do_not_leak_the_link_through_referrers(client, assessment):
    assessment_submit(assessment=assessment)
    booking = BookingFactory()

    result = client.get(reverse("advisor:result", kwargs={"token": assessment.token}))
    manage = client.get(reverse("bookings:manage", kwargs={"token": booking.token}))
    step = client.get(
        reverse("advisor:about", kwargs={"token": AssessmentFactory().token})
    )

    assert result["Referrer-Policy"] == "no-referrer"
    assert manage["Referrer-Policy"] == "no-referrer"
    assert step["Referrer-Policy"] == "same-origin"
