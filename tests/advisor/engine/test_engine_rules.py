"""Each rule firing alone and not firing, at and around its threshold, and the
confidence it gives.

Thresholds are read from the price book and the rules' own constants, so each test
says why a verdict moves rather than which number it moved at in one release.
"""

import dataclasses

import pytest

from advisor.engine import DEFAULT_PRICES
from advisor.engine.contract import LANGUAGE_TASKS, PREDICTIVE_TASKS
from advisor.engine.options import HOSTED_PREFILL_MS_PER_TOKEN, OWNED
from advisor.engine.result import OPTION_PATHS
from advisor.engine.rules import (
    API_BASE_CONFIDENCE,
    CLEARLY_CHEAPER_SHARE,
    LOW_VOLUME_PENALTY,
    LOW_VOLUME_PREDICTIVE_BELOW,
    MAX_CONFIDENCE,
    NO_HISTORY_PENALTY,
    NO_TEAM_API_BONUS,
    NO_TEAM_OWNED_PENALTY,
    STRENGTH_DATA_MUST_STAY,
    STRENGTH_FORMAT_CRITICAL,
    STRENGTH_MOAT,
    STRENGTH_PREDICTIVE_TASK,
    STRENGTH_PROPRIETARY_DATA,
    UNSERVABLE_CONFIDENCE,
)
from advisor.engine.text import approx, usd_approx
from tests.advisor.engine.cases import (
    chosen,
    codes,
    decide_one,
    options_of,
    validated,
)

OFFERS = DEFAULT_PRICES.offers
# Two ML engineers: no partner's rates, no established team's discount, and no
# team bonus or penalty on confidence.
TEAM = {"ml_engineers": 2}


def outcome(result):
    return (result["path"], codes(result["reasons"]), result["confidence"])


def noisy_or(*strengths):
    doubt = 1.0
    for strength in strengths:
        doubt *= 1 - strength
    return round(min(MAX_CONFIDENCE, 1 - doubt), 2)


def hosted_latency(offer, case):
    """A hosted model's p95 for one request: first token, reading, then writing."""
    return (
        offer.first_token_ms
        + case.input_tokens * HOSTED_PREFILL_MS_PER_TOKEN
        + case.output_tokens * offer.ms_per_output_token
    )


# A short classification (500 tokens in, a label out): the quickest hosted model is
# the hosted open-weight one, whose first token comes soonest.
CLASSIFICATION = validated(task="text_classification")
QUICKEST_HOSTED_MS = min(
    hosted_latency(offer, CLASSIFICATION)
    for offer in (
        *OFFERS.small_models,
        OFFERS.frontier_model,
        OFFERS.hosted_open_weight,
    )
)


# --- The API: the default, and what only lowers its confidence ----------------


def test_plain_language_use_case_stays_on_the_api():
    assert outcome(decide_one(TEAM)) == ("api", ["api_default"], API_BASE_CONFIDENCE)


def test_without_an_ml_engineer_an_api_verdict_is_a_little_surer():
    # Owning a model is further away without anyone to run it.
    assert decide_one()["confidence"] == round(
        API_BASE_CONFIDENCE + NO_TEAM_API_BONUS, 2
    )


@pytest.mark.parametrize("task", LANGUAGE_TASKS)
def test_every_language_task_defaults_to_the_api(task):
    assert outcome(decide_one(TEAM, task=task, monthly_requests=1000)) == (
        "api",
        ["api_default"],
        API_BASE_CONFIDENCE,
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"sensitive_data": False},
        {"format_consistency": "flexible"},
        {"latency_budget_ms": 600_000},
        {"value_per_request_usd": 10.0},
        {"user_facing": True},
    ],
)
def test_answers_that_change_nothing_keep_the_apis_full_confidence(fields):
    assert outcome(decide_one(TEAM, **fields)) == (
        "api",
        ["api_default"],
        API_BASE_CONFIDENCE,
    )


@pytest.mark.parametrize(
    "fields",
    [
        # Some in-house examples: worth a prompt, not yet a model.
        {"proprietary_data": "some"},
        # Quality worth a lot, on a task an API does well.
        {"accuracy_lift_value": "high"},
        # The chosen API answers within the budget, but with little to spare.
        {"latency_budget_ms": 2_000},
        # Within a factor of two of the volume where owning becomes clearly cheaper.
        {"monthly_requests": 20_000_000},
    ],
)
def test_weak_signals_keep_the_api_but_lower_its_confidence(fields):
    result = decide_one(TEAM, **fields)

    assert (result["path"], codes(result["reasons"])) == ("api", ["api_default"])
    assert result["confidence"] < API_BASE_CONFIDENCE


def test_a_tight_budget_is_one_the_chosen_api_barely_meets():
    case = validated()
    nano = OFFERS.small_models[0]
    latency = hosted_latency(nano, case)
    relaxed = decide_one(TEAM, latency_budget_ms=round(latency * 2))
    tight = decide_one(TEAM, latency_budget_ms=round(latency) + 1)

    assert (chosen(tight)["model"], tight["path"], relaxed["path"]) == (
        nano.name,
        "api",
        "api",
    )
    assert tight["confidence"] < relaxed["confidence"] == API_BASE_CONFIDENCE


# --- Strong signals: each alone moves to a model of the client's own -----------


@pytest.mark.parametrize(
    ("organization", "fields", "code", "confidence"),
    [
        ({}, {"sensitive_data": True}, "data_must_stay", STRENGTH_DATA_MUST_STAY),
        ({"data_can_leave": False}, {}, "data_must_stay", STRENGTH_DATA_MUST_STAY),
        (
            {"data_can_leave": False},
            {"sensitive_data": True},
            "data_must_stay",
            STRENGTH_DATA_MUST_STAY,
        ),
        (
            {},
            {"proprietary_data": "substantial"},
            "proprietary_data",
            STRENGTH_PROPRIETARY_DATA,
        ),
        (
            {},
            {"format_consistency": "critical"},
            "format_critical",
            STRENGTH_FORMAT_CRITICAL,
        ),
    ],
)
def test_each_strong_signal_alone_moves_to_fine_tune(
    organization, fields, code, confidence
):
    result = decide_one(TEAM | organization, **fields)

    assert outcome(result) == ("fine_tune", [code], confidence)
    assert result["option"] in OWNED


def test_without_an_ml_engineer_an_owned_verdict_is_less_sure():
    with_team = decide_one(TEAM, sensitive_data=True)
    without = decide_one({"ml_engineers": 0}, sensitive_data=True)

    assert (with_team["path"], without["path"]) == ("fine_tune", "fine_tune")
    assert without["confidence"] == round(
        with_team["confidence"] - NO_TEAM_OWNED_PENALTY, 2
    )


def test_latency_threshold_is_the_quickest_hosted_apis_p95():
    # At the quickest hosted API's own p95 it still answers in time; a millisecond
    # less and only a model on the client's own GPU can.
    at = decide_one(
        TEAM, task="text_classification", latency_budget_ms=round(QUICKEST_HOSTED_MS)
    )
    under = decide_one(
        TEAM,
        task="text_classification",
        latency_budget_ms=round(QUICKEST_HOSTED_MS) - 1,
    )

    assert round(QUICKEST_HOSTED_MS) == QUICKEST_HOSTED_MS
    assert (at["path"], at["option"], codes(at["reasons"])) == (
        "api",
        "hosted_open_weight",
        ["api_default"],
    )
    assert (under["path"], codes(under["reasons"])) == ("fine_tune", ["latency_budget"])
    assert [
        entry["ruled_out"]["code"]
        for entry in under["costs"]["options"]
        if OPTION_PATHS[entry["option"]] == "api"
    ] == ["latency"] * 3


def test_a_much_tighter_budget_is_a_stronger_latency_signal():
    just_under = decide_one(
        TEAM,
        task="text_classification",
        latency_budget_ms=round(QUICKEST_HOSTED_MS) - 1,
    )
    half = decide_one(
        TEAM,
        task="text_classification",
        latency_budget_ms=round(QUICKEST_HOSTED_MS / 2),
    )

    assert (just_under["path"], half["path"]) == ("fine_tune", "fine_tune")
    assert half["confidence"] > just_under["confidence"]


def test_latency_detail_names_the_quickest_api_and_its_p95():
    detail = decide_one(TEAM, task="text_classification", latency_budget_ms=300)[
        "reasons"
    ][0]["detail"]

    assert detail.startswith("A p95 budget of 300 ms rules out every hosted API")
    assert (
        f"{OFFERS.hosted_open_weight.name}, needs about {approx(QUICKEST_HOSTED_MS)} ms"
        in detail
    )


def test_cost_at_scale_fires_where_owning_is_clearly_cheaper():
    # At 40 million summaries a month, a model of one's own costs at most three
    # quarters of the cheapest API that fits, counting GPUs, build and people.
    result = decide_one(TEAM, monthly_requests=40_000_000)
    options = options_of(result)
    cheapest_api = min(
        entry["tco_3y_usd"]
        for entry in options.values()
        if OPTION_PATHS[entry["option"]] == "api" and entry["ruled_out"] is None
    )

    assert (result["path"], codes(result["reasons"])) == (
        "fine_tune",
        ["cost_at_scale"],
    )
    assert chosen(result)["tco_3y_usd"] <= CLEARLY_CHEAPER_SHARE * cheapest_api


def test_cost_at_scale_detail_quotes_the_chosen_option_and_the_api():
    result = decide_one(TEAM, monthly_requests=40_000_000)
    detail = result["reasons"][0]["detail"]
    mine = chosen(result)
    api = min(
        (
            entry
            for entry in result["costs"]["options"]
            if OPTION_PATHS[entry["option"]] == "api" and entry["ruled_out"] is None
        ),
        key=lambda entry: entry["tco_3y_usd"],
    )

    assert detail.startswith(
        f"Over three years at {approx(40_000_000)} requests a month, {mine['model']} "
        f"costs about {usd_approx(mine['tco_3y_usd'])} against "
        f"{usd_approx(api['tco_3y_usd'])} for the cheapest API that fits ({api['model']})"
    )


def test_cost_at_scale_quotes_the_option_recommended_when_tuning_is_required():
    result = decide_one(
        TEAM, monthly_requests=36_000_000, format_consistency="critical"
    )
    cost = next(
        reason for reason in result["reasons"] if reason["code"] == "cost_at_scale"
    )
    mine = chosen(result)

    assert (
        result["option"],
        f"{mine['model']} costs about {usd_approx(mine['tco_3y_usd'])}",
    ) == (
        "self_hosted_fine_tune",
        cost["detail"].split(", ", 1)[1].split(" against", 1)[0],
    )


# --- Thin margins: advice on an API verdict -----------------------------------

# A book where one request on the cheapest small model costs exactly $0.20:
# 150,000 prompt tokens and 50,000 answer tokens at $1 per million each.
EXACT = dataclasses.replace(
    DEFAULT_PRICES,
    offers=dataclasses.replace(
        OFFERS,
        small_models=(
            dataclasses.replace(
                OFFERS.small_models[0],
                input_usd_per_million=1.0,
                output_usd_per_million=1.0,
            ),
            *OFFERS.small_models[1:],
        ),
    ),
)
EXACT_FIELDS = {
    "monthly_requests": 1000,
    "input_tokens": 150_000,
    "output_tokens": 50_000,
}


@pytest.mark.parametrize(
    ("value", "fires"),
    [
        (0.99, True),  # the API takes 20.2% of the value
        (1.00, False),  # exactly a fifth: not more than a fifth
        (1.01, False),  # 19.8%
        (0, False),  # no direct value per request: no margin to protect
        (None, False),
    ],
)
def test_thin_margin_fires_above_a_fifth_of_the_value(value, fires):
    with_margin = decide_one(
        TEAM, prices=EXACT, value_per_request_usd=value, **EXACT_FIELDS
    )
    plain = decide_one(TEAM, prices=EXACT, **EXACT_FIELDS)

    assert (with_margin["path"], codes(with_margin["reasons"])) == (
        "api",
        ["api_default", "thin_margin"] if fires else ["api_default"],
    )
    assert (with_margin["confidence"] < plain["confidence"]) is fires


def test_thin_margin_detail_quotes_the_cost_its_share_and_the_value():
    result = decide_one(TEAM, prices=EXACT, value_per_request_usd=0.5, **EXACT_FIELDS)

    assert result["reasons"][1]["detail"].startswith(
        f"Each request costs about $0.20 on {OFFERS.small_models[0].name}, 40% of the "
        "$0.50 it is worth."
    )


# --- Several signals -------------------------------------------------------------


@pytest.mark.parametrize(
    ("organization", "fields", "expected_codes"),
    [
        (
            {},
            {
                "monthly_requests": 40_000_000,
                "proprietary_data": "substantial",
                "format_consistency": "critical",
            },
            ["proprietary_data", "cost_at_scale", "format_critical"],
        ),
        (
            {},
            {
                "task": "text_classification",
                "latency_budget_ms": 300,
                "proprietary_data": "substantial",
                "format_consistency": "critical",
            },
            ["proprietary_data", "latency_budget", "format_critical"],
        ),
        (
            # Data that must stay rules every API out for that reason first: neither
            # cost against an API nor its speed is then a reason of its own.
            {"data_can_leave": False},
            {
                "task": "text_classification",
                "monthly_requests": 40_000_000,
                "latency_budget_ms": 300,
                "proprietary_data": "substantial",
                "format_consistency": "critical",
            },
            ["data_must_stay", "proprietary_data", "format_critical"],
        ),
    ],
)
def test_every_signal_that_fires_is_named_in_a_fixed_order(
    organization, fields, expected_codes
):
    result = decide_one(TEAM | organization, **fields)

    assert (result["path"], codes(result["reasons"])) == ("fine_tune", expected_codes)


@pytest.mark.parametrize(
    ("fields", "strengths"),
    [
        (
            {"proprietary_data": "substantial", "format_consistency": "critical"},
            (STRENGTH_PROPRIETARY_DATA, STRENGTH_FORMAT_CRITICAL),
        ),
        (
            {"sensitive_data": True, "format_consistency": "critical"},
            (STRENGTH_DATA_MUST_STAY, STRENGTH_FORMAT_CRITICAL),
        ),
        (
            {"sensitive_data": True, "proprietary_data": "substantial"},
            (STRENGTH_DATA_MUST_STAY, STRENGTH_PROPRIETARY_DATA),
        ),
    ],
)
def test_agreeing_signals_combine_as_a_capped_noisy_or(fields, strengths):
    result = decide_one(TEAM, **fields)

    assert result["confidence"] == noisy_or(*strengths)
    assert (
        result["confidence"] > max(strengths) or result["confidence"] == MAX_CONFIDENCE
    )


# --- Predictive tasks ------------------------------------------------------------


@pytest.mark.parametrize("task", PREDICTIVE_TASKS)
def test_every_predictive_task_gets_classical_ml(task):
    result = decide_one(TEAM, task=task)

    assert (
        result["path"],
        result["kind"],
        codes(result["reasons"]),
        {k: v for k, v in result["costs"].items() if k != "options"},
        {entry["option"] for entry in result["costs"]["options"]},
    ) == (
        "classical_ml",
        "predictive",
        ["predictive_task"],
        {
            "api_monthly_usd": None,
            "self_hosted_monthly_usd": None,
            "fine_tune_one_off_usd": None,
            "break_even_monthly_requests": None,
            "break_even_monthly_requests_range": None,
        },
        {"classical_in_house", "vendor_tool"},
    )


@pytest.mark.parametrize("task", PREDICTIVE_TASKS)
def test_predictive_task_with_a_history_and_enough_volume_is_sure(task):
    result = decide_one(
        TEAM,
        task=task,
        monthly_requests=LOW_VOLUME_PREDICTIVE_BELOW[task],
        proprietary_data="some",
    )

    assert (result["confidence"], result["warnings"]) == (STRENGTH_PREDICTIVE_TASK, [])


@pytest.mark.parametrize("task", PREDICTIVE_TASKS)
def test_predictive_task_without_history_or_volume_is_a_weaker_bet(task):
    enough = LOW_VOLUME_PREDICTIVE_BELOW[task]
    no_history = decide_one(TEAM, task=task, monthly_requests=enough)
    low_volume = decide_one(
        TEAM, task=task, monthly_requests=enough - 1, proprietary_data="some"
    )
    neither = decide_one(TEAM, task=task, monthly_requests=enough - 1)

    assert [
        (codes(result["warnings"]), result["confidence"])
        for result in (no_history, low_volume, neither)
    ] == [
        (
            ["low_volume_predictive"],
            round(STRENGTH_PREDICTIVE_TASK - NO_HISTORY_PENALTY, 2),
        ),
        (
            ["low_volume_predictive"],
            round(STRENGTH_PREDICTIVE_TASK - LOW_VOLUME_PENALTY, 2),
        ),
        (
            ["low_volume_predictive"],
            round(
                STRENGTH_PREDICTIVE_TASK - NO_HISTORY_PENALTY - LOW_VOLUME_PENALTY, 2
            ),
        ),
    ]


@pytest.mark.parametrize("task", PREDICTIVE_TASKS)
def test_predictive_task_with_high_accuracy_value_is_a_moat_built_in_house(task):
    result = decide_one(
        TEAM,
        task=task,
        monthly_requests=LOW_VOLUME_PREDICTIVE_BELOW[task],
        proprietary_data="some",
        accuracy_lift_value="high",
    )

    assert (outcome(result), result["option"]) == (
        (
            "classical_ml",
            ["predictive_task", "moat"],
            noisy_or(STRENGTH_PREDICTIVE_TASK, STRENGTH_MOAT),
        ),
        "classical_in_house",
    )


def test_predictive_task_ignores_language_signals():
    result = decide_one(
        TEAM,
        task="fraud_detection",
        monthly_requests=10**10,
        input_tokens=5000,
        proprietary_data="substantial",
        format_consistency="critical",
        latency_budget_ms=60_000,
        batch_ok=True,
    )

    assert outcome(result) == (
        "classical_ml",
        ["predictive_task"],
        STRENGTH_PREDICTIVE_TASK,
    )


def test_data_that_must_stay_rules_out_a_vendors_scoring_service():
    result = decide_one(
        {**TEAM, "data_can_leave": False}, task="fraud_detection", monthly_requests=1500
    )

    assert (
        result["path"],
        result["option"],
        options_of(result)["vendor_tool"]["ruled_out"]["code"],
    ) == ("classical_ml", "classical_in_house", "data_must_stay")


# --- The sentences ---------------------------------------------------------------


def test_api_default_detail_quotes_the_chosen_option_and_the_clients_volume():
    result = decide_one(TEAM, monthly_requests=800_000)
    mine = chosen(result)

    assert (
        f"{mine['model']}: about {usd_approx(mine['monthly_usd'])} a month at "
        f"{approx(800_000)} requests, {usd_approx(mine['tco_3y_usd'])} over three years"
    ) in result["reasons"][0]["detail"]


def test_data_must_stay_detail_names_the_organisation():
    result = decide_one({"name": "Acme Health", "data_can_leave": False})

    assert result["reasons"][0]["detail"].startswith(
        "Acme Health does not allow its data to go to a third-party model API"
    )


def test_data_must_stay_detail_for_a_sensitive_use_case():
    assert decide_one(sensitive_data=True)["reasons"][0]["detail"].startswith(
        "This use case's data must stay inside your own infrastructure"
    )


def test_data_that_must_stay_never_goes_to_a_vendor_even_when_nothing_meets_the_budget():
    result = decide_one(
        {**TEAM, "data_can_leave": False},
        task="fraud_detection",
        monthly_requests=100_000,
        proprietary_data="some",
        latency_budget_ms=5,
    )

    assert result["option"] == "classical_in_house"


def test_when_nothing_allowed_is_capable_enough_the_answer_says_so():
    # Writing where quality is worth a lot needs a frontier model or a model tuned on
    # examples; the data may not leave and there is nothing to tune on, so the
    # closest in-house model is recommended as a guess, not as a sure thing.
    result = decide_one(
        {**TEAM, "data_can_leave": False},
        task="content_generation",
        accuracy_lift_value="high",
    )

    assert (result["path"], result["option"], codes(result["reasons"])) == (
        "fine_tune",
        "self_hosted_open_weight",
        ["data_must_stay", "capability_gap"],
    )
    assert chosen(result)["ruled_out"]["code"] == "quality"
    assert chosen(result)["model"] in result["reasons"][1]["detail"]
    assert result["confidence"] <= UNSERVABLE_CONFIDENCE
