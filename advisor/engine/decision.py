"""The engine's entry point: ``decide`` on a validated assessment."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from advisor.engine import compliance
from advisor.engine.advice import effort, next_steps, stack_of, summary
from advisor.engine.prices import DEFAULT_PRICES, Prices
from advisor.engine.result import Result, Totals, UseCaseResult
from advisor.engine.rules import evaluate

if TYPE_CHECKING:
    from advisor.engine.contract import Assessment

ENGINE_VERSION = "2026.2"


def decide(assessment: Assessment, prices: Prices = DEFAULT_PRICES) -> Result:
    """Recommend a path and option for every use case, and a stack for the company."""
    organization = assessment.organization
    engineers = organization.ml_engineers
    results = []
    chosen = []
    for index, use_case in enumerate(assessment.use_cases):
        evaluation = evaluate(use_case, organization, prices, index)
        record = next(
            option
            for option in evaluation.costs.options
            if option.option == evaluation.option
        )
        chosen.append(record)
        results.append(
            UseCaseResult(
                use_case.name,
                use_case.task,
                "language" if use_case.is_language else "predictive",
                evaluation.path,
                evaluation.confidence,
                evaluation.reasons,
                evaluation.costs,
                next_steps(use_case, evaluation, prices),
                effort(evaluation.path, engineers, evaluation.option),
                evaluation.option,  # type: ignore[arg-type]
                evaluation.flips,
                evaluation.warnings,
                compliance.notes(use_case, organization, evaluation.option),
            )
        )
    # Sums of the rounded figures shown per use case, so the totals add up to the cent.
    totals = Totals(
        round(math.fsum(option.monthly_usd for option in chosen), 2),
        round(math.fsum(option.one_off_usd for option in chosen), 2),
        round(math.fsum(option.tco_3y_usd for option in chosen), 2),
    )
    stack = stack_of([result.path for result in results])
    return Result(
        ENGINE_VERSION,
        prices.name,
        stack,
        summary(stack, results, totals),
        tuple(results),
        totals,
    )
