"""The output: contract shape, stack, summary, next steps and effort."""

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.engine import (
    DEFAULT_PRICES,
    ENGINE_VERSION,
    ContractError,
    Result,
    decide,
    validate,
)

ENGINE_DIR = Path(__file__).resolve().parents[3] / "advisor" / "engine"


def use_case(name="Use case", task="summarization", monthly_requests=40_000, **fields):
    return {"name": name, "task": task, "monthly_requests": monthly_requests} | fields


API = use_case("Summaries")
FINE_TUNE = use_case("Invoices", "extraction", format_consistency="critical")
CLASSICAL = use_case("Fraud", "fraud_detection", 1_000_000)


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


@pytest.mark.parametrize(
    ("case", "engineers", "effort"),
    [
        (API, 0, "A software engineer can ship this in days; no ML hire is needed."),
        (
            API,
            1,
            (
                "A software engineer can ship this in days; your ML engineer can own the test "
                "set and the choice of model."
            ),
        ),
        (
            FINE_TUNE,
            0,
            (
                "This needs ML skills you do not have in-house yet: hire an ML engineer or "
                "bring in a partner for the first model. Expect weeks rather than days, and "
                "ongoing work to run the GPU service."
            ),
        ),
        (
            FINE_TUNE,
            1,
            (
                "Within reach for your ML engineer: expect weeks for data, a first run and "
                "evaluation, then someone on call for the GPU service."
            ),
        ),
        (
            FINE_TUNE,
            3,
            (
                "Within reach for your 3 ML engineers: expect weeks for data, a first run and "
                "evaluation, then someone on call for the GPU service."
            ),
        ),
        (
            FINE_TUNE,
            4,
            (
                "Your 4 ML engineers can run this: the work is data, evaluation and operating "
                "the GPU service, not research."
            ),
        ),
        (
            CLASSICAL,
            0,
            (
                "This needs a data scientist: hire one or bring in a partner. Expect weeks to "
                "months, most of it spent on data and the retraining pipeline."
            ),
        ),
        (
            CLASSICAL,
            2,
            (
                "Your 2 ML engineers can build this: expect weeks to a first model, most of it "
                "spent on data and the retraining pipeline."
            ),
        ),
        (
            CLASSICAL,
            1200,
            (
                "Your 1,200 ML engineers can build and own this; plan monitoring and regular "
                "retraining from day one."
            ),
        ),
    ],
)
def test_effort_depends_on_path_and_team_size(case, engineers, effort):
    payload = {"organization": {"ml_engineers": engineers}, "use_cases": [case]}

    assert decide(validate(payload)).to_dict()["use_cases"][0]["effort"] == effort


def test_engine_source_never_imports_django():
    importing = [
        path.name
        for path in ENGINE_DIR.glob("*.py")
        if re.search(r"^\s*(import|from)\s+django\b", path.read_text(), re.MULTILINE)
    ]

    assert (sorted(path.name for path in ENGINE_DIR.glob("*.py")), importing) == (
        [
            "__init__.py",
            "advice.py",
            "contract.py",
            "costs.py",
            "decision.py",
            "prices.py",
            "result.py",
            "rules.py",
            "text.py",
        ],
        [],
    )


def test_engine_imports_and_runs_with_django_blocked():
    # A None entry in sys.modules makes any "import django" fail.
    script = (
        "import sys; sys.modules['django'] = None\n"
        "from advisor.engine import decide, validate\n"
        "result = decide(validate({'use_cases': [{'name': 'x', "
        "'task': 'summarization', 'monthly_requests': 1}]})).to_dict()\n"
        "print(result['stack'])\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ENGINE_DIR.parents[1],
        capture_output=True,
        text=True,
        check=False,
    )

    assert (completed.returncode, completed.stdout, completed.stderr) == (
        0,
        "api\n",
        "",
    )
