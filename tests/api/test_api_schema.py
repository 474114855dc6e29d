"""The OpenAPI document is valid, and the live API honours it: schemathesis sends what
the document allows (and what it does not) to a real server, and every answer must be
documented, conform to its schema, and never be a 5xx."""

from datetime import timedelta

import pytest
import schemathesis
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from api.enums import TokenScope
from api.services import api_token_create
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.factories.bookings import BookingFactory, ConsultantFactory
from tests.helpers.admin_roles import manager_create


def _document() -> dict:
    return Client().get("/api/v1/openapi.json").json()


@pytest.mark.django_db
def test_the_openapi_document_is_valid_openapi_3_1():
    document = _document()

    validate(document)

    assert document["openapi"] == "3.1.0"
    assert sorted(document["paths"]) == [
        "/api/v1/advise",
        "/api/v1/assessments",
        "/api/v1/assessments/{assessment_id}",
        "/api/v1/bookings",
        "/api/v1/bookings/{booking_id}",
        "/api/v1/bookings/{booking_id}/cancel",
        "/api/v1/bookings/{booking_id}/outcome",
        "/api/v1/consultants",
        "/api/v1/slots",
    ]
    assert document["components"]["securitySchemes"] == {
        "TokenAuth": {"type": "http", "scheme": "bearer"}
    }


@pytest.mark.django_db
def test_only_slots_is_open_without_a_token():
    operations = [
        (path, method, "security" in operation)
        for path, item in _document()["paths"].items()
        for method, operation in item.items()
    ]

    assert [(p, m) for p, m, secured in operations if not secured] == [
        ("/api/v1/slots", "get")
    ]


@pytest.fixture
def live_api(live_server, settings, active_price_book):
    """The API on a live server with rows to find, and a read-write manager's token."""
    # Counted limits would turn the fuzzing into 429s; the limits have tests of their own.
    settings.RATELIMIT_ENABLED = False
    consultant = ConsultantFactory()
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment)
    soon = timezone.now() + timedelta(days=2)
    past = timezone.now() - timedelta(hours=2)
    for start in (soon, past):
        BookingFactory(
            consultant=consultant,
            assessment=assessment,
            start=start,
            end=start + timedelta(minutes=30),
        )
    token = api_token_create(
        name="Fuzzer", owner=manager_create(), scope=TokenScope.WRITE
    )
    return live_server.url, token.secret


OPERATIONS = [
    ("/api/v1/assessments", "GET"),
    ("/api/v1/assessments/{assessment_id}", "GET"),
    ("/api/v1/bookings", "GET"),
    ("/api/v1/bookings/{booking_id}", "GET"),
    ("/api/v1/bookings/{booking_id}/cancel", "POST"),
    ("/api/v1/bookings/{booking_id}/outcome", "POST"),
    ("/api/v1/consultants", "GET"),
    ("/api/v1/advise", "POST"),
    ("/api/v1/slots", "GET"),
]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_the_live_api_honours_its_openapi_document(live_api, path, method, mode):
    url, secret = live_api
    schema = schemathesis.openapi.from_url(f"{url}/api/v1/openapi.json")
    operation = schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    def honoured(case):
        # A cursor is opaque: only one the API gave out is valid, whatever its
        # shape, so a made-up one is refused (422) although it fits the pattern.
        made_up_cursor = bool(case.query and "cursor" in case.query)
        case.call_and_validate(
            base_url=url,
            headers={"Authorization": f"Bearer {secret}"},
            excluded_checks=[positive_data_acceptance] if made_up_cursor else [],
        )

    honoured()
