"""The engine's entry points: ``decide`` on a validated assessment, ``advise`` on raw input."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advisor.engine.advice import effort, next_steps, stack_of, summary
from advisor.engine.contract import Assessment, validate
from advisor.engine.prices import DEFAULT_PRICES, Prices
from advisor.engine.result import Result, UseCaseResult, result_dict, use_case_dict
from advisor.engine.rules import evaluate

if TYPE_CHECKING:
    from collections.abc import Iterator

    from advisor.engine.contract import UseCase
    from advisor.engine.rules import Evaluation

ENGINE_VERSION = "2026.1"


def _each(
    assessment: Assessment, prices: Prices
) -> Iterator[tuple[UseCase, Evaluation, tuple[str, ...], str]]:
    organization = assessment.organization
    for use_case in assessment.use_cases:
        evaluation = evaluate(use_case, organization, prices)
        yield (
            use_case,
            evaluation,
            next_steps(use_case, evaluation, prices),
            effort(evaluation.path, organization.ml_engineers),
        )


def decide(assessment: Assessment, prices: Prices = DEFAULT_PRICES) -> Result:
    """Recommend a path for every use case, and a stack for the whole company."""
    results = [
        UseCaseResult(
            use_case.name,
            use_case.task,
            "predictive" if evaluation.facts is None else "language",
            evaluation.path,
            evaluation.confidence,
            evaluation.reasons,
            evaluation.costs,
            steps,
            work,
        )
        for use_case, evaluation, steps, work in _each(assessment, prices)
    ]
    stack = stack_of([result.path for result in results])
    return Result(
        ENGINE_VERSION, prices.name, stack, summary(stack, results), tuple(results)
    )


def advise(payload: object, prices: Prices = DEFAULT_PRICES) -> dict[str, Any]:
    """Validate raw input (raising ``ContractError``) and return the contract's output.

    Equal to ``decide(validate(payload), prices).to_dict()``, built without the
    intermediate records.
    """
    evaluations = []
    use_cases = []
    for use_case, evaluation, steps, work in _each(validate(payload), prices):
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
                steps,
                work,
            )
        )
    stack = stack_of([evaluation.path for evaluation in evaluations])
    return result_dict(
        ENGINE_VERSION, prices.name, stack, summary(stack, evaluations), use_cases
    )
