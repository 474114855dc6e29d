"""The advisor's decision engine: pure Python, no Django.

``advise(payload)`` validates one assessment and returns the contract's output;
``decide(assessment)`` does the same for an already validated ``Assessment``.
"""

from advisor.engine.contract import (
    Assessment,
    ContractError,
    FieldError,
    Organization,
    UseCase,
    validate,
)
from advisor.engine.costs import (
    api_monthly_cost,
    break_even_monthly_requests,
    self_hosted_monthly_cost,
)
from advisor.engine.decision import ENGINE_VERSION, advise, decide
from advisor.engine.prices import DEFAULT_PRICES, PriceBookError, Prices
from advisor.engine.result import (
    Costs,
    Reason,
    Result,
    UseCaseResult,
    result_from_dict,
)

__all__ = [
    "DEFAULT_PRICES",
    "ENGINE_VERSION",
    "Assessment",
    "ContractError",
    "Costs",
    "FieldError",
    "Organization",
    "PriceBookError",
    "Prices",
    "Reason",
    "Result",
    "UseCase",
    "UseCaseResult",
    "advise",
    "api_monthly_cost",
    "break_even_monthly_requests",
    "decide",
    "result_from_dict",
    "self_hosted_monthly_cost",
    "validate",
]
