"""The engine's answer as immutable records, and its JSON form (the contract's output).

The records are named tuples rather than frozen dataclasses: they are just as
immutable and typed, and several times cheaper to build, which matters on the
engine's hot path (ten use cases per call, thousands of calls a second).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Mapping

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


def result_from_dict(output: Mapping[str, Any]) -> Result:
    """A stored answer read back into the records, the one reader of the JSON form.

    Answers stored by earlier engine versions may lack the later fields (costs,
    next steps, effort); those read as empty rather than failing the page.
    """
    return Result(
        engine_version=output.get("engine_version", ""),
        price_book=output.get("price_book", ""),
        stack=output["stack"],
        summary=output.get("summary", ""),
        use_cases=tuple(_use_case_from_dict(answer) for answer in output["use_cases"]),
    )


def _use_case_from_dict(answer: Mapping[str, Any]) -> UseCaseResult:
    costs = answer.get("costs") or {}
    return UseCaseResult(
        name=answer.get("name", ""),
        task=answer.get("task", ""),
        kind=answer.get("kind", "language"),
        path=answer["path"],
        confidence=answer["confidence"],
        reasons=tuple(
            Reason(reason.get("code", ""), reason["detail"])
            for reason in answer.get("reasons", ())
        ),
        costs=Costs(
            costs.get("api_monthly_usd"),
            costs.get("self_hosted_monthly_usd"),
            costs.get("fine_tune_one_off_usd"),
            costs.get("break_even_monthly_requests"),
        ),
        next_steps=tuple(answer.get("next_steps", ())),
        effort=answer.get("effort", ""),
    )
