"""The engine's entry point: ``decide`` on a validated assessment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.engine.advice import effort, next_steps, stack_of, summary
from advisor.engine.prices import DEFAULT_PRICES, Prices
from advisor.engine.result import Result, UseCaseResult
from advisor.engine.rules import evaluate

if TYPE_CHECKING:
    from advisor.engine.contract import Assessment

ENGINE_VERSION = "2026.1"


def decide(assessment: Assessment, prices: Prices = DEFAULT_PRICES) -> Result:
    """Recommend a path for every use case, and a stack for the whole company."""
    organization = assessment.organization
    engineers = organization.ml_engineers
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
                effort(evaluation.path, engineers),
            )
        )
    stack = stack_of([result.path for result in results])
    return Result(
        ENGINE_VERSION, prices.name, stack, summary(stack, results), tuple(results)
    )
