"""The engine's output: its contract shape (version 2 fields included), the stack, the
summary and totals, and how stored answers read back."""

import dataclasses
import json
import math
from pathlib import Path

import pytest

from advisor.engine import (
    DEFAULT_PRICES,
    ENGINE_VERSION,
    ContractError,
    Result,
    decide,
    result_from_dict,
    validate,
)
from advisor.engine.compliance import COMPLIANCE_CODES
from advisor.engine.result import OPTION_PATHS, OPTIONS
from advisor.engine.rules import (
    CONFIDENT,
    REASON_CODES,
    STRENGTH_DATA_MUST_STAY,
    WARNING_CODES,
)
from advisor.engine.text import usd_approx
from tests.advisor.engine.cases import (
    answer,
    assessment,
    chosen,
    codes,
    options_of,
    overprecise_figures,
    per_request,
    texts_of,
    use_case,
    validated,
)
from tests.helpers.engine import API, CLASSICAL, FINE_TUNE

CONTRACT_EXAMPLE = (
    Path(__file__).resolve().parents[3] / "docs" / "examples" / "acme-health.json"
)
OPTION_KEYS = [
    "option",
    "model",
    "monthly_usd",
    "one_off_usd",
    "people_monthly_usd",
    "tco_3y_usd",
    "ruled_out",
]
# Every kind of answer in one assessment: an API, a model of one's own, a classical
# model, a warning, compliance notes and flips.
EVERYTHING = assessment(
    API,
    FINE_TUNE,
    CLASSICAL,
    use_case(
        "Staff assistant", "question_answering", sensitive_data=True, user_facing=True
    ),
    use_case("Long reports", input_tokens=200_000, sensitive_data=True),
    use_case("Nightly digests", monthly_requests=800_000, batch_ok=True),
    use_case("Invoice capture", "document_extraction"),
    ml_engineers=2,
    regulations=["gdpr", "eu_ai_act"],
)


def test_answer_has_the_contracts_shape():
    result = answer(assessment(API, CLASSICAL))
    case = result["use_cases"][0]

    assert (
        list(result),
        list(case),
        list(case["costs"]),
        list(case["costs"]["options"][0]),
        list(case["reasons"][0]),
        list(case["flips"][0]),
        list(result["totals"]),
    ) == (
        ["engine_version", "price_book", "stack", "summary", "totals", "use_cases"],
        [
            "name",
            "task",
            "kind",
            "path",
            "option",
            "confidence",
            "reasons",
            "costs",
            "flips",
            "warnings",
            "compliance",
            "next_steps",
            "effort",
        ],
        [
            "api_monthly_usd",
            "self_hosted_monthly_usd",
            "fine_tune_one_off_usd",
            "break_even_monthly_requests",
            "break_even_monthly_requests_range",
            "options",
        ],
        OPTION_KEYS,
        ["code", "detail"],
        ["input", "value", "path", "detail"],
        ["monthly_usd", "one_off_usd", "tco_3y_usd"],
    )


def test_engine_version_is_2026_2():
    assert (ENGINE_VERSION, answer(assessment(API))["engine_version"]) == (
        "2026.2",
        "2026.2",
    )


def test_every_answer_keeps_to_the_fixed_codes_and_option_names():
    result = answer(EVERYTHING)

    for case in result["use_cases"]:
        assert case["option"] in OPTIONS
        assert OPTION_PATHS[case["option"]] == case["path"]
        assert set(codes(case["reasons"])) <= set(REASON_CODES)
        assert set(codes(case["warnings"])) <= set(WARNING_CODES)
        assert set(codes(case["compliance"])) <= set(COMPLIANCE_CODES)
        for entry in case["costs"]["options"]:
            assert (list(entry), entry["option"] in OPTIONS) == (OPTION_KEYS, True)
    # The assessment was built to show each kind of note at least once.
    assert {
        "warnings": any(case["warnings"] for case in result["use_cases"]),
        "compliance": any(case["compliance"] for case in result["use_cases"]),
        "flips": any(case["flips"] for case in result["use_cases"]),
    } == {"warnings": True, "compliance": True, "flips": True}


def test_the_chosen_option_is_priced_and_usable():
    for case in answer(EVERYTHING)["use_cases"]:
        options = options_of(case)
        same_path = [
            entry
            for entry in options.values()
            if OPTION_PATHS[entry["option"]] == case["path"]
            and entry["ruled_out"] is None
        ]
        assert case["option"] in options
        if same_path:
            assert options[case["option"]]["ruled_out"] is None, case["name"]


def test_break_even_range_brackets_the_central_figure():
    for case in answer(EVERYTHING)["use_cases"]:
        costs = case["costs"]
        span = costs["break_even_monthly_requests_range"]
        central = costs["break_even_monthly_requests"]
        if case["kind"] == "predictive":
            assert (span, central) == (None, None)
        else:
            low, high = span
            assert low <= central <= high, case["name"]
            for figure in (low, central, high):
                assert len(str(figure).rstrip("0")) <= 2, figure


def test_totals_add_up_the_chosen_options_to_the_cent():
    result = answer(EVERYTHING)
    picked = [chosen(case) for case in result["use_cases"]]

    assert result["totals"] == {
        key: round(math.fsum(entry[key] for entry in picked), 2)
        for key in ("monthly_usd", "one_off_usd", "tco_3y_usd")
    }


def test_a_version_1_input_gets_a_full_version_2_answer():
    # The contract example written for version 1: Acme Health's data may not leave,
    # so the summaries need an open-weight model of their own, fast enough for 4 s.
    payload = json.loads(CONTRACT_EXAMPLE.read_text())
    result = answer(payload)
    only = result["use_cases"][0]

    assert (
        result["engine_version"],
        result["price_book"],
        result["stack"],
        only["path"],
        only["option"],
        only["confidence"],
        codes(only["reasons"]),
        only["warnings"],
        only["compliance"],
    ) == (
        "2026.2",
        DEFAULT_PRICES.name,
        "fine_tune",
        "fine_tune",
        "self_hosted_open_weight",
        STRENGTH_DATA_MUST_STAY,
        ["data_must_stay"],
        [],
        [],
    )
    assert {
        entry["ruled_out"]["code"]
        for entry in only["costs"]["options"]
        if entry["option"] in {"api_small", "api_frontier", "hosted_open_weight"}
    } == {"data_must_stay"}


def test_decide_returns_typed_records():
    result = decide(validate(assessment(API)))

    assert (
        type(result),
        result.use_cases[0].path,
        result.use_cases[0].option,
        result.use_cases[0].reasons[0].code,
    ) == (Result, "api", "api_small", "api_default")


def test_answer_names_the_price_book_used():
    autumn = dataclasses.replace(DEFAULT_PRICES, name="autumn-2026")

    assert answer(assessment(API), autumn)["price_book"] == "autumn-2026"


def test_bad_input_raises_a_contract_error_naming_the_field():
    with pytest.raises(ContractError) as caught:
        decide(validate(assessment(use_case(monthly_requests=-5))))

    assert [str(e) for e in caught.value.errors] == [
        "use_cases[0].monthly_requests: must be >= 0"
    ]


def test_answer_is_strict_json():
    result = answer(EVERYTHING)

    assert json.loads(json.dumps(result, allow_nan=False)) == result


def test_money_is_rounded_to_cents():
    # 3,333 summaries on the cheapest capable tier
    costs = answer(assessment(use_case(monthly_requests=3333)))["use_cases"][0]["costs"]
    nano = DEFAULT_PRICES.offers.small_models[0]

    assert costs["api_monthly_usd"] == round(3333 * per_request(nano, validated()), 2)
    for entry in costs["options"]:
        for key in ("monthly_usd", "one_off_usd", "people_monthly_usd", "tco_3y_usd"):
            assert round(entry[key], 2) == entry[key]


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
    assert answer(assessment(*use_cases))["stack"] == stack


@pytest.mark.parametrize(
    ("use_cases", "opening"),
    [
        (
            [API],
            (
                "This use case fits a model API: start there and revisit when volume or "
                "requirements change."
            ),
        ),
        (
            [API, use_case("Tags", "text_classification", 1000)],
            ("All 2 use cases fit a model API"),
        ),
        (
            [use_case("Notes", sensitive_data=True)],
            ("This use case needs a smaller model of your own."),
        ),
        ([FINE_TUNE], "This use case points to a smaller model of your own."),
        ([FINE_TUNE, FINE_TUNE], "All 2 use cases point to smaller models of your own"),
        ([CLASSICAL], "This use case is prediction from your own data"),
        (
            [API, API, FINE_TUNE, CLASSICAL],
            (
                "A hybrid stack: 2 use cases on model APIs, 1 use case on a smaller model of "
                "your own and 1 use case on a classical ML model."
            ),
        ),
    ],
)
def test_summary_names_the_stack_and_adds_up_the_bill(use_cases, opening):
    result = answer(assessment(*use_cases, ml_engineers=2))
    totals = result["totals"]

    assert result["summary"].startswith(opening)
    assert result["summary"].endswith(
        f"Together, the recommended options cost about {usd_approx(totals['monthly_usd'])} "
        f"a month to run and {usd_approx(totals['tco_3y_usd'])} over three years, build "
        "and people included."
    )


def test_summary_says_needs_only_when_every_verdict_is_sure():
    sure = answer(assessment(use_case(sensitive_data=True), ml_engineers=2))
    unsure = answer(assessment(FINE_TUNE, ml_engineers=2))

    assert (
        sure["use_cases"][0]["confidence"]
        >= CONFIDENT
        > unsure["use_cases"][0]["confidence"]
    )
    assert ("needs" in sure["summary"], "needs" in unsure["summary"]) == (True, False)


def test_an_answer_reads_back_into_the_same_records():
    result = decide(validate(EVERYTHING))
    stored = json.loads(json.dumps(result.to_dict()))

    assert result_from_dict(stored) == result


# An answer stored by engine 2026.1: no option, flips, warnings, compliance or totals.
STORED_2026_1 = {
    "engine_version": "2026.1",
    "price_book": "default-2026-11",
    "stack": "fine_tune",
    "summary": "This use case needs a fine-tuned small model that you host yourself.",
    "use_cases": [
        {
            "name": "Triage note summaries",
            "task": "summarization",
            "kind": "language",
            "path": "fine_tune",
            "confidence": 0.9,
            "reasons": [
                {"code": "data_must_stay", "detail": "Acme Health keeps its data."}
            ],
            "costs": {
                "api_monthly_usd": 99.0,
                "self_hosted_monthly_usd": 1963.7,
                "fine_tune_one_off_usd": 32.28,
                "break_even_monthly_requests": 793_415,
            },
            "next_steps": ["Run an untuned open-weight model first."],
            "effort": "Within reach for your 2 ML engineers.",
        }
    ],
}


def test_a_stored_2026_1_answer_reads_back_with_the_new_fields_empty():
    result = result_from_dict(STORED_2026_1)
    only = result.use_cases[0]

    assert (
        result.engine_version,
        result.totals,
        only.path,
        only.option,
        only.flips,
        only.warnings,
        only.compliance,
        only.costs.options,
        only.costs.break_even_monthly_requests_range,
        only.costs.break_even_monthly_requests,
        only.reasons[0].code,
    ) == (
        "2026.1",
        None,
        "fine_tune",
        None,
        (),
        (),
        (),
        (),
        None,
        793_415,
        "data_must_stay",
    )


def test_a_stored_2026_1_answer_renders_back_to_json_with_the_new_fields_empty():
    rendered = result_from_dict(STORED_2026_1).to_dict()
    only = rendered["use_cases"][0]

    assert (
        rendered["totals"],
        only["option"],
        only["flips"],
        only["warnings"],
        only["compliance"],
        only["costs"]["options"],
        only["costs"]["break_even_monthly_requests_range"],
    ) == (None, None, [], [], [], [], None)


def test_the_oldest_stored_answers_without_costs_or_steps_still_read():
    oldest = {
        "stack": "api",
        "use_cases": [{"path": "api", "confidence": 0.85, "reasons": []}],
    }

    only = result_from_dict(oldest).use_cases[0]

    assert (only.costs.api_monthly_usd, only.next_steps, only.effort, only.option) == (
        None,
        (),
        "",
        None,
    )


@pytest.mark.parametrize(
    "monthly_requests",
    [0, 1_234, 43_637, 812_345, 4_363_778, 38_765_432, 150_123_456, 4_363_778_901],
)
def test_figures_in_the_sentences_keep_two_significant_figures(monthly_requests):
    # Estimates read as estimates: "$2,100", "4.4 million", never "$2,137.40" or
    # "4,363,778", and hundreds of millions as "150 million", never "1.5e+02 million".
    payload = json.loads(json.dumps(EVERYTHING))
    for case in payload["use_cases"]:
        case["monthly_requests"] = monthly_requests
    payload["use_cases"].append(
        use_case(
            "Odd figures", value_per_request_usd=0.001_234_5, latency_budget_ms=1_999
        )
        | {"monthly_requests": monthly_requests}
    )

    for text in texts_of(answer(payload)):
        assert overprecise_figures(text) == [], text
