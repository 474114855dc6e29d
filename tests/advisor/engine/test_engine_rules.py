"""Each rule firing alone and not firing, at and around its threshold."""

import dataclasses

import pytest

from advisor.engine import DEFAULT_PRICES, decide, validate
from advisor.engine.contract import LANGUAGE_TASKS, PREDICTIVE_TASKS
from advisor.engine.rules import combine, cost_strength, latency_strength

# Summaries at 40,000 a month: $105 on the API, far below one GPU ($1,963.70);
# break-even at 748,077 requests a month.
SUMMARY_BREAK_EVEN = 748_077


def use_case(**fields):
    return {
        "name": "Summaries",
        "task": "summarization",
        "monthly_requests": 40_000,
    } | fields


def decide_one(organization=None, prices=DEFAULT_PRICES, **fields):
    payload = {"use_cases": [use_case(**fields)]}
    if organization is not None:
        payload["organization"] = organization
    return decide(validate(payload), prices).to_dict()["use_cases"][0]


def outcome(result):
    return (
        result["path"],
        [reason["code"] for reason in result["reasons"]],
        result["confidence"],
    )


def test_plain_language_use_case_stays_on_the_api():
    assert outcome(decide_one()) == ("api", ["api_default"], 0.85)


@pytest.mark.parametrize("task", LANGUAGE_TASKS)
def test_every_language_task_defaults_to_the_api(task):
    assert outcome(decide_one(task=task, monthly_requests=1000)) == (
        "api",
        ["api_default"],
        0.85,
    )


@pytest.mark.parametrize(
    ("fields", "organization", "expected"),
    [
        ({"sensitive_data": True}, None, ("fine_tune", ["data_must_stay"], 0.9)),
        ({}, {"data_can_leave": False}, ("fine_tune", ["data_must_stay"], 0.9)),
        (
            {"sensitive_data": True},
            {"data_can_leave": False},
            ("fine_tune", ["data_must_stay"], 0.9),
        ),
        (
            {"proprietary_data": "substantial"},
            None,
            ("fine_tune", ["proprietary_data"], 0.75),
        ),
        (
            {"format_consistency": "critical"},
            None,
            ("fine_tune", ["format_critical"], 0.6),
        ),
        ({"latency_budget_ms": 300}, None, ("fine_tune", ["latency_budget"], 0.75)),
        (
            {"monthly_requests": 2 * SUMMARY_BREAK_EVEN},
            None,
            ("fine_tune", ["cost_at_scale"], 0.9),
        ),
    ],
)
def test_each_signal_alone_moves_to_fine_tune(fields, organization, expected):
    assert outcome(decide_one(organization, **fields)) == expected


@pytest.mark.parametrize(
    ("fields", "expected_confidence"),
    [
        # Weak signals: noted in the confidence, never a move.
        ({"proprietary_data": "some"}, 0.8),
        ({"accuracy_lift_value": "high"}, 0.8),
        ({"latency_budget_ms": 600_000}, 0.85),
        ({"latency_budget_ms": 4_000}, 0.85),
        ({"latency_budget_ms": 999}, 0.75),
        ({"sensitive_data": False}, 0.85),
        ({"format_consistency": "flexible"}, 0.85),
        ({"proprietary_data": "some", "accuracy_lift_value": "high"}, 0.75),
    ],
)
def test_weak_signals_alone_keep_the_api(fields, expected_confidence):
    assert outcome(decide_one(**fields)) == (
        "api",
        ["api_default"],
        expected_confidence,
    )


@pytest.mark.parametrize(
    ("budget", "path"),
    [(1, "fine_tune"), (499, "fine_tune"), (500, "api"), (501, "api")],
)
def test_latency_budget_threshold_is_500_ms(budget, path):
    assert decide_one(latency_budget_ms=budget)["path"] == path


@pytest.mark.parametrize(
    ("budget", "confidence"),
    [(499, 0.6), (999, 0.75), (1000, 0.85), (1001, 0.85)],
)
def test_latency_tight_band_lowers_api_confidence(budget, confidence):
    assert decide_one(latency_budget_ms=budget)["confidence"] == confidence


@pytest.mark.parametrize(
    ("requests", "path"),
    [
        (SUMMARY_BREAK_EVEN - 1, "api"),
        (SUMMARY_BREAK_EVEN, "fine_tune"),
        (SUMMARY_BREAK_EVEN + 1, "fine_tune"),
    ],
)
def test_cost_at_scale_fires_from_break_even(requests, path):
    result = decide_one(monthly_requests=requests)

    assert (result["path"], result["costs"]["break_even_monthly_requests"]) == (
        path,
        SUMMARY_BREAK_EVEN,
    )


def test_cost_at_scale_just_past_break_even_has_low_confidence():
    assert decide_one(monthly_requests=SUMMARY_BREAK_EVEN)["confidence"] == 0.5


@pytest.mark.parametrize(
    ("requests", "confidence"),
    [
        # within a factor of two of break-even: 748,077 / 2 = 374,038.5
        (374_038, 0.85),
        (374_039, 0.7),
        (SUMMARY_BREAK_EVEN - 1, 0.7),
    ],
)
def test_api_near_break_even_lowers_confidence(requests, confidence):
    assert decide_one(monthly_requests=requests)["confidence"] == confidence


# A price book where one request costs exactly $0.20 on the API: 150,000 prompt
# tokens and 50,000 answer tokens at $1 per million each.
EXACT = dataclasses.replace(
    DEFAULT_PRICES,
    api_model=dataclasses.replace(
        DEFAULT_PRICES.api_model, input_usd_per_million=1.0, output_usd_per_million=1.0
    ),
)
EXACT_FIELDS = {
    "monthly_requests": 1000,
    "input_tokens": 150_000,
    "output_tokens": 50_000,
}


@pytest.mark.parametrize(
    ("value", "codes", "confidence"),
    [
        (0.99, ["api_default", "thin_margin"], 0.75),  # 20.2% of the value
        (1.00, ["api_default"], 0.85),  # exactly 20%: not more than a fifth
        (1.01, ["api_default"], 0.85),  # 19.8%
        (0, ["api_default"], 0.85),  # no direct value: no margin to protect
        (None, ["api_default"], 0.85),
    ],
)
def test_thin_margin_fires_above_a_fifth_of_the_value(value, codes, confidence):
    result = decide_one(prices=EXACT, value_per_request_usd=value, **EXACT_FIELDS)

    assert outcome(result) == ("api", codes, confidence)


def test_thin_margin_with_cheaper_self_hosting_strengthens_cost_at_scale():
    # 8M classifications at $0.00042 each ($3,360) against one GPU ($1,963.70),
    # worth $0.001 each: the API takes 42% of the value.
    result = decide_one(
        task="text_classification",
        monthly_requests=8_000_000,
        value_per_request_usd=0.001,
    )

    assert outcome(result) == ("fine_tune", ["cost_at_scale"], 0.88)


def test_every_signal_together_names_each_one_in_order():
    result = decide_one(
        {"data_can_leave": False},
        monthly_requests=2 * SUMMARY_BREAK_EVEN,
        proprietary_data="substantial",
        latency_budget_ms=100,
        format_consistency="critical",
    )

    assert outcome(result) == (
        "fine_tune",
        [
            "data_must_stay",
            "proprietary_data",
            "cost_at_scale",
            "latency_budget",
            "format_critical",
        ],
        0.95,
    )


@pytest.mark.parametrize(
    ("fields", "confidence"),
    [
        ({"proprietary_data": "substantial", "format_consistency": "critical"}, 0.9),
        ({"format_consistency": "critical", "latency_budget_ms": 499}, 0.84),
        ({"sensitive_data": True, "proprietary_data": "substantial"}, 0.95),
    ],
)
def test_agreeing_signals_raise_confidence(fields, confidence):
    assert decide_one(**fields)["confidence"] == confidence


@pytest.mark.parametrize("task", PREDICTIVE_TASKS)
def test_every_predictive_task_gets_classical_ml(task):
    result = decide_one(task=task)

    assert (outcome(result), result["kind"], result["costs"]) == (
        ("classical_ml", ["predictive_task"], 0.9),
        "predictive",
        {
            "api_monthly_usd": None,
            "self_hosted_monthly_usd": None,
            "fine_tune_one_off_usd": None,
            "break_even_monthly_requests": None,
        },
    )


@pytest.mark.parametrize("task", PREDICTIVE_TASKS)
def test_predictive_task_with_high_accuracy_value_is_a_moat(task):
    assert outcome(decide_one(task=task, accuracy_lift_value="high")) == (
        "classical_ml",
        ["predictive_task", "moat"],
        0.95,
    )


def test_predictive_task_ignores_language_signals():
    result = decide_one(
        {"data_can_leave": False},
        task="fraud_detection",
        monthly_requests=10**10,
        input_tokens=5000,
        sensitive_data=True,
        proprietary_data="substantial",
        format_consistency="critical",
        latency_budget_ms=5,
    )

    assert outcome(result) == ("classical_ml", ["predictive_task"], 0.9)


@pytest.mark.parametrize(
    ("strengths", "expected"),
    [
        ([], 0.0),
        ([0.6], 0.6),
        ([0.5, 0.5], 0.75),
        ([0.75, 0.6], 0.9),
        ([0.9, 0.9], 0.95),  # capped: never certain
    ],
)
def test_combine_is_a_capped_noisy_or(strengths, expected):
    assert combine(strengths) == expected


@pytest.mark.parametrize(
    ("budget", "expected"),
    [(499, 0.60075), (300, 0.75), (100, 0.9), (1, 0.9)],
)
def test_latency_strength_grows_as_the_budget_shrinks(budget, expected):
    assert round(latency_strength(budget), 6) == expected


@pytest.mark.parametrize(
    ("ratio", "thin_margin", "expected"),
    [
        (1.0, False, 0.5),
        (1.5, False, 0.7),
        (2.0, False, 0.9),
        (9.0, False, 0.9),
        (1.0, True, 0.6),
    ],
)
def test_cost_strength_grows_with_the_saving(ratio, thin_margin, expected):
    assert round(cost_strength(ratio, thin_margin), 6) == expected


def test_api_default_detail_quotes_the_clients_numbers():
    result = decide_one(input_tokens=1800, output_tokens=250)

    assert result["reasons"][0]["detail"] == (
        "Nothing in your answers calls for more than a model API yet. At 40,000 requests "
        "a month, GPT-5.4 mini costs about $99.00 a month, and it can be live in days. "
        "A self-hosted model needs at least one always-on GPU at $1,964 a month; it pays "
        "off only above about 793,415 requests a month."
    )


def test_cost_at_scale_detail_quotes_both_bills_and_the_margin():
    result = decide_one(
        task="text_classification",
        monthly_requests=8_000_000,
        value_per_request_usd=0.001,
    )

    assert result["reasons"][0]["detail"] == (
        "At 8,000,000 requests a month the API costs about $3,360; serving your own small "
        "model costs about $1,964 (one always-on GPU at $2.69 an hour), $1,396 a month "
        "less. The API would also take 42% of the $0.001 each request is worth."
    )


def test_cost_at_scale_detail_counts_gpus_above_one():
    result = decide_one(task="text_classification", monthly_requests=10**8)

    assert result["reasons"][0]["detail"] == (
        "At 100,000,000 requests a month the API costs about $42,000; serving your own "
        "small model costs about $2,556 (GPU time on up to 2 GPUs at $2.69 an hour), "
        "$39,444 a month less."
    )


def test_data_must_stay_detail_names_the_organisation():
    result = decide_one({"name": "Acme Health", "data_can_leave": False})

    assert result["reasons"][0]["detail"] == (
        "Acme Health does not allow its data to go to a third-party model API, so this use "
        "case needs a model running on infrastructure you control."
    )


def test_data_must_stay_detail_for_a_sensitive_use_case():
    assert decide_one(sensitive_data=True)["reasons"][0]["detail"] == (
        "This use case's data must stay inside your own infrastructure, which rules out a "
        "third-party API; a small model you host keeps it in-house."
    )


def test_latency_detail_warns_when_the_answer_itself_is_too_long():
    # 250 tokens x 12 ms = 3,000 ms, over a 300 ms budget
    assert decide_one(latency_budget_ms=300)["reasons"][0]["detail"] == (
        "A p95 budget of 300 ms is tighter than an API round trip: hosted models take "
        "about 0.3 to 2 seconds just to start answering. A small model on your own GPU "
        "starts in tens of milliseconds. Even so, writing 250 tokens takes at least "
        "3,000 ms, so keep answers short (a label or a few fields)."
    )


def test_latency_detail_short_answer_fits():
    result = decide_one(task="text_classification", latency_budget_ms=200)

    assert result["reasons"][0]["detail"].endswith("starts in tens of milliseconds.")


def test_thin_margin_detail_quotes_cost_share_and_value():
    result = decide_one(prices=EXACT, value_per_request_usd=0.5, **EXACT_FIELDS)

    assert result["reasons"][1]["detail"] == (
        "Each request costs about $0.20 on GPT-5.4 mini, 40% of the $0.50 it is worth. "
        "Self-hosting would not lower that at this volume: one always-on GPU costs $1,964 "
        "a month, more than the whole API bill. A cheaper model tier or batch pricing is "
        "the first lever to pull."
    )


def test_api_default_detail_when_self_hosting_never_pays():
    cheap = dataclasses.replace(
        DEFAULT_PRICES,
        api_model=dataclasses.replace(
            DEFAULT_PRICES.api_model,
            input_usd_per_million=0.01,
            output_usd_per_million=0.01,
        ),
    )
    result = decide_one(prices=cheap)

    assert (
        result["costs"]["break_even_monthly_requests"],
        result["reasons"][0]["detail"],
    ) == (
        None,
        (
            "Nothing in your answers calls for more than a model API yet. At 40,000 requests "
            "a month, GPT-5.4 mini costs about $0.90 a month, and it can be live in days. A "
            "self-hosted model needs at least one always-on GPU at $1,964 a month and would "
            "not pay off at any volume we cover."
        ),
    )
