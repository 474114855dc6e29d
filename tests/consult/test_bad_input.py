"""Arbitrary input to every public form gets a 4xx or a success, never a 500,
and a refused form changes nothing already saved."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.models import Assessment, UseCase
from bookings.models import Booking
from tests.factories.advisor import AssessmentFactory
from tests.factories.bookings import BookingFactory, ConsultantFactory
from tests.helpers.booking_pages import form_data, free_starts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

nasty = st.one_of(
    st.text(max_size=200),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "NaN",
            "1e999",
            "-0",
            "٣٤",
            "😀" * 80,
            "a\r\nBcc: x@evil.example",
            "<script>",
        ]
    ),
)
maybe = st.one_of(st.none(), nasty)


def post_data(**fields) -> dict:
    return {key: value for key, value in fields.items() if value is not None}


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.RATELIMIT_ENABLED = False


@FUZZ
@given(name=maybe, email=maybe, company=maybe, role=maybe, version=maybe, consent=maybe)
def test_about_step_never_fails(client, name, email, company, role, version, consent):
    assessment = AssessmentFactory(contact_name="Kept Name")
    before = Assessment.objects.values().get(pk=assessment.pk)

    response = client.post(
        reverse("advisor:about", kwargs={"token": assessment.token}),
        post_data(
            contact_name=name,
            contact_email=email,
            company=company,
            role=role,
            version=version,
            consent_contact=consent,
        ),
    )

    assert response.status_code in {303, 409, 422}
    if response.status_code != 303:
        assert Assessment.objects.values().get(pk=assessment.pk) == before


@FUZZ
@given(industry=maybe, engineers=maybe, leave=maybe, version=maybe)
def test_organisation_step_never_fails(client, industry, engineers, leave, version):
    assessment = AssessmentFactory()

    response = client.post(
        reverse("advisor:organisation", kwargs={"token": assessment.token}),
        post_data(
            industry=industry,
            ml_engineers=engineers,
            data_can_leave=leave,
            version=version,
        ),
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code in {303, 409, 422}


@FUZZ
@given(
    name=maybe,
    task=st.one_of(st.sampled_from(["summarization", "fraud_detection"]), nasty),
    volume=maybe,
    size=maybe,
    tokens_in=maybe,
    tokens_out=maybe,
    latency=maybe,
    value=maybe,
    data=maybe,
)
def test_use_case_form_never_fails(
    client, name, task, volume, size, tokens_in, tokens_out, latency, value, data
):
    assessment = AssessmentFactory()

    response = client.post(
        reverse("advisor:use_case_new", kwargs={"token": assessment.token}),
        post_data(
            name=name,
            task=task,
            monthly_requests=volume,
            size=size,
            input_tokens=tokens_in,
            output_tokens=tokens_out,
            latency=latency,
            value_per_request_usd=value,
            proprietary_data=data,
            format_consistency="flexible",
            sensitive_data="no",
            accuracy_lift_value="low",
        ),
    )

    assert response.status_code in {303, 422}
    if response.status_code == 422:
        assert UseCase.objects.filter(assessment=assessment).count() == 0


@FUZZ
@given(
    name=maybe,
    email=maybe,
    zone=maybe,
    start=maybe,
    consultant=maybe,
    assessment=maybe,
    key=maybe,
)
def test_booking_form_never_fails(
    client, name, email, zone, start, consultant, assessment, key
):
    ConsultantFactory()
    before = Booking.objects.count()

    response = client.post(
        "/book/details/",
        post_data(
            name=name,
            email=email,
            timezone=zone,
            start=start,
            consultant=consultant,
            assessment=assessment,
            key=key,
            consent="on",
        ),
    )

    assert response.status_code in {303, 400, 409, 422}
    if response.status_code != 303:
        assert Booking.objects.count() == before


# Valid ISO 8601, but at the ends of the calendar: no time is free there.
FAR_STARTS = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",
    "9999-12-30T00:00:00Z",
    "9999-12-31T23:59:00-01:00",
]


@pytest.mark.parametrize("start", FAR_STARTS)
def test_booking_pages_refuse_a_start_at_the_ends_of_the_calendar(client, start):
    booking = BookingFactory()
    reschedule = f"/book/manage/{booking.token}/reschedule/"

    shown = client.get("/book/details/", {"start": start})
    posted = client.post(
        "/book/details/",
        {
            "start": start,
            "name": "Grace Hopper",
            "email": "grace@example.com",
            "timezone": "Europe/London",
            "consent": "on",
        },
    )
    offered = client.get(reschedule, {"start": start})
    moved = client.post(reschedule, {"start": start})

    assert shown.status_code == 302
    assert shown["Location"].startswith("/book/")
    assert posted.status_code == 422
    assert "Choose a time for your call." in posted.content.decode()
    assert offered.status_code == 200
    assert moved.status_code == 422
    assert Booking.objects.get().start == booking.start


# str.isdigit() accepts each of these, but none is a primary key ("²" fails int()).
@pytest.mark.parametrize("consultant", ["\u00b2", "\u0663", "9" * 26])
def test_booking_form_refuses_a_consultant_that_is_no_primary_key(client, consultant):
    ConsultantFactory()
    start = free_starts()[0]

    response = client.post("/book/details/", form_data(start, consultant=consultant))

    assert response.status_code == 422
    assert "Choose a consultant from the list." in response.content.decode()
    assert Booking.objects.count() == 0


@FUZZ
@given(
    path=st.sampled_from(["/assess/resume/", "/book/lost-link/"]),
    email=maybe,
    website=maybe,
)
def test_lost_link_forms_never_fail(client, path, email, website):
    response = client.post(path, post_data(email=email, website=website))

    assert response.status_code in {200, 422}


@FUZZ
@given(tz=maybe, week=maybe, consultant=maybe, htmx=st.booleans(), target=maybe)
def test_booking_page_query_parameters_never_fail(
    client, tz, week, consultant, htmx, target
):
    ConsultantFactory()
    headers = (
        {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": target or ""} if htmx else {}
    )

    response = client.get(
        "/book/", post_data(tz=tz, week=week, consultant=consultant), **headers
    )

    assert response.status_code in {200, 400, 404}


@FUZZ
@given(
    payload=st.recursive(
        st.one_of(
            st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)
        ),
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(
                st.sampled_from(
                    [
                        "organization",
                        "use_cases",
                        "name",
                        "task",
                        "monthly_requests",
                        "x",
                    ]
                ),
                children,
                max_size=4,
            ),
        ),
        max_leaves=12,
    )
)
def test_advise_command_never_crashes(tmp_path_factory, payload):
    source = tmp_path_factory.mktemp("advise") / "input.json"
    source.write_text(json.dumps(payload, allow_nan=True))
    out, err = StringIO(), StringIO()

    try:
        call_command("advise", "--input", str(source), stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code

    assert code in {0, 2}
    if code == 2:
        assert out.getvalue() == ""
        assert err.getvalue().strip() != ""
