"""The next steps the engine gives for each path, and for the signals it saw."""

import pytest

from advisor.engine import decide, validate
from tests.helpers.engine import API, CLASSICAL, FINE_TUNE, use_case


def test_next_steps_for_the_api():
    assert decide(validate({"use_cases": [API]})).to_dict()["use_cases"][0][
        "next_steps"
    ] == [
        (
            "Try your prompt on 10 real examples with GPT-5.4 mini; if 8 or more come out "
            "right, build on it."
        ),
        (
            "Keep 50 real examples with the answers you expect as a test set, and re-run it "
            "whenever the model or the prompt changes."
        ),
        "Revisit self-hosting if volume passes about 748,077 requests a month.",
    ]


def test_next_steps_for_the_api_follow_weak_signals():
    steps = decide(
        validate(
            {
                "use_cases": [
                    use_case(
                        proprietary_data="some",
                        latency_budget_ms=800,
                        accuracy_lift_value="high",
                        value_per_request_usd=0.005,
                    )
                ]
            }
        )
    ).to_dict()["use_cases"][0]["next_steps"]

    assert steps[2:] == [
        (
            "Put your best in-house examples into the prompt, or behind retrieval, before "
            "thinking about fine-tuning."
        ),
        (
            "Protect the margin: compare a cheaper model tier, and use batch pricing (half "
            "price at OpenAI and Google) for work that can wait."
        ),
        (
            "Measure p95 latency from your region against your 800 ms budget before launch; "
            "pick a fast model tier if it is close."
        ),
        (
            "Put a number on what each gain in quality is worth; if it proves large, revisit "
            "fine-tuning with that number in hand."
        ),
        "Revisit self-hosting if volume passes about 748,077 requests a month.",
    ]


def test_next_steps_for_a_fine_tune():
    assert decide(validate({"use_cases": [FINE_TUNE]})).to_dict()["use_cases"][0][
        "next_steps"
    ] == [
        (
            "Run the API baseline (GPT-5.4 mini) on 50 real examples first and keep its score "
            "as the bar to beat."
        ),
        (
            "Collect about 1,000-10,000 labelled examples of input and ideal output, and hold "
            "back a tenth that the model never trains on."
        ),
        (
            "Start with QLoRA on one 24-48 GB GPU: a first run takes about 1-12 hours, roughly "
            "$32.28 of GPU time. Preparing data and evaluating take longer than the run."
        ),
        (
            "Serve it with vLLM on 1 GPU (about $1,964 a month) and load-test it with real "
            "traffic before switching over."
        ),
        (
            "Check every output against your schema in code and count the failures; that "
            "count is your quality bar."
        ),
        "Keep the API as a fallback until the tuned model matches it on your test set.",
    ]


def test_next_steps_when_data_must_stay_use_a_local_baseline():
    steps = decide(
        validate({"use_cases": [use_case(sensitive_data=True, latency_budget_ms=400)]})
    ).to_dict()["use_cases"][0]["next_steps"]

    assert (steps[0], steps[-1]) == (
        (
            "Run an untuned open-weight model (such as Qwen3-8B) on your own hardware on 50 "
            "real examples; its score is the bar the tuned model must beat."
        ),
        "Load-test p95 latency against your 400 ms budget at peak traffic.",
    )


@pytest.mark.parametrize(
    ("task", "first_step"),
    [
        (
            "fraud_detection",
            (
                "Assemble a labelled history of transactions with confirmed outcomes, and "
                "measure recall at the false-positive rate your team can review."
            ),
        ),
        (
            "forecasting",
            (
                "Gather two years of history if you have it, and backtest every model against "
                "a simple seasonal baseline."
            ),
        ),
        (
            "recommendation",
            (
                "Start with a popularity baseline, then collaborative filtering, and measure "
                "both on held-out user sessions."
            ),
        ),
        (
            "specialized_vision",
            (
                "Label a few thousand images, fine-tune a pretrained vision model on them, and "
                "measure it per class on images it has not seen."
            ),
        ),
        (
            "tabular_prediction",
            (
                "Build one clean training table with the outcome to predict, and start with "
                "gradient-boosted trees (LightGBM or XGBoost) as the baseline."
            ),
        ),
        (
            "anomaly_detection",
            (
                "Collect confirmed anomalies to evaluate against, and start with an isolation "
                "forest or a simple statistical baseline."
            ),
        ),
    ],
)
def test_next_steps_for_classical_ml_start_with_the_task(task, first_step):
    steps = decide(validate({"use_cases": [use_case(task=task)]})).to_dict()[
        "use_cases"
    ][0]["next_steps"]

    assert (steps[0], len(steps)) == (first_step, 3)


def test_next_steps_for_a_moat_value_accuracy():
    steps = decide(
        validate({"use_cases": [CLASSICAL | {"accuracy_lift_value": "high"}]})
    ).to_dict()["use_cases"][0]["next_steps"]

    assert steps[-1] == (
        "Put a value on each point of accuracy (for example, losses avoided per point of "
        "recall) so the team knows what an improvement is worth."
    )
