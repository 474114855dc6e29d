"""The engine's output: its contract shape, the stack and the summary."""

import dataclasses
import json

import pytest

from advisor.engine import (
    DEFAULT_PRICES,
    ENGINE_VERSION,
    ContractError,
    Result,
    decide,
    validate,
)
from tests.helpers.engine import API, CLASSICAL, FINE_TUNE, use_case


def test_advise_returns_the_contract_shape():
    result = decide(validate({"use_cases": [API, CLASSICAL]})).to_dict()

    assert (
        list(result),
        list(result["use_cases"][0]),
        list(result["use_cases"][0]["costs"]),
        list(result["use_cases"][0]["reasons"][0]),
    ) == (
        ["engine_version", "price_book", "stack", "summary", "use_cases"],
        [
            "name",
            "task",
            "kind",
            "path",
            "confidence",
            "reasons",
            "costs",
            "next_steps",
            "effort",
        ],
        [
            "api_monthly_usd",
            "self_hosted_monthly_usd",
            "fine_tune_one_off_usd",
            "break_even_monthly_requests",
        ],
        ["code", "detail"],
    )


def test_advise_contract_example():
    payload = {
        "organization": {
            "name": "Acme Health",
            "industry": "healthcare",
            "ml_engineers": 2,
            "data_can_leave": False,
        },
        "use_cases": [
            use_case(
                "Triage note summaries",
                input_tokens=1800,
                output_tokens=250,
                latency_budget_ms=4000,
                value_per_request_usd=0.40,
                proprietary_data="some",
                sensitive_data=True,
            )
        ],
    }

    result = decide(validate(payload)).to_dict()
    only = result["use_cases"][0]

    assert (
        result["engine_version"],
        result["price_book"],
        result["stack"],
        only["path"],
        only["confidence"],
        [reason["code"] for reason in only["reasons"]],
        only["costs"],
    ) == (
        "2026.1",
        "default-2026-11",
        "fine_tune",
        "fine_tune",
        0.9,
        ["data_must_stay"],
        {
            "api_monthly_usd": 99.0,
            "self_hosted_monthly_usd": 1963.7,
            "fine_tune_one_off_usd": 32.28,
            "break_even_monthly_requests": 793_415,
        },
    )


def test_decide_returns_typed_records():
    result = decide(validate({"use_cases": [API]}))

    assert (
        type(result),
        result.use_cases[0].path,
        result.use_cases[0].reasons[0].code,
    ) == (
        Result,
        "api",
        "api_default",
    )


def test_advise_names_the_price_book_used():
    autumn = dataclasses.replace(DEFAULT_PRICES, name="autumn-2026")

    assert (
        decide(validate({"use_cases": [API]}), autumn).to_dict()["price_book"]
        == "autumn-2026"
    )


def test_advise_raises_contract_error_on_bad_input():
    with pytest.raises(ContractError) as caught:
        decide(validate({"use_cases": [use_case(monthly_requests=-5)]})).to_dict()

    assert [str(e) for e in caught.value.errors] == [
        "use_cases[0].monthly_requests: must be >= 0"
    ]


def test_advise_output_is_strict_json():
    result = decide(validate({"use_cases": [API, FINE_TUNE, CLASSICAL]})).to_dict()

    assert json.loads(json.dumps(result, allow_nan=False)) == result


def test_advise_rounds_money_to_cents():
    # 3,333 x (2,000 x $0.75 + 250 x $4.50) / 1M = $8.749125
    costs = decide(
        validate({"use_cases": [use_case(monthly_requests=3333)]})
    ).to_dict()["use_cases"][0]["costs"]

    assert (costs["api_monthly_usd"], costs["self_hosted_monthly_usd"]) == (
        8.75,
        1963.7,
    )


def test_engine_version_is_fixed():
    assert ENGINE_VERSION == "2026.1"


@pytest.mark.parametrize(
    ("use_cases", "stack"),
    [
        ([API], "api"),
        ([API, use_case("More summaries")], "api"),
        ([FINE_TUNE], "fine_tune"),
        ([FINE_TUNE, use_case("Notes", sensitive_data=True)], "fine_tune"),
        ([CLASSICAL, use_case("Demand", "forecasting")], "classical_ml"),
        ([API, FINE_TUNE], "hybrid"),
        ([API, CLASSICAL], "hybrid"),
        ([FINE_TUNE, CLASSICAL], "hybrid"),
        ([API, FINE_TUNE, CLASSICAL], "hybrid"),
    ],
)
def test_stack_is_the_shared_path_or_hybrid(use_cases, stack):
    assert decide(validate({"use_cases": use_cases})).to_dict()["stack"] == stack


@pytest.mark.parametrize(
    ("use_cases", "summary"),
    [
        (
            [API],
            (
                "This use case fits a model API: start there and revisit when volume or "
                "requirements change. At today's volumes the API use cases cost about $105 a "
                "month in total."
            ),
        ),
        (
            [API, use_case("Tags", "text_classification", 1000)],
            (
                "All 2 use cases fit a model API: start there and revisit when volume or "
                "requirements change. At today's volumes the API use cases cost about $105 a "
                "month in total."
            ),
        ),
        (
            [FINE_TUNE],
            "This use case needs a fine-tuned small model that you host yourself.",
        ),
        (
            [FINE_TUNE, FINE_TUNE],
            (
                "All 2 use cases need fine-tuned small models that you host yourself; several "
                "tuned adapters can share one GPU service."
            ),
        ),
        (
            [CLASSICAL],
            (
                "This use case is prediction from your own data: classical ML models, no "
                "language model needed."
            ),
        ),
        (
            [API, API, FINE_TUNE, CLASSICAL],
            (
                "A hybrid stack: 2 use cases on model APIs, 1 use case on a fine-tuned model you "
                "host and 1 use case on a classical ML model. Each part uses the simplest tool "
                "that fits its job. At today's volumes the API use cases cost about $210 a month "
                "in total."
            ),
        ),
        (
            [FINE_TUNE, CLASSICAL, CLASSICAL],
            (
                "A hybrid stack: 1 use case on a fine-tuned model you host and 2 use cases on "
                "classical ML models. Each part uses the simplest tool that fits its job."
            ),
        ),
        (
            [use_case(monthly_requests=0)],
            (
                "This use case fits a model API: start there and revisit when volume or "
                "requirements change."
            ),
        ),
    ],
)
def test_summary_describes_the_stack(use_cases, summary):
    assert decide(validate({"use_cases": use_cases})).to_dict()["summary"] == summary
