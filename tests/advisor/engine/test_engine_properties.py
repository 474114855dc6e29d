"""Properties over generated inputs: valid ones always get a sound answer, invalid
ones always get a ContractError that names fields; volume and the team move the
verdict one way only; totals add up; flips do what they say; and the sentences keep
their figures to two significant figures."""

import json
import math
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from advisor.engine import ContractError, FieldError, decide, validate
from advisor.engine.compliance import COMPLIANCE_CODES, PROVIDER_OPTIONS
from advisor.engine.contract import LANGUAGE_TASKS, REGULATIONS, TASKS
from advisor.engine.costs import MAX_MONTHLY_REQUESTS
from advisor.engine.options import (
    CLASSICAL_LATENCY_MS,
    VENDOR_LATENCY_MS,
    Priced,
    cheaper_from,
)
from advisor.engine.result import OPTION_PATHS, OPTIONS, PATHS, STACKS
from advisor.engine.rules import REASON_CODES, UNSERVABLE_CONFIDENCE, WARNING_CODES
from tests.advisor.engine.cases import (
    chosen,
    overprecise_figures,
    texts_of,
    use_case_index,
    with_flip,
)

# Enough cases to explore every rule, few enough for the engine's tests to stay
# within seconds: each example decides several use cases, some of them again.
EXAMPLES = settings(max_examples=300, deadline=None)
FEW = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Volumes and sizes spread over orders of magnitude, so that small, medium and
# huge use cases all come up (a uniform draw up to ten billion almost never
# gives fewer than a billion).
volumes = st.one_of(
    st.integers(0, 10_000),
    st.integers(0, 1_000_000),
    st.integers(0, 100_000_000),
    st.integers(0, MAX_MONTHLY_REQUESTS),
)
organizations = st.fixed_dictionaries(
    {},
    optional={
        "name": st.none() | st.text(min_size=1, max_size=200),
        "industry": st.none()
        | st.sampled_from(
            ["healthcare", "financial_services", "public_sector", "retail"]
        )
        | st.text(min_size=1, max_size=80),
        "ml_engineers": st.integers(0, 60) | st.integers(0, 100_000),
        "data_can_leave": st.booleans(),
        "regulations": st.lists(st.sampled_from(REGULATIONS), max_size=5),
    },
)
use_cases = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["Summaries", "CV screening", "Credit scoring"])
        | st.text(min_size=1, max_size=120),
        "task": st.sampled_from(TASKS),
        "monthly_requests": volumes,
    },
    optional={
        "input_tokens": st.integers(1, 5_000) | st.integers(1, 2_000_000),
        "output_tokens": st.integers(1, 1_000) | st.integers(1, 200_000),
        "latency_budget_ms": st.none()
        | st.integers(50, 5_000)
        | st.integers(1, 600_000),
        "value_per_request_usd": st.none()
        | st.integers(0, 1000)
        | st.floats(0, 1e6, allow_nan=False, allow_infinity=False),
        "proprietary_data": st.sampled_from(["none", "some", "substantial"]),
        "format_consistency": st.sampled_from(["flexible", "critical"]),
        "sensitive_data": st.booleans(),
        "accuracy_lift_value": st.sampled_from(["low", "high"]),
        "user_facing": st.booleans(),
        "batch_ok": st.booleans(),
    },
)
assessments = st.fixed_dictionaries(
    {"use_cases": st.lists(use_cases, min_size=1, max_size=4)},
    optional={"organization": organizations},
)
# Inputs written for version 1 of the contract: still valid, still answered in full.
V1_FIELDS = (
    "input_tokens",
    "output_tokens",
    "latency_budget_ms",
    "value_per_request_usd",
    "proprietary_data",
    "format_consistency",
    "sensitive_data",
    "accuracy_lift_value",
)
v1_assessments = st.fixed_dictionaries(
    {
        "use_cases": st.lists(
            use_cases.map(
                lambda case: (
                    {
                        k: v
                        for k, v in case.items()
                        if k in {"name", "task", "monthly_requests", *V1_FIELDS}
                        and not (k == "task" and v == "document_extraction")
                    }
                    | (
                        {"task": "extraction"}
                        if case["task"] == "document_extraction"
                        else {}
                    )
                )
            ),
            min_size=1,
            max_size=4,
        )
    },
    optional={
        "organization": organizations.map(
            lambda org: {k: v for k, v in org.items() if k != "regulations"}
        )
    },
)


def answer(payload):
    return decide(validate(payload)).to_dict()


def single(organization, case):
    return {"organization": organization, "use_cases": [case]}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
_SEGMENT = r'(\[\d+\]|\["(?:[^"\\]|\\.)*"\]|\.[A-Za-z_]\w*)'
PATH_PATTERN = re.compile(
    rf"\(root\)|([A-Za-z_]\w*|\[\"(?:[^\"\\]|\\.)*\"\]){_SEGMENT}*"
)
MONEY_KEYS = ("monthly_usd", "one_off_usd", "people_monthly_usd", "tco_3y_usd")


def assert_sound(payload, result):
    assert json.loads(json.dumps(result, allow_nan=False)) == result
    assert result["engine_version"] == "2026.2"
    assert result["stack"] in STACKS
    assert [case["name"] for case in result["use_cases"]] == [
        case["name"] for case in payload["use_cases"]
    ]
    for case in result["use_cases"]:
        assert case["path"] in PATHS
        assert case["option"] in OPTIONS
        assert OPTION_PATHS[case["option"]] == case["path"]
        assert 0 <= case["confidence"] <= 1
        assert round(case["confidence"], 2) == case["confidence"]
        assert case["reasons"] != []
        assert {reason["code"] for reason in case["reasons"]} <= set(REASON_CODES)
        assert {note["code"] for note in case["warnings"]} <= set(WARNING_CODES)
        assert {note["code"] for note in case["compliance"]} <= set(COMPLIANCE_CODES)
        for note in (*case["reasons"], *case["warnings"], *case["compliance"]):
            assert (list(note), note["detail"] != "") == (["code", "detail"], True)
        assert all(
            set(flip) == {"input", "value", "path", "detail"} for flip in case["flips"]
        )
        assert case["next_steps"] != []
        assert case["effort"] != ""
        costs = case["costs"]
        assert case["option"] in {entry["option"] for entry in costs["options"]}
        for entry in costs["options"]:
            assert all(
                math.isfinite(entry[key])
                and entry[key] >= 0
                and round(entry[key], 2) == entry[key]
                for key in MONEY_KEYS
            ), entry
            assert entry["tco_3y_usd"] == round(
                36 * (entry["monthly_usd"] + entry["people_monthly_usd"])
                + entry["one_off_usd"],
                2,
            ), entry
        money_figures = [
            costs["api_monthly_usd"],
            costs["self_hosted_monthly_usd"],
            costs["fine_tune_one_off_usd"],
        ]
        span = costs["break_even_monthly_requests_range"]
        central = costs["break_even_monthly_requests"]
        if case["kind"] == "predictive":
            assert (case["path"], money_figures, central, span, case["flips"]) == (
                "classical_ml",
                [None, None, None],
                None,
                None,
                [],
            )
        else:
            assert case["path"] != "classical_ml"
            assert all(
                x is None or (math.isfinite(x) and x >= 0 and round(x, 2) == x)
                for x in money_figures
            )
            assert central is None or 1 <= central <= MAX_MONTHLY_REQUESTS
            if span is not None:
                low, high = span
                assert low <= high
                assert central is None or low <= central <= high, (span, central)
                assert all(
                    len(str(figure).strip("0")) <= 2 for figure in (low, high)
                ), span


@EXAMPLES
@given(assessments)
def test_every_valid_input_gets_a_sound_result(payload):
    result = answer(payload)

    assert_sound(payload, result)
    assert result == answer(payload)


@FEW
@given(v1_assessments)
def test_every_version_1_input_gets_a_full_version_2_answer(payload):
    assert_sound(payload, answer(payload))


@EXAMPLES
@given(assessments)
def test_stack_is_hybrid_exactly_when_paths_differ(payload):
    result = answer(payload)
    paths = {case["path"] for case in result["use_cases"]}

    assert result["stack"] == (paths.pop() if len(paths) == 1 else "hybrid")


@EXAMPLES
@given(assessments)
def test_totals_are_the_sum_of_the_chosen_options_to_the_cent(payload):
    result = answer(payload)
    picked = [chosen(case) for case in result["use_cases"]]

    assert result["totals"] == {
        key: round(math.fsum(entry[key] for entry in picked), 2)
        for key in ("monthly_usd", "one_off_usd", "tco_3y_usd")
    }


@EXAMPLES
@given(assessments)
def test_the_chosen_option_is_usable_whenever_its_path_has_a_usable_one(payload):
    # In particular an option too slow for the budget is never chosen while one of
    # its path answers in time.
    for case in answer(payload)["use_cases"]:
        usable = [
            entry
            for entry in case["costs"]["options"]
            if entry["ruled_out"] is None
            and OPTION_PATHS[entry["option"]] == case["path"]
        ]
        if usable:
            assert chosen(case)["ruled_out"] is None, (case["option"], chosen(case))


@EXAMPLES
@given(assessments)
def test_an_option_too_slow_is_never_chosen_while_its_path_has_one_in_time(payload):
    for case in answer(payload)["use_cases"]:
        ruled_out = chosen(case)["ruled_out"]
        if ruled_out is not None and ruled_out["code"] == "latency":
            assert not any(
                entry["ruled_out"] is None
                for entry in case["costs"]["options"]
                if OPTION_PATHS[entry["option"]] == case["path"]
            ), case["costs"]["options"]


@FEW
@given(assessments)
def test_every_flip_applied_gives_the_path_it_promises(payload):
    result = answer(payload)

    for index, case in enumerate(result["use_cases"]):
        for flip in case["flips"]:
            assert use_case_index(flip) in {index, None}
            assert flip["path"] != case["path"]
            changed = answer(with_flip(payload, flip))["use_cases"][index]
            assert changed["path"] == flip["path"], (flip, case["path"])


@EXAMPLES
@given(organizations, use_cases, volumes)
def test_more_volume_never_moves_a_use_case_back_to_the_api(organization, case, other):
    def path(requests):
        payload = single(organization, case | {"monthly_requests": requests})
        return answer(payload)["use_cases"][0]["path"]

    low, high = sorted((case["monthly_requests"], other))

    assert (path(low), path(high)) != ("fine_tune", "api")


@EXAMPLES
@given(organizations, use_cases, st.integers(0, 60))
def test_fewer_ml_engineers_never_make_owning_more_attractive(
    organization, case, other
):
    def path(engineers):
        payload = single(organization | {"ml_engineers": engineers}, case)
        return answer(payload)["use_cases"][0]["path"]

    fewer, more = sorted((organization.get("ml_engineers", 0), other))

    if path(more) == "api":
        assert path(fewer) == "api"


def line(option, base, slope, knee, people, one_off):
    return Priced(option, option, base, slope, knee, people, one_off, None, None)


money = st.floats(0, 50_000, allow_nan=False)
per_request = st.floats(1e-7, 0.05, allow_nan=False)


@EXAMPLES
@given(
    money,
    per_request,
    st.floats(0, 1e9),
    money,
    money,
    per_request,
    money,
    money,
    st.sampled_from([1.0, 0.75]),
    st.integers(0, 10**10),
)
def test_cheaper_from_is_where_owning_starts_to_win_and_keeps_winning(
    base, slope, knee, people, one_off, api_slope, api_people, api_one_off, share, probe
):
    owned = line("self_hosted_open_weight", base, slope, knee, people, one_off)
    bought = line("api_small", 0.0, api_slope, 0.0, api_people, api_one_off)

    def wins(volume):
        # Within one rounding step of the float arithmetic.
        return owned.tco(volume) <= share * bought.tco(volume) * (1 + 1e-12)

    def strictly_wins(volume):
        return owned.tco(volume) <= share * bought.tco(volume)

    volume = cheaper_from(owned, bought, share)

    if volume is None:
        assert not wins(10**10) or slope >= share * api_slope
    else:
        assert wins(volume)
        assert (
            volume == 0
            or not strictly_wins(volume - 1)
            or owned.fixed <= share * bought.fixed
        )
        if probe >= volume:
            assert wins(probe)


@EXAMPLES
@example(
    {
        "use_cases": [
            {
                "name": "Invoice capture",
                "task": "document_extraction",
                "monthly_requests": 150_000_000,
            }
        ]
    }
)
@given(assessments)
def test_figures_in_every_sentence_keep_two_significant_figures(payload):
    for text in texts_of(answer(payload)):
        assert overprecise_figures(text) == [], text


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
        "user_facing",
        "batch_ok",
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
    ["name", "industry", "ml_engineers", "data_can_leave", "regulations"]
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


def must_stay(payload, index):
    organization = payload.get("organization", {})
    case = payload["use_cases"][index]
    return not organization.get("data_can_leave", True) or case.get(
        "sensitive_data", False
    )


@EXAMPLES
@example(
    {
        "use_cases": [
            {
                "name": "Card fraud",
                "task": "fraud_detection",
                "monthly_requests": 100_000,
                "proprietary_data": "some",
                "sensitive_data": True,
                "latency_budget_ms": 5,
            }
        ]
    }
)
@given(assessments)
def test_data_that_must_stay_is_never_sent_to_a_provider(payload):
    result = answer(payload)

    for index, case in enumerate(result["use_cases"]):
        if must_stay(payload, index):
            ruled_out = chosen(case)["ruled_out"]
            assert case["option"] not in PROVIDER_OPTIONS, case["option"]
            assert ruled_out is None or ruled_out["code"] != "data_must_stay"


@EXAMPLES
@example(
    {"ml_engineers": 2},
    {
        "name": "Card fraud",
        "task": "fraud_detection",
        "monthly_requests": 100_000,
        "proprietary_data": "some",
    },
    5,
)
@given(
    organizations,
    use_cases.filter(lambda case: case["task"] not in LANGUAGE_TASKS),
    st.integers(1, 400),
)
def test_a_budget_no_classical_option_meets_is_warned_about(organization, case, budget):
    payload = single(organization, case | {"latency_budget_ms": budget})
    result = answer(payload)["use_cases"][0]

    if budget < min(CLASSICAL_LATENCY_MS, VENDOR_LATENCY_MS):
        assert "latency_infeasible" in [note["code"] for note in result["warnings"]]
        assert result["confidence"] <= UNSERVABLE_CONFIDENCE
    else:
        assert "latency_infeasible" not in [note["code"] for note in result["warnings"]]


@EXAMPLES
@example(
    {
        "organization": {"ml_engineers": 2, "data_can_leave": False},
        "use_cases": [
            {
                "name": "Campaign copy",
                "task": "content_generation",
                "monthly_requests": 40_000,
                "accuracy_lift_value": "high",
            }
        ],
    }
)
@given(assessments)
def test_an_answer_that_recommends_an_incapable_option_says_so(payload):
    # Nothing that may see the data is capable enough: the closest is recommended,
    # with a reason that says so and the confidence of a guess.
    for case in answer(payload)["use_cases"]:
        ruled_out = chosen(case)["ruled_out"]
        if ruled_out is not None and ruled_out["code"] in {
            "quality",
            "nothing_to_tune",
        }:
            assert "capability_gap" in [reason["code"] for reason in case["reasons"]]
            assert case["confidence"] <= UNSERVABLE_CONFIDENCE, case["option"]
