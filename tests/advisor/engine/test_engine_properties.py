"""Properties over generated inputs: valid ones always get a sound answer, invalid
ones always get a ContractError that names fields, and volume moves costs one way."""

import dataclasses
import json
import math
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.engine import (
    DEFAULT_PRICES,
    ContractError,
    FieldError,
    api_monthly_cost,
    break_even_monthly_requests,
    decide,
    self_hosted_monthly_cost,
    validate,
)
from advisor.engine.contract import LANGUAGE_TASKS, TASKS
from advisor.engine.costs import MAX_MONTHLY_REQUESTS
from advisor.engine.result import PATHS, STACKS
from advisor.engine.rules import REASON_CODES

EXAMPLES = settings(max_examples=200)

organizations = st.fixed_dictionaries(
    {},
    optional={
        "name": st.none() | st.text(min_size=1, max_size=200),
        "industry": st.none() | st.text(min_size=1, max_size=80),
        "ml_engineers": st.integers(0, 100_000),
        "data_can_leave": st.booleans(),
    },
)
use_cases = st.fixed_dictionaries(
    {
        "name": st.text(min_size=1, max_size=120),
        "task": st.sampled_from(TASKS),
        "monthly_requests": st.integers(0, MAX_MONTHLY_REQUESTS),
    },
    optional={
        "input_tokens": st.integers(1, 2_000_000),
        "output_tokens": st.integers(1, 200_000),
        "latency_budget_ms": st.none() | st.integers(1, 600_000),
        "value_per_request_usd": st.none()
        | st.integers(0, 1000)
        | st.floats(0, 1e6, allow_nan=False, allow_infinity=False),
        "proprietary_data": st.sampled_from(["none", "some", "substantial"]),
        "format_consistency": st.sampled_from(["flexible", "critical"]),
        "sensitive_data": st.booleans(),
        "accuracy_lift_value": st.sampled_from(["low", "high"]),
    },
)
assessments = st.fixed_dictionaries(
    {"use_cases": st.lists(use_cases, min_size=1, max_size=6)},
    optional={"organization": organizations},
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
language_use_cases = st.builds(
    lambda task, tokens: validate(
        {"use_cases": [{"name": "x", "task": task, "monthly_requests": 0} | tokens]}
    ).use_cases[0],
    st.sampled_from(LANGUAGE_TASKS),
    st.fixed_dictionaries(
        {},
        optional={
            "input_tokens": st.integers(1, 2_000_000),
            "output_tokens": st.integers(1, 200_000),
        },
    ),
)
money = st.floats(0.01, 100, allow_nan=False, allow_infinity=False)
price_books = st.builds(
    lambda api_in, api_out, gpu_hour, utilisation: dataclasses.replace(
        DEFAULT_PRICES,
        api_model=dataclasses.replace(
            DEFAULT_PRICES.api_model,
            input_usd_per_million=api_in,
            output_usd_per_million=api_out,
        ),
        gpu=dataclasses.replace(DEFAULT_PRICES.gpu, usd_per_hour=gpu_hour),
        utilisation=dataclasses.replace(DEFAULT_PRICES.utilisation, value=utilisation),
    ),
    money,
    money,
    st.floats(0.1, 20, allow_nan=False, allow_infinity=False),
    st.floats(0.05, 1, allow_nan=False, allow_infinity=False),
)
volumes = st.integers(0, MAX_MONTHLY_REQUESTS)

_SEGMENT = r'(\[\d+\]|\["(?:[^"\\]|\\.)*"\]|\.[A-Za-z_]\w*)'
PATH_PATTERN = re.compile(
    rf"\(root\)|([A-Za-z_]\w*|\[\"(?:[^\"\\]|\\.)*\"\]){_SEGMENT}*"
)


@EXAMPLES
@given(assessments)
def test_every_valid_input_gets_a_sound_result(payload):
    result = decide(validate(payload)).to_dict()

    assert json.loads(json.dumps(result, allow_nan=False)) == result
    assert result == decide(validate(payload)).to_dict()
    assert result["stack"] in STACKS
    assert [case["name"] for case in result["use_cases"]] == [
        case["name"] for case in payload["use_cases"]
    ]
    for case in result["use_cases"]:
        assert case["path"] in PATHS
        assert 0 <= case["confidence"] <= 1
        assert round(case["confidence"], 2) == case["confidence"]
        assert case["reasons"] != []
        assert {reason["code"] for reason in case["reasons"]} <= set(REASON_CODES)
        assert case["next_steps"] != []
        assert case["effort"] != ""
        costs = case["costs"]
        money_figures = [
            costs["api_monthly_usd"],
            costs["self_hosted_monthly_usd"],
            costs["fine_tune_one_off_usd"],
        ]
        if case["kind"] == "predictive":
            assert (
                case["path"],
                money_figures,
                costs["break_even_monthly_requests"],
            ) == (
                "classical_ml",
                [None, None, None],
                None,
            )
        else:
            assert all(
                math.isfinite(x) and x >= 0 and round(x, 2) == x for x in money_figures
            )
            break_even = costs["break_even_monthly_requests"]
            assert break_even is None or 1 <= break_even <= MAX_MONTHLY_REQUESTS


@EXAMPLES
@given(assessments)
def test_stack_is_hybrid_exactly_when_paths_differ(payload):
    result = decide(validate(payload)).to_dict()
    paths = {case["path"] for case in result["use_cases"]}

    assert result["stack"] == (paths.pop() if len(paths) == 1 else "hybrid")


@EXAMPLES
@given(language_use_cases, price_books, volumes, volumes)
def test_more_volume_never_makes_the_api_relatively_cheaper(use_case, prices, a, b):
    low, high = min(a, b), max(a, b)

    def ratio(requests):
        return api_monthly_cost(use_case, prices, requests) / self_hosted_monthly_cost(
            use_case, prices, requests
        )

    # Allow one rounding step of the float division, nothing more.
    assert ratio(low) <= ratio(high) * (1 + 1e-12)


@EXAMPLES
@given(language_use_cases, price_books)
def test_break_even_is_where_self_hosting_starts_to_win(use_case, prices):
    def self_hosting_wins(requests):
        return self_hosted_monthly_cost(use_case, prices, requests) <= api_monthly_cost(
            use_case, prices, requests
        )

    volume = break_even_monthly_requests(use_case, prices)

    if volume is None:
        assert self_hosting_wins(MAX_MONTHLY_REQUESTS) is False
    else:
        assert (self_hosting_wins(volume - 1), self_hosting_wins(volume)) == (
            False,
            True,
        )


@EXAMPLES
@given(use_cases, volumes, volumes)
def test_more_volume_never_moves_a_use_case_back_to_the_api(case, a, b):
    def path(requests):
        return decide(
            validate({"use_cases": [case | {"monthly_requests": requests}]})
        ).to_dict()["use_cases"][0]["path"]

    low, high = min(a, b), max(a, b)

    assert (path(low), path(high)) != ("fine_tune", "api")


@EXAMPLES
@given(use_cases)
def test_cost_at_scale_fires_exactly_from_break_even(case):
    result = decide(validate({"use_cases": [case]})).to_dict()["use_cases"][0]
    break_even = result["costs"]["break_even_monthly_requests"]
    fired = "cost_at_scale" in [reason["code"] for reason in result["reasons"]]

    assert fired == (break_even is not None and case["monthly_requests"] >= break_even)


def contract_errors(payload) -> list[FieldError] | None:
    """The ContractError's field errors, or None when the engine answers."""
    try:
        decide(validate(payload)).to_dict()
    except ContractError as error:
        return error.errors
    return None


def assert_well_formed(errors: list[FieldError]) -> None:
    assert errors != []
    for error in errors:
        assert PATH_PATTERN.fullmatch(error.path), error.path
        assert error.message != ""
        assert str(error) == f"{error.path}: {error.message}"


@EXAMPLES
@given(json_values)
def test_arbitrary_json_yields_a_contract_error(payload):
    errors = contract_errors(payload)

    # A random value is (almost) never a valid assessment.
    assert errors is not None
    assert_well_formed(errors)


field_names = st.sampled_from(
    [
        "name",
        "task",
        "monthly_requests",
        "input_tokens",
        "output_tokens",
        "latency_budget_ms",
        "value_per_request_usd",
        "proprietary_data",
        "format_consistency",
        "sensitive_data",
        "accuracy_lift_value",
    ]
)
organization_fields = st.sampled_from(
    ["name", "industry", "ml_engineers", "data_can_leave"]
)
unknown_names = st.from_regex(r"[a-z_]{1,12}", fullmatch=True).filter(
    lambda name: name not in {"organization", "use_cases", "name", "industry", "task"}
)


@st.composite
def mutated_assessments(draw):
    """A valid assessment with one field replaced, added or removed; and its path."""
    payload = json.loads(json.dumps(draw(assessments)))
    payload.setdefault("organization", {})
    index = draw(st.integers(0, len(payload["use_cases"]) - 1))
    where = draw(st.sampled_from(["root", "organization", "use_case"]))
    if where == "root":
        target, prefix, field = (
            payload,
            "",
            draw(st.sampled_from(["organization", "use_cases"])),
        )
    elif where == "organization":
        target, prefix, field = (
            payload["organization"],
            "organization.",
            draw(organization_fields),
        )
    else:
        target, prefix, field = (
            payload["use_cases"][index],
            f"use_cases[{index}].",
            draw(field_names),
        )
    action = draw(st.sampled_from(["replace", "add_unknown", "remove"]))
    if action == "add_unknown":
        field = draw(unknown_names.filter(lambda name: name not in target))
        target[field] = draw(json_values)
    elif action == "remove":
        target.pop(field, None)
    else:
        target[field] = draw(json_values)
    return payload, prefix + field


@EXAMPLES
@given(mutated_assessments())
def test_mutated_input_is_either_valid_or_names_the_field(mutation):
    payload, path = mutation
    errors = contract_errors(payload)

    if errors is not None:
        assert_well_formed(errors)
        assert any(
            e.path == path or e.path.startswith((path + ".", path + "["))
            for e in errors
        ), (path, errors)
