"""The advisor's decision engine: pure Python, no Django.

``validate(payload)`` checks one assessment against the contract and
``decide(assessment)`` recommends; ``decide(...).to_dict()`` is the contract's
output.
"""

from advisor.engine.contract import (
    Assessment,
    ContractError,
    FieldError,
    Organization,
    UseCase,
    validate,
)
from advisor.engine.decision import ENGINE_VERSION, decide
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
    "decide",
    "result_from_dict",
    "validate",
]
