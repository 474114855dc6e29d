"""The assessment contract: defaults, and a plain error for every kind of bad input.

Version 2 (engine 2026.2) adds ``organization.regulations``, ``use_cases[].user_facing``,
``use_cases[].batch_ok`` and the task ``document_extraction``; every version-1 input
stays valid.
"""

import json
import math
from pathlib import Path

import pytest
from pydantic import ValidationError

from advisor.engine import ContractError, FieldError, Organization, validate
from advisor.engine.contract import (
    LANGUAGE_TASKS,
    PREDICTIVE_TASKS,
    REGULATIONS,
    TASKS,
    format_path,
)

ALL_TASKS = (
    "summarization, text_classification, extraction, question_answering, "
    "content_generation, translation, document_extraction, fraud_detection, "
    "forecasting, recommendation, specialized_vision, tabular_prediction, "
    "anomaly_detection"
)
ALL_REGULATIONS = "gdpr, hipaa, pci_dss, eu_ai_act, ccpa"
# What version 2 adds to a version-1 input when it leaves the new fields out.
V2_ORGANIZATION_DEFAULTS = {"regulations": []}
V2_USE_CASE_DEFAULTS = {"user_facing": False, "batch_ok": False}


def use_case(**fields):
    return {
        "name": "Summaries",
        "task": "summarization",
        "monthly_requests": 1000,
    } | fields


def errors_of(payload) -> list[str]:
    with pytest.raises(ContractError) as caught:
        validate(payload)
    return [str(error) for error in caught.value.errors]


def test_field_error_str_names_the_path():
    error = FieldError("use_cases[2].monthly_requests", "must be >= 0")

    assert str(error) == "use_cases[2].monthly_requests: must be >= 0"


def test_contract_error_message_lists_every_error():
    error = ContractError(
        [FieldError("a", "is required"), FieldError("b[0]", "unknown field")]
    )

    assert str(error) == "a: is required\nb[0]: unknown field"


def test_validate_minimal_input_applies_defaults():
    assessment = validate({"use_cases": [use_case()]})

    assert assessment.organization == Organization(
        name=None, industry=None, ml_engineers=0, data_can_leave=True, regulations=()
    )
    only = assessment.use_cases[0]
    assert (
        only.latency_budget_ms,
        only.value_per_request_usd,
        only.proprietary_data,
        only.format_consistency,
        only.sensitive_data,
        only.accuracy_lift_value,
        only.user_facing,
        only.batch_ok,
    ) == (None, None, "none", "flexible", False, "low", False, False)


@pytest.mark.parametrize(
    ("task", "expected"),
    [
        ("summarization", (2000, 250)),
        ("text_classification", (500, 10)),
        ("extraction", (1500, 200)),
        ("question_answering", (3000, 300)),
        ("content_generation", (500, 800)),
        ("translation", (600, 700)),
        # A scanned page in (an image costs about a page of text), a dozen fields out.
        ("document_extraction", (1500, 300)),
    ],
)
def test_validate_language_task_gets_token_defaults(task, expected):
    only = validate({"use_cases": [use_case(task=task)]}).use_cases[0]

    assert (only.input_tokens, only.output_tokens) == expected


@pytest.mark.parametrize("task", PREDICTIVE_TASKS)
def test_validate_predictive_task_has_no_token_defaults(task):
    only = validate({"use_cases": [use_case(task=task)]}).use_cases[0]

    assert (only.input_tokens, only.output_tokens) == (None, None)


def test_validate_given_tokens_are_kept():
    only = validate({"use_cases": [use_case(input_tokens=1800)]}).use_cases[0]

    assert (only.input_tokens, only.output_tokens) == (1800, 250)


CONTRACT_EXAMPLE = (
    Path(__file__).resolve().parents[3] / "docs" / "examples" / "acme-health.json"
)


def test_validate_version_1_contract_example_reads_back_with_version_2_defaults():
    payload = json.loads(CONTRACT_EXAMPLE.read_text())

    dumped = validate(payload).model_dump(mode="json")

    assert dumped == payload | {
        "organization": payload["organization"] | V2_ORGANIZATION_DEFAULTS,
        "use_cases": [case | V2_USE_CASE_DEFAULTS for case in payload["use_cases"]],
    }


def test_validate_version_2_fields_read_back():
    payload = {
        "organization": {
            "ml_engineers": 1,
            "data_can_leave": True,
            "regulations": ["gdpr", "eu_ai_act"],
        },
        "use_cases": [
            use_case(
                task="document_extraction",
                input_tokens=1500,
                output_tokens=300,
                user_facing=True,
                batch_ok=True,
            )
        ],
    }

    assessment = validate(payload)

    assert (
        assessment.organization.regulations,
        assessment.use_cases[0].user_facing,
        assessment.use_cases[0].batch_ok,
        assessment.use_cases[0].is_language,
    ) == (("gdpr", "eu_ai_act"), True, True, True)


@pytest.mark.parametrize("regulation", REGULATIONS)
def test_validate_accepts_every_regulation(regulation):
    payload = {"organization": {"regulations": [regulation]}, "use_cases": [use_case()]}

    assert validate(payload).organization.regulations == (regulation,)


def test_validate_accepts_every_regulation_at_once_and_none():
    every = {
        "organization": {"regulations": list(REGULATIONS)},
        "use_cases": [use_case()],
    }
    none = {"organization": {"regulations": []}, "use_cases": [use_case()]}

    assert (
        validate(every).organization.regulations,
        validate(none).organization.regulations,
    ) == (REGULATIONS, ())


def test_regulations_are_the_contracts_five():
    assert REGULATIONS == ("gdpr", "hipaa", "pci_dss", "eu_ai_act", "ccpa")


def test_validate_accepts_whole_number_for_value_per_request():
    only = validate({"use_cases": [use_case(value_per_request_usd=2)]}).use_cases[0]

    assert only.value_per_request_usd == 2.0


def test_validate_accepts_null_for_optional_text_and_budgets():
    assessment = validate(
        {
            "organization": {"name": None, "industry": None},
            "use_cases": [use_case(latency_budget_ms=None, value_per_request_usd=None)],
        }
    )

    assert (
        assessment.organization.name,
        assessment.use_cases[0].latency_budget_ms,
    ) == (
        None,
        None,
    )


def test_validate_result_is_frozen():
    assessment = validate({"use_cases": [use_case()]})

    with pytest.raises(ValidationError):
        assessment.use_cases[0].monthly_requests = 5  # type: ignore[misc]


def test_validate_use_cases_become_a_tuple():
    assessment = validate({"use_cases": [use_case(), use_case(name="Second")]})

    assert type(assessment.use_cases) is tuple


@pytest.mark.parametrize("task", TASKS)
def test_validate_accepts_every_task(task):
    assert validate({"use_cases": [use_case(task=task)]}).use_cases[0].task == task


def test_task_lists_split_language_and_predictive():
    # document_extraction reads documents into fields: a language task, not vision.
    assert (
        "document_extraction" in LANGUAGE_TASKS,
        len(LANGUAGE_TASKS),
        len(PREDICTIVE_TASKS),
        TASKS == LANGUAGE_TASKS + PREDICTIVE_TASKS,
    ) == (True, 7, 6, True)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ([], ["(root): must be a JSON object"]),
        (None, ["(root): must be a JSON object"]),
        ("assessment", ["(root): must be a JSON object"]),
        (5, ["(root): must be a JSON object"]),
        ({}, ["use_cases: is required"]),
        ({"use_cases": []}, ["use_cases: must have at least 1 item"]),
        ({"use_cases": "many"}, ["use_cases: must be a list"]),
        ({"use_cases": {"name": "x"}}, ["use_cases: must be a list"]),
        ({"use_cases": [5]}, ["use_cases[0]: must be a JSON object"]),
        ({"use_cases": [use_case()], "colour": "red"}, ["colour: unknown field"]),
        (
            {"organization": [], "use_cases": [use_case()]},
            ["organization: must be a JSON object"],
        ),
        (
            {"organization": {"colour": "red"}, "use_cases": [use_case()]},
            ["organization.colour: unknown field"],
        ),
    ],
)
def test_validate_rejects_bad_shape(payload, expected):
    assert errors_of(payload) == expected


def test_validate_rejects_51_use_cases():
    assert errors_of({"use_cases": [use_case()] * 51}) == [
        "use_cases: must have at most 50 items"
    ]


def test_validate_accepts_50_use_cases():
    assert len(validate({"use_cases": [use_case()] * 50}).use_cases) == 50


def test_validate_reports_item_errors_without_a_spurious_count_error():
    assert errors_of({"use_cases": [use_case(), {}]}) == [
        "use_cases[1].name: is required",
        "use_cases[1].task: is required",
        "use_cases[1].monthly_requests: is required",
    ]


def test_validate_names_the_index_of_the_bad_use_case():
    payload = {"use_cases": [use_case(), use_case(), use_case(monthly_requests=-1)]}

    assert errors_of(payload) == ["use_cases[2].monthly_requests: must be >= 0"]


def test_validate_collects_every_error():
    payload = {
        "organization": {"ml_engineers": -1},
        "use_cases": [use_case(task="poetry", colour="red")],
    }

    assert errors_of(payload) == [
        "organization.ml_engineers: must be >= 0",
        f"use_cases[0].task: must be one of: {ALL_TASKS}",
        "use_cases[0].colour: unknown field",
    ]


def test_validate_bad_task_does_not_also_blame_token_defaults():
    assert errors_of({"use_cases": [use_case(task=["summarization"])]}) == [
        f"use_cases[0].task: must be one of: {ALL_TASKS}"
    ]


LONG = "x" * 500


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        # monthly_requests: 0-10,000,000,000, a whole number
        ("monthly_requests", -1, "must be >= 0"),
        ("monthly_requests", 10_000_000_001, "must be <= 10000000000"),
        ("monthly_requests", True, "must be a whole number"),
        ("monthly_requests", 100.0, "must be a whole number"),
        ("monthly_requests", 100.5, "must be a whole number"),
        ("monthly_requests", "100", "must be a whole number"),
        ("monthly_requests", None, "must be a whole number"),
        # name: 1-120 characters
        ("name", "", "must not be empty"),
        ("name", "x" * 121, "must be at most 120 characters"),
        ("name", 5, "must be a string"),
        ("task", "poetry", f"must be one of: {ALL_TASKS}"),
        ("task", 3, f"must be one of: {ALL_TASKS}"),
        # token sizes
        ("input_tokens", 0, "must be >= 1"),
        ("input_tokens", 2_000_001, "must be <= 2000000"),
        ("input_tokens", None, "must be a whole number"),
        ("output_tokens", 0, "must be >= 1"),
        ("output_tokens", 200_001, "must be <= 200000"),
        ("output_tokens", False, "must be a whole number"),
        # latency budget: 1-600,000 ms or null
        ("latency_budget_ms", 0, "must be >= 1"),
        ("latency_budget_ms", 600_001, "must be <= 600000"),
        ("latency_budget_ms", 1.5, "must be a whole number"),
        # value per request: a finite number >= 0, or null
        ("value_per_request_usd", -0.01, "must be >= 0"),
        ("value_per_request_usd", math.nan, "must be a finite number"),
        ("value_per_request_usd", math.inf, "must be a finite number"),
        ("value_per_request_usd", -math.inf, "must be a finite number"),
        ("value_per_request_usd", "0.40", "must be a number"),
        ("value_per_request_usd", True, "must be a number"),
        # enumerations
        ("proprietary_data", "lots", "must be one of: none, some, substantial"),
        ("proprietary_data", None, "must be one of: none, some, substantial"),
        ("format_consistency", "strict", "must be one of: flexible, critical"),
        ("accuracy_lift_value", "medium", "must be one of: low, high"),
        # booleans
        ("sensitive_data", "yes", "must be true or false"),
        ("sensitive_data", 1, "must be true or false"),
        ("sensitive_data", None, "must be true or false"),
        ("user_facing", "yes", "must be true or false"),
        ("user_facing", 0, "must be true or false"),
        ("user_facing", None, "must be true or false"),
        ("batch_ok", "true", "must be true or false"),
        ("batch_ok", 1, "must be true or false"),
        ("batch_ok", None, "must be true or false"),
        ("colour", "red", "unknown field"),
    ],
)
def test_validate_rejects_bad_use_case_field(field, value, message):
    assert errors_of({"use_cases": [use_case(**{field: value})]}) == [
        f"use_cases[0].{field}: {message}"
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "must not be empty"),
        ("name", "x" * 201, "must be at most 200 characters"),
        ("industry", "x" * 81, "must be at most 80 characters"),
        ("industry", ["health"], "must be a string"),
        ("ml_engineers", -1, "must be >= 0"),
        ("ml_engineers", 100_001, "must be <= 100000"),
        ("ml_engineers", True, "must be a whole number"),
        ("ml_engineers", 2.0, "must be a whole number"),
        ("data_can_leave", None, "must be true or false"),
        ("data_can_leave", "false", "must be true or false"),
        ("data_can_leave", 0, "must be true or false"),
        ("regulations", "gdpr", "must be a list"),
        ("regulations", None, "must be a list"),
        ("regulations", {"gdpr": True}, "must be a list"),
    ],
)
def test_validate_rejects_bad_organization_field(field, value, message):
    payload = {"organization": {field: value}, "use_cases": [use_case()]}

    assert errors_of(payload) == [f"organization.{field}: {message}"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("monthly_requests", 0),
        ("monthly_requests", 10_000_000_000),
        ("input_tokens", 1),
        ("input_tokens", 2_000_000),
        ("output_tokens", 200_000),
        ("latency_budget_ms", 1),
        ("latency_budget_ms", 600_000),
        ("value_per_request_usd", 0),
        ("name", "x" * 120),
    ],
)
def test_validate_accepts_range_limits(field, value):
    only = validate({"use_cases": [use_case(**{field: value})]}).use_cases[0]

    assert getattr(only, field) == value


def test_validate_accepts_organization_limits():
    organization = validate(
        {
            "organization": {
                "name": LONG[:200],
                "industry": LONG[:80],
                "ml_engineers": 100_000,
            },
            "use_cases": [use_case()],
        }
    ).organization

    assert (len(organization.name or ""), organization.ml_engineers) == (200, 100_000)


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        ((), "(root)"),
        (("use_cases",), "use_cases"),
        (("use_cases", 2, "monthly_requests"), "use_cases[2].monthly_requests"),
        (("organization", ""), 'organization[""]'),
        (("organization", "a b"), 'organization["a b"]'),
        (("café",), '["café"]'),
    ],
)
def test_format_path_quotes_keys_that_are_not_plain_names(loc, path):
    assert format_path(loc) == path


def test_validate_names_an_unknown_field_with_an_unusual_name():
    payload = {"organization": {"data can leave": False}, "use_cases": [use_case()]}

    assert errors_of(payload) == ['organization["data can leave"]: unknown field']


@pytest.mark.parametrize(
    ("regulations", "expected"),
    [
        (
            ["gdpr", "sox"],
            [f"organization.regulations[1]: must be one of: {ALL_REGULATIONS}"],
        ),
        (["GDPR"], [f"organization.regulations[0]: must be one of: {ALL_REGULATIONS}"]),
        ([1], [f"organization.regulations[0]: must be one of: {ALL_REGULATIONS}"]),
        (
            ["hipaa", "", "ccpa", None],
            [
                f"organization.regulations[1]: must be one of: {ALL_REGULATIONS}",
                f"organization.regulations[3]: must be one of: {ALL_REGULATIONS}",
            ],
        ),
    ],
)
def test_validate_names_the_bad_regulation_by_its_index(regulations, expected):
    payload = {"organization": {"regulations": regulations}, "use_cases": [use_case()]}

    assert errors_of(payload) == expected
