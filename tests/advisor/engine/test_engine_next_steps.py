"""The next steps the engine gives for each option, and for the signals it saw."""

import pytest

from advisor.engine import DEFAULT_PRICES
from advisor.engine.contract import PREDICTIVE_TASKS
from advisor.engine.rules import LOW_VOLUME_PREDICTIVE_BELOW
from advisor.engine.text import approx, usd_approx
from tests.advisor.engine.cases import chosen, decide_one

TEAM = {"ml_engineers": 2}
TEST_SET = (
    "Keep 50 real examples with the answers you expect as a test set, and re-run it "
    "whenever the model or the prompt changes."
)
FALLBACK = "Keep the API as a fallback until your model matches it on your test set."
COLLECT = (
    "Collect about 1,000-10,000 examples of input and ideal output, and hold back a "
    "tenth that the model never trains on."
)
CLEAN = (
    "Clean and deduplicate your labelled examples, and hold back a tenth that the "
    "model never trains on."
)


def steps_of(organization=TEAM, **fields):
    result = decide_one(organization, **fields)
    return result, result["next_steps"]


def test_next_steps_for_the_api_try_the_chosen_model_keep_a_test_set_and_revisit():
    result, steps = steps_of()
    flip = next(f for f in result["flips"] if f["input"].endswith(".monthly_requests"))

    assert steps == [
        (
            f"Try your prompt on 10 real examples with {chosen(result)['model']}; if 8 or "
            "more come out right, build on it."
        ),
        TEST_SET,
        (
            f"Revisit a model of your own if volume passes about {approx(flip['value'])} "
            "requests a month."
        ),
    ]


def test_next_steps_for_the_api_follow_weak_signals():
    result, steps = steps_of(
        proprietary_data="some", latency_budget_ms=2_000, value_per_request_usd=0.001
    )

    assert (result["path"], steps[2:]) == (
        "api",
        [
            (
                "Put your best in-house examples into the prompt, or behind retrieval, "
                "before thinking about fine-tuning."
            ),
            (
                "Protect the margin: compare a cheaper model tier, shorten the prompt, and "
                "use batch pricing (half price at OpenAI and Google) for work that can wait."
            ),
            (
                "Measure p95 latency from your region against your 2,000 ms budget before "
                "launch; stream the answer if it is close."
            ),
        ],
    )


def test_next_steps_for_the_api_when_quality_is_worth_a_lot():
    result, steps = steps_of(accuracy_lift_value="high")

    assert result["path"] == "api"
    assert (
        "Put a number on what each gain in quality is worth; if it proves large, "
        "revisit fine-tuning with that number in hand."
    ) in steps


def test_next_steps_for_batch_work_send_it_through_the_batch_api():
    result, steps = steps_of(monthly_requests=800_000, batch_ok=True)

    assert result["option"] == "api_batch"
    # The model to try is the one behind the batch price, named without ", batch".
    assert steps[0].startswith(
        f"Try your prompt on 10 real examples with {DEFAULT_PRICES.offers.small_models[0].name};"
    )
    assert (
        "Send the work through the provider's batch API: half the list price, with "
        "results within 24 hours."
    ) in steps


def test_next_steps_for_a_hosted_open_weight_model_compare_it_with_an_api():
    result, steps = steps_of(task="translation", monthly_requests=2_000_000)

    assert result["option"] == "hosted_open_weight"
    assert steps[0].startswith(f"Try {chosen(result)['model']} and a small API model")


def test_questions_over_documents_put_them_behind_retrieval():
    _, on_api = steps_of(task="question_answering")
    _, in_house = steps_of(task="question_answering", sensitive_data=True)

    for steps in (on_api, in_house):
        assert any(
            step.startswith("Put your documents behind retrieval") for step in steps
        )
    assert COLLECT not in in_house


def test_next_steps_for_a_hosted_fine_tune():
    result, steps = steps_of(
        name="Invoices", task="extraction", format_consistency="critical"
    )

    assert result["option"] == "hosted_fine_tune"
    assert steps == [
        (
            "Run the best API that fits "
            f"({result['costs']['options'][0]['model']}) on 50 real examples first and keep "
            "its score as the bar to beat."
        ),
        COLLECT,
        (
            "Train a LoRA adapter on Qwen3-8B with a provider that serves it for you; a first "
            "run takes hours, and preparing data and evaluating take longer than the run."
        ),
        (
            "Check every output against your schema in code and count the failures; that "
            "count is your quality bar."
        ),
        FALLBACK,
    ]


def test_next_steps_with_substantial_data_clean_it_rather_than_collect_it():
    result, steps = steps_of(proprietary_data="substantial")

    assert result["option"] in {"hosted_fine_tune", "self_hosted_fine_tune"}
    assert (CLEAN in steps, COLLECT in steps) == (True, False)


def test_next_steps_for_a_self_hosted_fine_tune_when_data_must_stay():
    result, steps = steps_of(
        task="text_classification",
        monthly_requests=10_000_000,
        format_consistency="critical",
        sensitive_data=True,
    )
    mine = chosen(result)
    gpus = mine["model"].split(" on ", 1)[1]

    assert result["option"] == "self_hosted_fine_tune"
    assert steps[0] == (
        "Run an untuned open-weight model (Qwen3-8B) on your own hardware on 50 real "
        "examples; its score is the bar any change must beat."
    )
    assert steps[2] == (
        "Start with QLoRA on one 24-48 GB GPU: a first run takes about 1-12 hours, "
        f"roughly {usd_approx(DEFAULT_PRICES.fine_tune_one_off_usd)} of GPU time. "
        "Preparing data and evaluating take longer than the run."
    )
    assert steps[3] == (
        f"Serve it with vLLM on {gpus} (about {usd_approx(mine['monthly_usd'])} a month) "
        "and load-test it with real traffic before switching over."
    )
    # The data may not leave: no API to fall back on.
    assert FALLBACK not in steps


def test_next_steps_for_an_untuned_model_start_untuned():
    result, steps = steps_of(sensitive_data=True)

    assert result["option"] == "self_hosted_open_weight"
    assert (
        "Start untuned: tune only if the test set shows a gap and you have examples to "
        "tune on."
    ) in steps
    assert (COLLECT in steps, CLEAN in steps) == (False, False)


def test_next_steps_for_a_latency_verdict_load_test_the_budget():
    _, steps = steps_of(task="text_classification", latency_budget_ms=500)

    assert "Load-test p95 latency against your 500 ms budget at peak traffic." in steps
    assert steps[-1] == FALLBACK


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
def test_next_steps_for_a_classical_model_of_ones_own_start_with_the_task(
    task, first_step
):
    # With a moat the model is built in-house; its steps start with the task's data.
    result, steps = steps_of(
        task=task,
        monthly_requests=LOW_VOLUME_PREDICTIVE_BELOW[task],
        proprietary_data="some",
        accuracy_lift_value="high",
    )

    assert result["option"] == "classical_in_house"
    assert (steps[0], len(steps)) == (first_step, 4)
    assert steps[-1] == (
        "Put a value on each point of accuracy (for example, losses avoided per point of "
        "recall) so the team knows what an improvement is worth."
    )


@pytest.mark.parametrize("task", PREDICTIVE_TASKS)
def test_next_steps_for_a_vendor_tool_wire_it_in_and_log_outcomes(task):
    result, steps = steps_of(
        task=task, monthly_requests=LOW_VOLUME_PREDICTIVE_BELOW[task]
    )

    assert result["option"] == "vendor_tool"
    assert steps[0] == (
        f"Start with {chosen(result)['model']}: wire it in, and log every score next to "
        "the confirmed outcome."
    )
    assert len(steps) == 3
