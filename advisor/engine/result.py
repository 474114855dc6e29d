"""The engine's answer as immutable records, and its JSON form (the contract's output).

The records are named tuples rather than frozen dataclasses: they are just as
immutable and typed, and several times cheaper to build, which matters on the
engine's hot path (ten use cases per call, thousands of calls a second).
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

Path = Literal["api", "fine_tune", "classical_ml"]
Stack = Literal["api", "fine_tune", "classical_ml", "hybrid"]
Kind = Literal["language", "predictive"]

PATHS: tuple[str, ...] = ("api", "fine_tune", "classical_ml")
STACKS: tuple[str, ...] = (*PATHS, "hybrid")


class Reason(NamedTuple):
    code: str
    detail: str


class Costs(NamedTuple):
    """Rounded figures (USD to the cent); None where a figure does not apply."""

    api_monthly_usd: float | None
    self_hosted_monthly_usd: float | None
    fine_tune_one_off_usd: float | None
    break_even_monthly_requests: int | None


NO_COSTS = Costs(None, None, None, None)


class UseCaseResult(NamedTuple):
    name: str
    task: str
    kind: Kind
    path: Path
    confidence: float
    reasons: tuple[Reason, ...]
    costs: Costs
    next_steps: tuple[str, ...]
    effort: str

    def to_dict(self) -> dict[str, Any]:
        """This use case in the contract's output shape."""
        # Unpacked once into locals: cheaper than nine attribute reads, and this
        # runs for every use case of every answer.
        name, task, kind, path, confidence, reasons, costs, next_steps, effort = self
        return {
            "name": name,
            "task": task,
            "kind": kind,
            "path": path,
            "confidence": confidence,
            "reasons": [{"code": code, "detail": detail} for code, detail in reasons],
            "costs": {
                "api_monthly_usd": costs.api_monthly_usd,
                "self_hosted_monthly_usd": costs.self_hosted_monthly_usd,
                "fine_tune_one_off_usd": costs.fine_tune_one_off_usd,
                "break_even_monthly_requests": costs.break_even_monthly_requests,
            },
            "next_steps": list(next_steps),
            "effort": effort,
        }


class Result(NamedTuple):
    engine_version: str
    price_book: str
    stack: Stack
    summary: str
    use_cases: tuple[UseCaseResult, ...]

    def to_dict(self) -> dict[str, Any]:
        """The contract's output shape, JSON-safe."""
        return {
            "engine_version": self.engine_version,
            "price_book": self.price_book,
            "stack": self.stack,
            "summary": self.summary,
            "use_cases": [use_case.to_dict() for use_case in self.use_cases],
        }
