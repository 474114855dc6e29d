"""Pages reached through a private link stay out of caches, search engines and Referers."""

import pytest
from django.http import HttpResponse
from django.urls import reverse

from advisor import links, summaries
from advisor import services as advisor_services
from advisor.models import Assessment, AssessmentLink
from consult.http import private_response
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.factories.bookings import BookingFactory, ConsultantFactory
from tests.helpers.booking_pages import form_data, free_starts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]

HTMX = {"HTTP_HX_REQUEST": "true"}


def headers(response) -> tuple[str, str, str]:
    return (
        response["Cache-Control"],
        response["X-Robots-Tag"],
        response["Referrer-Policy"],
    )


def private(referrer_policy: str) -> tuple[str, str, str]:
    return ("private, no-store", "noindex, nofollow", referrer_policy)


def test_private_response_sets_the_three_headers():
    response = private_response(HttpResponse("page"))

    assert headers(response) == private("no-referrer")


def test_private_response_keeps_a_given_referrer_policy():
    response = private_response(HttpResponse("form"), referrer_policy="same-origin")

    assert headers(response) == private("same-origin")


@pytest.fixture
def assessment(django_capture_on_commit_callbacks) -> Assessment:
    """A submitted assessment whose PDF is built, with its token."""
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment, name="Support summaries")
    token = assessment.token
    with django_capture_on_commit_callbacks(execute=False):
        advisor_services.assessment_submit(assessment=assessment)
    with django_capture_on_commit_callbacks(execute=True):
        summaries.assessment_summary_build(assessment_id=assessment.pk, token=token)
    assessment = Assessment.objects.get(pk=assessment.pk)
    assessment.token = token
    return assessment


def assessment_url(name: str, assessment: Assessment) -> str:
    return reverse(f"advisor:{name}", kwargs={"token": assessment.token})


def test_assessment_result_page_is_private_with_same_origin_for_its_forms(
    client, assessment
):
    response = client.get(assessment_url("result", assessment))

    assert response.status_code == 200
    assert headers(response) == private("same-origin")


@pytest.mark.parametrize(
    "step", ["about", "organisation", "use_cases", "use_case_new", "check"]
)
def test_wizard_steps_are_private_with_same_origin_for_their_forms(client, step):
    draft = AssessmentFactory()
    UseCaseFactory(assessment=draft)

    response = client.get(assessment_url(step, draft))

    assert response.status_code == 200
    assert headers(response) == private("same-origin")


def test_wizard_redirect_to_the_next_step_is_private(client, assessment):
    # A submitted assessment's steps send the client on to the result.
    response = client.get(assessment_url("about", assessment))

    assert response.status_code == 303
    assert response["Location"] == assessment_url("result", assessment)
    assert headers(response) == private("no-referrer")


def test_booking_page_with_an_assessment_link_is_private(client, assessment):
    response = client.get(reverse("bookings:book"), {"assessment": assessment.token})

    assert response.status_code == 200
    assert headers(response) == private("no-referrer")


def test_booking_page_without_an_assessment_link_is_public(client):
    response = client.get(reverse("bookings:book"))

    assert response.status_code == 200
    assert "X-Robots-Tag" not in response


def test_assessment_summary_status_is_private(client, assessment):
    response = client.get(assessment_url("summary_status", assessment), **HTMX)

    assert headers(response) == private("no-referrer")


def test_assessment_summary_pdf_is_private(client, assessment):
    response = client.get(assessment_url("summary_pdf", assessment))
    response.close()

    assert response.status_code == 200
    assert headers(response) == private("no-referrer")


@pytest.mark.parametrize("method", ["get", "post"])
def test_assessment_erase_pages_are_private_with_same_origin(
    client, assessment, method
):
    url = reverse("privacy:assessment_erase", kwargs={"token": assessment.token})
    response = getattr(client, method)(url)

    assert response.status_code == 200
    assert headers(response) == private("same-origin")


@pytest.mark.parametrize("name", ["links", "forward"])
def test_assessment_links_and_forward_pages_are_private_with_same_origin(
    client, assessment, name
):
    response = client.get(assessment_url(name, assessment))

    assert response.status_code == 200
    assert headers(response) == private("same-origin")


def test_assessment_share_page_is_private(client, assessment):
    share = AssessmentLink.objects.get(origin=AssessmentLink.Origin.SUMMARY_PDF)
    # Only the hash is stored: make a share link whose token is known.
    token = links.assessment_link_create(
        assessment=share.assessment, kind="share", origin="forwarded"
    )

    response = client.get(reverse("advisor:shared", kwargs={"token": token}))

    assert response.status_code == 200
    assert headers(response) == private("no-referrer")


def booking_url(name: str, booking) -> str:
    return reverse(name, kwargs={"token": booking.token})


@pytest.mark.parametrize(
    ("name", "referrer_policy"),
    [
        ("bookings:confirmed", "no-referrer"),
        ("bookings:manage", "no-referrer"),
        ("bookings:calendar", "no-referrer"),
        ("bookings:cancel", "same-origin"),
        ("bookings:reschedule", "same-origin"),
        ("privacy:booking_erase", "same-origin"),
        ("bookings:links", "same-origin"),
    ],
)
def test_booking_pages_are_private(client, name, referrer_policy):
    response = client.get(booking_url(name, BookingFactory()))

    assert response.status_code == 200
    assert headers(response) == private(referrer_policy)


def test_booking_cancelled_redirect_is_private(client):
    response = client.post(
        booking_url("bookings:cancel", BookingFactory()), {"reason": ""}
    )

    assert response.status_code == 302
    assert headers(response) == private("no-referrer")


def test_booking_erased_page_is_private_with_same_origin(client):
    response = client.post(booking_url("privacy:booking_erase", BookingFactory()))

    assert response.status_code == 200
    assert headers(response) == private("same-origin")


def test_admin_staff_pdf_is_private(admin_client, assessment):
    response = admin_client.get(
        f"/admin/advisor/assessment/{assessment.pk}/summary.pdf"
    )
    response.close()

    assert response.status_code == 200
    # The admin adds its own never-cache directives to the helper's.
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert headers(response)[1:] == ("noindex, nofollow", "same-origin")


def test_admin_csv_export_is_private(admin_client, assessment):
    response = admin_client.get("/admin/advisor/assessment/export.csv")
    b"".join(response.streaming_content)

    assert response.status_code == 200
    # The admin adds its own never-cache directives to the helper's.
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert headers(response)[1:] == ("noindex, nofollow", "same-origin")


def test_details_without_a_time_sends_back_to_the_booking_page_privately(
    client, assessment
):
    response = client.get(reverse("bookings:details"), {"assessment": assessment.token})

    assert response.status_code == 302
    assert assessment.token in response["Location"]
    assert headers(response) == private("no-referrer")


def test_a_new_booking_is_sent_to_its_confirmation_privately(client):
    consultant = ConsultantFactory()
    response = client.post(
        reverse("bookings:details"), form_data(free_starts(consultant)[0])
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/book/confirmed/")
    assert headers(response) == private("no-referrer")
