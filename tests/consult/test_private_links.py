"""Nobody reaches an assessment or booking without its private link."""

import io
import logging
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from gunicorn.config import Config

from advisor.services import assessment_submit
from consult.tokens import PrivateLinkFilter, private_links_masked, token_hash
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.factories.bookings import BookingFactory

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
    ("privacy:assessment_erase", {}),
    ("advisor:email_link", {}),
    ("advisor:summary_pdf", {}),
    ("advisor:summary_status", {}),
    ("advisor:links", {}),
    ("advisor:forward", {}),
    ("advisor:shared", {}),
]
BOOKING_URLS = [
    "bookings:confirmed",
    "bookings:manage",
    "bookings:reschedule",
    "bookings:cancel",
    "privacy:booking_erase",
    "bookings:calendar",
    "bookings:links",
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

    # A page with a POST form keeps its address on this site rather than sending none:
    # under no-referrer, browsers send "Origin: null", which CSRF protection refuses.
    assert result["Referrer-Policy"] == "same-origin"
    assert manage["Referrer-Policy"] == "no-referrer"
    assert step["Referrer-Policy"] == "same-origin"


# --- Private links stay out of the logs -------------------------------------------------


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        (
            "POST /assess/{t}/about/ HTTP/1.1",
            "POST /assess/[private]/about/ HTTP/1.1",
        ),
        (
            "http://site/book/?tz=UTC&assessment={t}&week=2026-11-30",
            "http://site/book/?tz=UTC&assessment=[private]&week=2026-11-30",
        ),
        (
            "/book/manage/{t}/consultation.ics",
            "/book/manage/[private]/consultation.ics",
        ),
        ("/book/confirmed/{t}/", "/book/confirmed/[private]/"),
        ("GET /assess/shared/{t}/ HTTP/1.1", "GET /assess/shared/[private]/ HTTP/1.1"),
        ("/book/manage/{t}/links/", "/book/manage/[private]/links/"),
        # gunicorn's query-string field, without its "?".
        ("assessment={t}&tz=UTC", "assessment=[private]&tz=UTC"),
        (
            "/assess/resume/ and /book/lost-link/",
            "/assess/resume/ and /book/lost-link/",
        ),
    ],
)
def test_private_tokens_are_masked_for_logs(line, masked):
    token = "Ab3_-" * 8 + "xyz"

    assert private_links_masked(line.format(t=token)) == masked


def test_a_refused_wizard_post_is_logged_without_its_token(client):
    assessment = AssessmentFactory()
    [console] = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, PrivateLinkFilter) for f in handler.filters)
    ]
    written = io.StringIO()
    stream = console.setStream(written)
    try:
        response = client.post(
            reverse("advisor:about", kwargs={"token": assessment.token}),
            {"contact_email": "not an email"},
        )
    finally:
        console.setStream(stream)

    assert response.status_code == 422
    assert "Unprocessable Content: /assess/[private]/about/" in written.getvalue()
    assert assessment.token not in written.getvalue()


def test_gunicorn_logs_no_token_in_paths_referers_or_redirects():
    settings_file = Path(__file__).parents[2] / "consult" / "gunicorn.conf.py"
    logger_class = runpy.run_path(str(settings_file))["logger_class"]
    logger = logger_class(Config())
    token = "Zz9" * 14 + "q"
    path = f"/assess/{token}/about/"

    atoms = logger.atoms(
        SimpleNamespace(
            status="303 See Other",
            sent=0,
            headers=[("Location", f"/assess/{token}/organisation/")],
        ),
        SimpleNamespace(headers=[("HX-CURRENT-URL", f"http://site{path}")]),
        {
            "REQUEST_METHOD": "POST",
            "RAW_URI": path,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_REFERER": f"http://site{path}",
        },
        timedelta(milliseconds=12),
    )

    assert atoms["r"] == "POST /assess/[private]/about/ HTTP/1.1"
    assert atoms["{location}o"] == "/assess/[private]/organisation/"
    assert not [value for value in atoms.values() if token in str(value)]
    assert any(isinstance(f, PrivateLinkFilter) for f in logger.error_log.filters)
