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
OptionName = Literal[
    "api_frontier",
    "api_small",
    "api_batch",
    "hosted_open_weight",
    "hosted_fine_tune",
    "self_hosted_open_weight",
    "self_hosted_fine_tune",
    "classical_in_house",
    "vendor_tool",
]
Stack = Literal["api", "fine_tune", "classical_ml", "hybrid"]
Kind = Literal["language", "predictive"]

PATHS: tuple[str, ...] = ("api", "fine_tune", "classical_ml")
STACKS: tuple[str, ...] = (*PATHS, "hybrid")
# Each option and the path it follows.
OPTION_PATHS: dict[str, Path] = {
    "api_frontier": "api",
    "api_small": "api",
    "api_batch": "api",
    "hosted_open_weight": "api",
    "hosted_fine_tune": "fine_tune",
    "self_hosted_open_weight": "fine_tune",
    "self_hosted_fine_tune": "fine_tune",
    "classical_in_house": "classical_ml",
    "vendor_tool": "classical_ml",
}
OPTIONS: tuple[str, ...] = tuple(OPTION_PATHS)


class Reason(NamedTuple):
    code: str
    detail: str


class Option(NamedTuple):
    """One way to follow a path, priced over three years (USD, to the cent).

    ``ruled_out`` says why the option cannot be recommended for this use case
    (the data must stay, too slow, the prompt does not fit, not capable enough),
    or is None.
    """

    option: OptionName
    model: str
    monthly_usd: float
    one_off_usd: float
    people_monthly_usd: float
    tco_3y_usd: float
    ruled_out: Reason | None = None

    def to_dict(self) -> dict[str, Any]:
        ruled_out = self.ruled_out
        return {
            "option": self.option,
            "model": self.model,
            "monthly_usd": self.monthly_usd,
            "one_off_usd": self.one_off_usd,
            "people_monthly_usd": self.people_monthly_usd,
            "tco_3y_usd": self.tco_3y_usd,
            "ruled_out": None
            if ruled_out is None
            else {"code": ruled_out.code, "detail": ruled_out.detail},
        }


class Costs(NamedTuple):
    """Rounded figures (USD to the cent); None where a figure does not apply."""

    api_monthly_usd: float | None
    self_hosted_monthly_usd: float | None
    fine_tune_one_off_usd: float | None
    break_even_monthly_requests: int | None
    break_even_monthly_requests_range: tuple[int, int] | None = None
    options: tuple[Option, ...] = ()


NO_COSTS = Costs(None, None, None, None)


class Flip(NamedTuple):
    """A change to one input that would change the verdict, and the path it leads to."""

    input: str
    value: Any
    path: Path
    detail: str


class Totals(NamedTuple):
    """The recommended option of every use case, added up."""

    monthly_usd: float
    one_off_usd: float
    tco_3y_usd: float


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
    # Engine 2026.2; answers stored by 2026.1 read with these empty.
    option: OptionName | None = None
    flips: tuple[Flip, ...] = ()
    warnings: tuple[Reason, ...] = ()
    compliance: tuple[Reason, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """This use case in the contract's output shape."""
        costs = self.costs
        span = costs.break_even_monthly_requests_range
        return {
            "name": self.name,
            "task": self.task,
            "kind": self.kind,
            "path": self.path,
            "option": self.option,
            "confidence": self.confidence,
            "reasons": _notes(self.reasons),
            "costs": {
                "api_monthly_usd": costs.api_monthly_usd,
                "self_hosted_monthly_usd": costs.self_hosted_monthly_usd,
                "fine_tune_one_off_usd": costs.fine_tune_one_off_usd,
                "break_even_monthly_requests": costs.break_even_monthly_requests,
                "break_even_monthly_requests_range": None
                if span is None
                else list(span),
                "options": [option.to_dict() for option in costs.options],
            },
            "flips": [
                {
                    "input": flip.input,
                    "value": flip.value,
                    "path": flip.path,
                    "detail": flip.detail,
                }
                for flip in self.flips
            ],
            "warnings": _notes(self.warnings),
            "compliance": _notes(self.compliance),
            "next_steps": list(self.next_steps),
            "effort": self.effort,
        }


def _notes(notes: tuple[Reason, ...]) -> list[dict[str, str]]:
    return [{"code": code, "detail": detail} for code, detail in notes]


class Result(NamedTuple):
    engine_version: str
    price_book: str
    stack: Stack
    summary: str
    use_cases: tuple[UseCaseResult, ...]
    totals: Totals | None = None  # None in answers stored by engine 2026.1

    def to_dict(self) -> dict[str, Any]:
        """The contract's output shape, JSON-safe."""
        totals = self.totals
        return {
            "engine_version": self.engine_version,
            "price_book": self.price_book,
            "stack": self.stack,
            "summary": self.summary,
            "totals": None
            if totals is None
            else {
                "monthly_usd": totals.monthly_usd,
                "one_off_usd": totals.one_off_usd,
                "tco_3y_usd": totals.tco_3y_usd,
            },
            "use_cases": [use_case.to_dict() for use_case in self.use_cases],
        }


def result_from_dict(output: Mapping[str, Any]) -> Result:
    """A stored answer read back into the records, the one reader of the JSON form.

    Answers stored by earlier engine versions may lack the later fields (costs,
    next steps, effort; 2026.2's options, flips, warnings, compliance and
    totals); those read as empty rather than failing the page.
    """
    totals = output.get("totals")
    return Result(
        engine_version=output.get("engine_version", ""),
        price_book=output.get("price_book", ""),
        stack=output["stack"],
        summary=output.get("summary", ""),
        use_cases=tuple(_use_case_from_dict(answer) for answer in output["use_cases"]),
        totals=None
        if not totals
        else Totals(totals["monthly_usd"], totals["one_off_usd"], totals["tco_3y_usd"]),
    )


def _reasons_from(notes: Any) -> tuple[Reason, ...]:
    return tuple(Reason(note.get("code", ""), note["detail"]) for note in notes or ())


def _option_from_dict(entry: Mapping[str, Any]) -> Option:
    ruled_out = entry.get("ruled_out")
    return Option(
        entry["option"],
        entry.get("model", ""),
        entry["monthly_usd"],
        entry["one_off_usd"],
        entry["people_monthly_usd"],
        entry["tco_3y_usd"],
        None
        if not ruled_out
        else Reason(ruled_out.get("code", ""), ruled_out["detail"]),
    )


def _use_case_from_dict(answer: Mapping[str, Any]) -> UseCaseResult:
    costs = answer.get("costs") or {}
    span = costs.get("break_even_monthly_requests_range")
    return UseCaseResult(
        name=answer.get("name", ""),
        task=answer.get("task", ""),
        kind=answer.get("kind", "language"),
        path=answer["path"],
        confidence=answer["confidence"],
        reasons=_reasons_from(answer.get("reasons")),
        costs=Costs(
            costs.get("api_monthly_usd"),
            costs.get("self_hosted_monthly_usd"),
            costs.get("fine_tune_one_off_usd"),
            costs.get("break_even_monthly_requests"),
            None if not span else (span[0], span[1]),
            tuple(_option_from_dict(entry) for entry in costs.get("options") or ()),
        ),
        next_steps=tuple(answer.get("next_steps", ())),
        effort=answer.get("effort", ""),
        option=answer.get("option"),
        flips=tuple(
            Flip(flip["input"], flip["value"], flip["path"], flip.get("detail", ""))
            for flip in answer.get("flips") or ()
        ),
        warnings=_reasons_from(answer.get("warnings")),
        compliance=_reasons_from(answer.get("compliance")),
    )
