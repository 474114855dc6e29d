"""The engine's entry points: ``decide`` on a validated assessment, ``advise`` on raw input."""

from __future__ import annotations

from typing import Any

from advisor.engine.advice import effort, next_steps, stack_of, summary
from advisor.engine.contract import Assessment, validate
from advisor.engine.prices import DEFAULT_PRICES, Prices
from advisor.engine.result import Result, UseCaseResult, result_dict, use_case_dict
from advisor.engine.rules import evaluate

ENGINE_VERSION = "2026.1"


def decide(assessment: Assessment, prices: Prices = DEFAULT_PRICES) -> Result:
    """Recommend a path for every use case, and a stack for the whole company."""
    organization = assessment.organization
    results = []
    for use_case in assessment.use_cases:
        evaluation = evaluate(use_case, organization, prices)
        results.append(
            UseCaseResult(
                use_case.name,
                use_case.task,
                "predictive" if evaluation.facts is None else "language",
                evaluation.path,
                evaluation.confidence,
                evaluation.reasons,
                evaluation.costs,
                next_steps(use_case, evaluation, prices),
                effort(evaluation.path, organization.ml_engineers),
            )
        )
    stack = stack_of([result.path for result in results])
    return Result(
        ENGINE_VERSION, prices.name, stack, summary(stack, results), tuple(results)
    )


def advise(payload: object, prices: Prices = DEFAULT_PRICES) -> dict[str, Any]:
    """Validate raw input (raising ``ContractError``) and return the contract's output.

    Equal to ``decide(validate(payload), prices).to_dict()``, built without the
    intermediate records (this is the hot path of the site and the command).
    """
    assessment = validate(payload)
    organization = assessment.organization
    engineers = organization.ml_engineers
    evaluations = []
    use_cases = []
    for use_case in assessment.use_cases:
        evaluation = evaluate(use_case, organization, prices)
        evaluations.append(evaluation)
        use_cases.append(
            use_case_dict(
                use_case.name,
                use_case.task,
                "predictive" if evaluation.facts is None else "language",
                evaluation.path,
                evaluation.confidence,
                evaluation.reasons,
                evaluation.costs,
                next_steps(use_case, evaluation, prices),
                effort(evaluation.path, engineers),
            )
        )
    stack = stack_of([evaluation.path for evaluation in evaluations])
    return result_dict(
        ENGINE_VERSION, prices.name, stack, summary(stack, evaluations), use_cases
    )
