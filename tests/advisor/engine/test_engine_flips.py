"""Flips: what would change a verdict. Each one is checked by doing what it says,
deciding again, and getting the path it promised.
"""

import pytest

from advisor.engine.result import PATHS
from advisor.engine.text import approx
from tests.advisor.engine.cases import (
    answer,
    assessment,
    codes,
    decide_one,
    use_case,
    use_case_index,
    with_flip,
)

TEAM = {"ml_engineers": 2}


def payload_of(organization=None, **fields):
    return assessment(use_case(**fields), **(organization or {}))


def flips_of(payload, index=0):
    return answer(payload)["use_cases"][index]["flips"]


def flip_on(payload, field, index=0):
    found = [flip for flip in flips_of(payload, index) if flip["input"].endswith(field)]
    assert len(found) == 1, flips_of(payload, index)
    return found[0]


def path_at(payload, index=0):
    return answer(payload)["use_cases"][index]["path"]


def step_below(value):
    """One step of the second significant figure: 36,000,000 -> 1,000,000."""
    return 10 ** (len(str(value)) - 2)


def with_volume(payload, volume):
    return with_flip(
        payload, {"input": "use_cases[0].monthly_requests", "value": volume}
    )


def test_a_volume_flip_on_an_api_verdict_moves_it_at_exactly_that_volume():
    # Ticket summaries at 800,000 a month: the flip names the volume from which a
    # model of one's own is clearly cheaper, rounded up to two figures. At it the
    # verdict moves; one rounding step below, the API stays.
    payload = payload_of(TEAM, monthly_requests=800_000)
    flip = flip_on(payload, ".monthly_requests")
    value = flip["value"]

    assert (path_at(payload), flip["path"]) == ("api", "fine_tune")
    assert path_at(with_flip(payload, flip)) == "fine_tune"
    assert path_at(with_volume(payload, value - step_below(value))) == "api"


def test_the_volume_where_cost_moves_the_verdict_lies_within_the_flips_rounding():
    payload = payload_of(TEAM, monthly_requests=800_000)
    value = flip_on(payload, ".monthly_requests")["value"]
    low, high = value - step_below(value), value
    # The API holds below the threshold and owning above it: halve the interval
    # until the exact volume is found.
    while high - low > 1:
        middle = (low + high) // 2
        if path_at(with_volume(payload, middle)) == "api":
            low = middle
        else:
            high = middle

    moved = answer(with_volume(payload, high))["use_cases"][0]
    assert (path_at(with_volume(payload, low)), moved["path"]) == ("api", "fine_tune")
    assert codes(moved["reasons"]) == ["cost_at_scale"]
    assert value - step_below(value) < high <= value


def test_a_volume_flip_on_a_cost_verdict_says_where_the_api_comes_back():
    payload = payload_of(TEAM, monthly_requests=40_000_000)
    flip = flip_on(payload, ".monthly_requests")
    value = flip["value"]

    assert (path_at(payload), flip["path"]) == ("fine_tune", "api")
    assert path_at(with_flip(payload, flip)) == "api"
    assert path_at(with_volume(payload, value + step_below(value))) == "fine_tune"


def test_the_next_step_to_revisit_names_the_flips_volume():
    result = decide_one(TEAM, monthly_requests=800_000)
    flip = flip_on(payload_of(TEAM, monthly_requests=800_000), ".monthly_requests")

    assert result["next_steps"][-1] == (
        f"Revisit a model of your own if volume passes about {approx(flip['value'])} "
        "requests a month."
    )


def test_data_can_leave_flips_a_verdict_it_drives():
    payload = payload_of({**TEAM, "data_can_leave": False})
    flip = flip_on(payload, "data_can_leave")

    assert (path_at(payload), flip["input"], flip["value"], flip["path"]) == (
        "fine_tune",
        "organization.data_can_leave",
        True,
        "api",
    )
    assert path_at(with_flip(payload, flip)) == "api"


def test_sensitive_data_flips_a_verdict_it_drives():
    payload = payload_of(TEAM, sensitive_data=True)
    flip = flip_on(payload, "sensitive_data")

    assert (flip["input"], flip["value"], flip["path"]) == (
        "use_cases[0].sensitive_data",
        False,
        "api",
    )
    assert path_at(with_flip(payload, flip)) == "api"


def test_no_data_flip_when_both_the_company_and_the_use_case_keep_data_in():
    # Changing one answer alone would not move the verdict: no flip promises it would.
    payload = payload_of({**TEAM, "data_can_leave": False}, sensitive_data=True)

    assert (path_at(payload), flips_of(payload)) == ("fine_tune", [])


def test_no_data_flip_when_cost_alone_would_keep_the_model():
    # At 40 million a month owning is clearly cheaper anyway.
    payload = payload_of(TEAM, monthly_requests=40_000_000, sensitive_data=True)

    assert "sensitive_data" not in " ".join(f["input"] for f in flips_of(payload))


def test_a_team_flip_says_how_many_engineers_would_make_owning_pay():
    payload = payload_of({"ml_engineers": 0}, monthly_requests=30_000_000)
    flip = flip_on(payload, "ml_engineers")

    assert (path_at(payload), flip["path"], flip["value"] > 0) == (
        "api",
        "fine_tune",
        True,
    )
    assert path_at(with_flip(payload, flip)) == "fine_tune"


def test_a_team_flip_on_an_owned_verdict_says_when_the_api_comes_back():
    payload = payload_of({"ml_engineers": 1}, monthly_requests=30_000_000)
    flip = flip_on(payload, "ml_engineers")

    assert (path_at(payload), flip["value"], flip["path"]) == ("fine_tune", 0, "api")
    assert path_at(with_flip(payload, flip)) == "api"


def test_a_latency_flip_on_an_api_verdict_names_the_budget_only_own_gpus_meet():
    payload = payload_of(TEAM, task="text_classification")
    flip = flip_on(payload, "latency_budget_ms")

    assert (path_at(payload), flip["path"]) == ("api", "fine_tune")
    assert path_at(with_flip(payload, flip)) == "fine_tune"
    relaxed = with_flip(payload, flip | {"value": flip["value"] + 1})
    assert path_at(relaxed) == "api"


def test_a_latency_flip_on_a_latency_verdict_names_the_budget_an_api_meets():
    payload = payload_of(TEAM, task="text_classification", latency_budget_ms=500)
    flip = flip_on(payload, "latency_budget_ms")

    assert (path_at(payload), flip["path"], flip["value"] > 500) == (
        "fine_tune",
        "api",
        True,
    )
    assert path_at(with_flip(payload, flip)) == "api"
    tighter = with_flip(payload, flip | {"value": flip["value"] - 1})
    assert path_at(tighter) == "fine_tune"


@pytest.mark.parametrize("task", ["fraud_detection", "forecasting"])
def test_predictive_use_cases_have_no_flips(task):
    assert decide_one(TEAM, task=task)["flips"] == []


def test_flips_name_the_use_case_they_belong_to():
    payload = assessment(
        use_case("Tags", "fraud_detection"),
        use_case("Summaries", monthly_requests=800_000),
        ml_engineers=2,
    )
    flips = flips_of(payload, 1)

    assert flips != []
    assert {use_case_index(flip) for flip in flips} == {1}
    for flip in flips:
        assert path_at(with_flip(payload, flip), 1) == flip["path"]


CORPUS = [
    ({}, {}),
    (TEAM, {"monthly_requests": 800_000}),
    (TEAM, {"monthly_requests": 40_000_000}),
    ({"ml_engineers": 0}, {"monthly_requests": 30_000_000}),
    ({"ml_engineers": 1}, {"monthly_requests": 30_000_000}),
    ({"data_can_leave": False}, {}),
    (TEAM, {"sensitive_data": True}),
    (TEAM, {"task": "text_classification"}),
    (TEAM, {"task": "text_classification", "latency_budget_ms": 500}),
    (TEAM, {"task": "translation", "monthly_requests": 2_000_000}),
    (TEAM, {"task": "question_answering", "sensitive_data": True}),
    (TEAM, {"format_consistency": "critical", "monthly_requests": 10_000_000}),
    (TEAM, {"batch_ok": True, "monthly_requests": 800_000}),
    (TEAM, {"task": "document_extraction", "monthly_requests": 5_000_000}),
]


@pytest.mark.parametrize(("organization", "fields"), CORPUS)
def test_every_flip_applied_gives_the_path_it_promises(organization, fields):
    payload = payload_of(organization, **fields)
    result = answer(payload)["use_cases"][0]

    for flip in result["flips"]:
        assert set(flip) == {"input", "value", "path", "detail"}
        assert flip["path"] in PATHS
        assert flip["path"] != result["path"]
        assert flip["detail"] != ""
        assert path_at(with_flip(payload, flip)) == flip["path"], flip
