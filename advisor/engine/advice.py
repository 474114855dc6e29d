"""What a consultant would tell the client to do next, and what it takes."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from advisor.engine import rules
from advisor.engine.text import approx, approx_count, count, usd_approx

if TYPE_CHECKING:
    from collections.abc import Sequence

    from advisor.engine.contract import UseCase
    from advisor.engine.prices import Prices
    from advisor.engine.result import Path, Stack, Totals, UseCaseResult
    from advisor.engine.rules import Evaluation

# Team sizes: none; a small team that can own one model (the 1-3 ML engineers a
# fine-tune needs); a larger team that can own several.
SMALL_TEAM_MAX = 3


def next_steps(
    use_case: UseCase, evaluation: Evaluation, prices: Prices
) -> tuple[str, ...]:
    """Concrete steps for the chosen option, in the order to take them."""
    if evaluation.path == "classical_ml":
        return _classical_steps(use_case, evaluation)
    if evaluation.path == "fine_tune":
        return _own_model_steps(use_case, evaluation, prices)
    return _api_steps(use_case, evaluation)


_TEST_SET = (
    "Keep 50 real examples with the answers you expect as a test set, and re-run it "
    "whenever the model or the prompt changes."
)
_RETRIEVAL = (
    "Put your documents behind retrieval: index them, and send the model only the "
    "passages that answer the question, with links back to the source."
)


def _api_steps(use_case: UseCase, evaluation: Evaluation) -> tuple[str, ...]:
    chosen = evaluation.chosen
    if chosen.option == "hosted_open_weight":
        first = (
            f"Try {chosen.model} and a small API model side by side on 10 real "
            "examples; keep the cheaper one that gets 8 or more right."
        )
    else:
        first = (
            f"Try your prompt on 10 real examples with {chosen.model.removesuffix(', batch')}; "
            "if 8 or more come out right, build on it."
        )
    steps = [first, _TEST_SET]
    if chosen.option == "api_batch":
        steps.append(
            "Send the work through the provider's batch API: half the list price, "
            "with results within 24 hours."
        )
    if use_case.task == "question_answering":
        steps.append(_RETRIEVAL)
    if use_case.proprietary_data == "some":
        steps.append(
            "Put your best in-house examples into the prompt, or behind retrieval, "
            "before thinking about fine-tuning."
        )
    if rules.THIN_MARGIN in evaluation.codes:
        steps.append(
            "Protect the margin: compare a cheaper model tier, shorten the prompt, and "
            "use batch pricing (half price at OpenAI and Google) for work that can wait."
        )
    budget = use_case.latency_budget_ms
    if (
        budget is not None
        and chosen.latency_ms is not None
        and chosen.latency_ms > budget * rules.TIGHT_LATENCY_SHARE
    ):
        steps.append(
            f"Measure p95 latency from your region against your {count(budget)} ms "
            "budget before launch; stream the answer if it is close."
        )
    if use_case.accuracy_lift_value == "high":
        steps.append(
            "Put a number on what each gain in quality is worth; if it proves large, "
            "revisit fine-tuning with that number in hand."
        )
    if evaluation.cost_flip is not None:
        steps.append(
            "Revisit a model of your own if volume passes about "
            f"{approx(approx_count(evaluation.cost_flip, +1))} requests a month."
        )
    return tuple(steps)


def _own_model_steps(
    use_case: UseCase, evaluation: Evaluation, prices: Prices
) -> tuple[str, ...]:
    chosen = evaluation.chosen
    codes = evaluation.codes
    must_stay = rules.DATA_MUST_STAY in codes
    model = prices.offers.self_hosting.model
    if must_stay:
        baseline = (
            f"Run an untuned open-weight model ({model}) on your own hardware on 50 "
            "real examples; its score is the bar any change must beat."
        )
    else:
        baseline = (
            f"Run the best API that fits ({evaluation.costs.options[0].model if evaluation.costs.options else 'a small API model'}) "
            "on 50 real examples first and keep its score as the bar to beat."
        )
    steps = [baseline]
    tuned = chosen.option in {"hosted_fine_tune", "self_hosted_fine_tune"}
    if tuned:
        if use_case.proprietary_data == "substantial":
            steps.append(
                "Clean and deduplicate your labelled examples, and hold back a tenth "
                "that the model never trains on."
            )
        else:
            steps.append(
                "Collect about 1,000-10,000 examples of input and ideal output, and "
                "hold back a tenth that the model never trains on."
            )
        if chosen.option == "hosted_fine_tune":
            steps.append(
                f"Train a LoRA adapter on {model} with a provider that serves it for "
                "you; a first run takes hours, and preparing data and evaluating take "
                "longer than the run."
            )
        else:
            steps.append(
                "Start with QLoRA on one 24-48 GB GPU: a first run takes about 1-12 "
                f"hours, roughly {usd_approx(prices.fine_tune_one_off_usd)} of GPU time. "
                "Preparing data and evaluating take longer than the run."
            )
    else:
        if use_case.task == "question_answering":
            steps.append(_RETRIEVAL)
        steps.append(
            "Start untuned: tune only if the test set shows a gap and you have "
            "examples to tune on."
        )
    if chosen.option.startswith("self_hosted"):
        steps.append(
            f"Serve it with vLLM on {chosen.model.split(' on ', 1)[-1]} (about "
            f"{usd_approx(chosen.bill(use_case.monthly_requests))} a month) and "
            "load-test it with real traffic before switching over."
        )
    if rules.FORMAT_CRITICAL in codes:
        steps.append(
            "Check every output against your schema in code and count the failures; "
            "that count is your quality bar."
        )
    if rules.LATENCY_BUDGET in codes and use_case.latency_budget_ms is not None:
        steps.append(
            f"Load-test p95 latency against your {count(use_case.latency_budget_ms)} ms "
            "budget at peak traffic."
        )
    if not must_stay:
        steps.append(
            "Keep the API as a fallback until your model matches it on your test set."
        )
    return tuple(steps)


def _classical_steps(use_case: UseCase, evaluation: Evaluation) -> tuple[str, ...]:
    if evaluation.chosen.option == "vendor_tool":
        return (
            (
                f"Start with {evaluation.chosen.model}: wire it in, and log every score "
                "next to the confirmed outcome."
            ),
            (
                "Those logged outcomes become the labelled history a model of your own "
                "would learn from; revisit one when volume grows or the service misses "
                "cases that matter."
            ),
            _CLASSICAL_FIRST_STEP[use_case.task],
        )
    return _classical_steps_for(use_case.task, rules.MOAT in evaluation.codes)


_CLASSICAL_FIRST_STEP = {
    "fraud_detection": "Assemble a labelled history of transactions with confirmed "
    "outcomes, and measure recall at the false-positive rate your team can review.",
    "forecasting": "Gather two years of history if you have it, and backtest every "
    "model against a simple seasonal baseline.",
    "recommendation": "Start with a popularity baseline, then collaborative filtering, "
    "and measure both on held-out user sessions.",
    "specialized_vision": "Label a few thousand images, fine-tune a pretrained vision "
    "model on them, and measure it per class on images it has not seen.",
    "tabular_prediction": "Build one clean training table with the outcome to predict, "
    "and start with gradient-boosted trees (LightGBM or XGBoost) as the baseline.",
    "anomaly_detection": "Collect confirmed anomalies to evaluate against, and start "
    "with an isolation forest or a simple statistical baseline.",
}


@functools.lru_cache(maxsize=32)
def _classical_steps_for(task: str, moat: bool) -> tuple[str, ...]:
    steps = [
        _CLASSICAL_FIRST_STEP[task],
        "Plan the data and retraining pipeline first: that, not compute, is the real cost.",
        (
            "Serve it next to your application on ordinary CPUs: a tree model scores a "
            "case in well under a millisecond, with no GPU or model API needed."
        ),
    ]
    if moat:
        steps.append(
            "Put a value on each point of accuracy (for example, losses avoided per "
            "point of recall) so the team knows what an improvement is worth."
        )
    return tuple(steps)


# What each path asks of a team with no ML engineers, a small team, a larger one.
_EFFORT = {
    "api": (
        "A software engineer can ship this in days; no ML hire is needed.",
        (
            "A software engineer can ship this in days; {team} can own the test set and "
            "the choice of model."
        ),
        (
            "A software engineer can ship this in days; {team} can own the test set and "
            "the choice of model."
        ),
    ),
    "fine_tune": (
        (
            "This needs ML skills you do not have in-house yet: hire an ML engineer or "
            "bring in a partner for the first model. Expect weeks rather than days, and "
            "ongoing work to run the GPU service."
        ),
        (
            "Within reach for {team}: expect weeks for data, a first run and evaluation, "
            "then someone on call for the GPU service."
        ),
        (
            "{Team} can run this: the work is data, evaluation and operating the GPU "
            "service, not research."
        ),
    ),
    "classical_ml": (
        (
            "This needs a data scientist: hire one or bring in a partner. Expect weeks to "
            "months, most of it spent on data and the retraining pipeline."
        ),
        (
            "{Team} can build this: expect weeks to a first model, most of it spent on data "
            "and the retraining pipeline."
        ),
        (
            "{Team} can build and own this; plan monitoring and regular retraining from "
            "day one."
        ),
    ),
}


_VENDOR_EFFORT = (
    "A software engineer can wire in a ready-made service in days to weeks; the "
    "work that matters is logging outcomes so that a model of your own can follow."
)


@functools.lru_cache(maxsize=256)
def effort(path: str, engineers: int, option: str | None = None) -> str:
    """What the option asks of a team with this many ML engineers."""
    if option == "vendor_tool":
        return _VENDOR_EFFORT
    size = 0 if engineers == 0 else 1 if engineers <= SMALL_TEAM_MAX else 2
    team = "ML engineer" if engineers == 1 else f"{engineers:,} ML engineers"
    return _EFFORT[path][size].format(team=f"your {team}", Team=f"Your {team}")


_PATH_PHRASES = {
    "api": ("on a model API", "on model APIs"),
    "fine_tune": ("on a smaller model of your own", "on smaller models of your own"),
    "classical_ml": ("on a classical ML model", "on classical ML models"),
}


def stack_of(paths: Sequence[Path]) -> Stack:
    """The single path when every use case shares it, otherwise ``hybrid``."""
    first = paths[0]
    return first if all(path == first for path in paths) else "hybrid"


def summary(
    stack: str, results: Sequence[UseCaseResult], totals: Totals | None = None
) -> str:
    """One or two plain sentences about the stack; "needs" only when every verdict is sure."""
    total = len(results)
    per_path = dict.fromkeys(_PATH_PHRASES, 0)
    for result in results:
        per_path[result.path] += 1
    sure = all(result.confidence >= rules.CONFIDENT for result in results)
    bill = (
        f" Together, the recommended options cost about {usd_approx(totals.monthly_usd)} "
        f"a month to run and {usd_approx(totals.tco_3y_usd)} over three years, build and "
        "people included."
        if totals is not None and totals.tco_3y_usd > 0
        else ""
    )
    if stack == "api":
        subject = "This use case fits" if total == 1 else f"All {total} use cases fit"
        return (
            f"{subject} a model API: start there and revisit when volume or "
            f"requirements change.{bill}"
        )
    if stack == "fine_tune":
        verb = "needs" if sure else "points to"
        if total == 1:
            return f"This use case {verb} a smaller model of your own.{bill}"
        verb = "need" if sure else "point to"
        return (
            f"All {total} use cases {verb} smaller models of your own; several tuned "
            f"adapters can share one GPU service.{bill}"
        )
    if stack == "classical_ml":
        subject = "This use case is" if total == 1 else f"All {total} use cases are"
        return (
            f"{subject} prediction from your own data: classical ML models or a "
            f"ready-made service, no language model needed.{bill}"
        )
    parts = []
    for path, (one, many) in _PATH_PHRASES.items():
        number = per_path[path]
        if number == 1:
            parts.append(f"1 use case {one}")
        elif number:
            parts.append(f"{number} use cases {many}")
    listed = ", ".join(parts[:-1]) + " and " + parts[-1]
    return (
        f"A hybrid stack: {listed}. Each part uses the simplest tool that fits its "
        f"job.{bill}"
    )
