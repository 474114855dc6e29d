"""What a consultant would tell the client to do next, and what it takes."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from advisor.engine import rules
from advisor.engine.text import count, plural, usd

if TYPE_CHECKING:
    from collections.abc import Sequence

    from advisor.engine.contract import UseCase
    from advisor.engine.prices import Prices
    from advisor.engine.result import Path, Stack, UseCaseResult
    from advisor.engine.rules import Evaluation

# Team sizes: none; a small team that can own one model (the 1-3 ML engineers a
# fine-tune needs); a larger team that can own several.
SMALL_TEAM_MAX = 3


def next_steps(
    use_case: UseCase, evaluation: Evaluation, prices: Prices
) -> tuple[str, ...]:
    """Concrete steps for the chosen path, in the order to take them."""
    if evaluation.path == "classical_ml":
        return _classical_steps_for(use_case.task, rules.MOAT in evaluation.codes)
    if evaluation.path == "fine_tune":
        return _fine_tune_steps(use_case, evaluation, prices)
    return _api_steps(use_case, evaluation, prices)


@functools.lru_cache(maxsize=32)
def _api_opening(api_model: str) -> tuple[str, ...]:
    return (
        (
            f"Try your prompt on 10 real examples with {api_model}; if 8 or more come "
            "out right, build on it."
        ),
        (
            "Keep 50 real examples with the answers you expect as a test set, and "
            "re-run it whenever the model or the prompt changes."
        ),
    )


def _api_steps(
    use_case: UseCase, evaluation: Evaluation, prices: Prices
) -> tuple[str, ...]:
    steps = [*_api_opening(prices.api_model.name)]
    if use_case.proprietary_data == "some":
        steps.append(
            "Put your best in-house examples into the prompt, or behind retrieval, "
            "before thinking about fine-tuning."
        )
    if rules.THIN_MARGIN in evaluation.codes:
        steps.append(
            "Protect the margin: compare a cheaper model tier, and use batch pricing "
            "(half price at OpenAI and Google) for work that can wait."
        )
    budget = use_case.latency_budget_ms
    if budget is not None and budget < rules.LATENCY_TIGHT_BELOW_MS:
        steps.append(
            f"Measure p95 latency from your region against your {count(budget)} ms "
            "budget before launch; pick a fast model tier if it is close."
        )
    if use_case.accuracy_lift_value == "high":
        steps.append(
            "Put a number on what each gain in quality is worth; if it proves large, "
            "revisit fine-tuning with that number in hand."
        )
    facts = evaluation.facts
    if facts is not None and facts.break_even is not None:
        steps.append(
            f"Revisit self-hosting if volume passes about {count(facts.break_even)} "
            "requests a month."
        )
    return tuple(steps)


@functools.lru_cache(maxsize=32)
def _fine_tune_opening(
    data_must_stay: bool, api_model: str, fine_tune_usd: float
) -> tuple[str, ...]:
    if data_must_stay:
        baseline = (
            "Run an untuned open-weight model (such as Qwen3-8B) on your own hardware "
            "on 50 real examples; its score is the bar the tuned model must beat."
        )
    else:
        baseline = (
            f"Run the API baseline ({api_model}) on 50 real examples first and keep "
            "its score as the bar to beat."
        )
    return (
        baseline,
        (
            "Collect about 1,000-10,000 labelled examples of input and ideal output, "
            "and hold back a tenth that the model never trains on."
        ),
        (
            "Start with QLoRA on one 24-48 GB GPU: a first run takes about 1-12 hours, "
            f"roughly {usd(fine_tune_usd)} of GPU time. Preparing data and evaluating "
            "take longer than the run."
        ),
    )


def _fine_tune_steps(
    use_case: UseCase, evaluation: Evaluation, prices: Prices
) -> tuple[str, ...]:
    codes = evaluation.codes
    steps = [
        *_fine_tune_opening(
            rules.DATA_MUST_STAY in codes,
            prices.api_model.name,
            evaluation.costs.fine_tune_one_off_usd or 0.0,
        )
    ]
    facts = evaluation.facts
    if facts is not None:
        steps.append(
            f"Serve it with vLLM on {plural(facts.gpus, 'GPU')} "
            f"(about {usd(facts.self_hosted_monthly)} a month) and load-test it with "
            "real traffic before switching over."
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
    if rules.DATA_MUST_STAY not in codes:
        steps.append(
            "Keep the API as a fallback until the tuned model matches it on your test set."
        )
    return tuple(steps)


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


@functools.lru_cache(maxsize=256)
def effort(path: str, engineers: int) -> str:
    """What the path asks of a team with this many ML engineers."""
    size = 0 if engineers == 0 else 1 if engineers <= SMALL_TEAM_MAX else 2
    team = "ML engineer" if engineers == 1 else f"{engineers:,} ML engineers"
    return _EFFORT[path][size].format(team=f"your {team}", Team=f"Your {team}")


_PATH_PHRASES = {
    "api": ("on a model API", "on model APIs"),
    "fine_tune": ("on a fine-tuned model you host", "on fine-tuned models you host"),
    "classical_ml": ("on a classical ML model", "on classical ML models"),
}


def stack_of(paths: Sequence[Path]) -> Stack:
    """The single path when every use case shares it, otherwise ``hybrid``."""
    first = paths[0]
    return first if all(path == first for path in paths) else "hybrid"


def summary(stack: str, results: Sequence[UseCaseResult | Evaluation]) -> str:
    """One or two plain sentences about the stack, from each use case's path and cost."""
    total = len(results)
    per_path = dict.fromkeys(_PATH_PHRASES, 0)
    api_bill = 0.0
    for result in results:
        per_path[result.path] += 1
        if result.path == "api":
            api_bill += result.costs.api_monthly_usd or 0.0
    bill = (
        f" At today's volumes the API use cases cost about {usd(api_bill)} a month in total."
        if api_bill > 0
        else ""
    )
    if stack == "api":
        subject = "This use case fits" if total == 1 else f"All {total} use cases fit"
        return (
            f"{subject} a model API: start there and revisit when volume or "
            f"requirements change.{bill}"
        )
    if stack == "fine_tune":
        if total == 1:
            return (
                "This use case needs a fine-tuned small model that you host yourself."
            )
        return (
            f"All {total} use cases need fine-tuned small models that you host "
            "yourself; several tuned adapters can share one GPU service."
        )
    if stack == "classical_ml":
        subject = "This use case is" if total == 1 else f"All {total} use cases are"
        return (
            f"{subject} prediction from your own data: classical ML models, "
            "no language model needed."
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
