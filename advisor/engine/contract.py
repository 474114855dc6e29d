"""The assessment contract: validate a client's answers into a typed, frozen model.

Field names and enumerated values are fixed by the contract; every violation is
reported as a ``FieldError`` that names the field in plain words.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

LanguageTask = Literal[
    "summarization",
    "text_classification",
    "extraction",
    "question_answering",
    "content_generation",
    "translation",
    "document_extraction",
]
PredictiveTask = Literal[
    "fraud_detection",
    "forecasting",
    "recommendation",
    "specialized_vision",
    "tabular_prediction",
    "anomaly_detection",
]
Task = Literal[LanguageTask, PredictiveTask]
ProprietaryData = Literal["none", "some", "substantial"]
FormatConsistency = Literal["flexible", "critical"]
AccuracyLiftValue = Literal["low", "high"]
Regulation = Literal["gdpr", "hipaa", "pci_dss", "eu_ai_act", "ccpa"]

LANGUAGE_TASKS: tuple[str, ...] = get_args(LanguageTask)
PREDICTIVE_TASKS: tuple[str, ...] = get_args(PredictiveTask)
TASKS: tuple[str, ...] = LANGUAGE_TASKS + PREDICTIVE_TASKS
REGULATIONS: tuple[str, ...] = get_args(Regulation)

# Typical prompt and answer sizes in tokens when the client leaves them blank.
# A token is about three quarters of an English word.
TASK_TOKEN_DEFAULTS: dict[str, tuple[int, int]] = {
    # A few pages of notes or a long email thread in, a paragraph out.
    "summarization": (2_000, 250),
    # A short message plus the list of labels in, one label out.
    "text_classification": (500, 10),
    # A one- or two-page document in, a handful of fields as JSON out.
    "extraction": (1_500, 200),
    # A question plus several retrieved passages in, a short answer out.
    "question_answering": (3_000, 300),
    # A brief with instructions and examples in, a page-long draft out.
    "content_generation": (500, 800),
    # Text in, the same text in another language out; many languages take a
    # few more tokens than English, hence the slightly longer answer.
    "translation": (600, 700),
    # A scanned or photographed page (an image costs about as much as a page of
    # text) plus instructions in, a dozen fields as JSON out.
    "document_extraction": (1_500, 300),
}

MAX_USE_CASES = 50

Name = Annotated[str, Field(min_length=1, max_length=120)]


class _Strict(BaseModel):
    # Strict: a boolean is not a number, "12" is not 12, and 100.0 is not a
    # whole number. Rejecting 100.0 keeps one spelling for integers, which is
    # what the wizard and JSON written by hand both produce.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Organization(_Strict):
    # Null on a display-only text field means "not given".
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    industry: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    ml_engineers: Annotated[int, Field(ge=0, le=100_000)] = 0
    data_can_leave: bool = True
    regulations: Annotated[tuple[Regulation, ...], Field(strict=False)] = ()


def _default_input_tokens(data: dict[str, Any]) -> int | None:
    defaults = TASK_TOKEN_DEFAULTS.get(data["task"])
    return defaults[0] if defaults else None


def _default_output_tokens(data: dict[str, Any]) -> int | None:
    defaults = TASK_TOKEN_DEFAULTS.get(data["task"])
    return defaults[1] if defaults else None


if TYPE_CHECKING:
    # Left unset for predictive tasks, whose costs are not counted in tokens.
    InputTokens = int | None
    OutputTokens = int | None
else:
    # A JSON null is not a token count: leave the field out to get the default.
    InputTokens = Annotated[int, Field(ge=1, le=2_000_000)]
    OutputTokens = Annotated[int, Field(ge=1, le=200_000)]


class UseCase(_Strict):
    name: Name
    task: Task
    monthly_requests: Annotated[int, Field(ge=0, le=10_000_000_000)]
    # A missing size takes the task's default (a factory that sees the
    # validated task; it is cheaper than rewriting the input dictionary).
    input_tokens: InputTokens = Field(default_factory=_default_input_tokens)
    output_tokens: OutputTokens = Field(default_factory=_default_output_tokens)
    latency_budget_ms: Annotated[int, Field(ge=1, le=600_000)] | None = None
    value_per_request_usd: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = (
        None
    )
    proprietary_data: ProprietaryData = "none"
    format_consistency: FormatConsistency = "flexible"
    sensitive_data: bool = False
    accuracy_lift_value: AccuracyLiftValue = "low"
    user_facing: bool = False
    batch_ok: bool = False

    @property
    def is_language(self) -> bool:
        return self.task in TASK_TOKEN_DEFAULTS


class Assessment(_Strict):
    organization: Organization = Organization()
    use_cases: Annotated[
        tuple[UseCase, ...], Field(min_length=1, max_length=MAX_USE_CASES, strict=False)
    ]


@dataclass(frozen=True, slots=True)
class FieldError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ContractError(Exception):
    """The input breaks the assessment contract; ``errors`` names every field."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


ROOT_PATH = "(root)"


_ENUM_VALUES: dict[str, tuple[str, ...]] = {
    "task": TASKS,
    "proprietary_data": get_args(ProprietaryData),
    "format_consistency": get_args(FormatConsistency),
    "accuracy_lift_value": get_args(AccuracyLiftValue),
    "regulations": REGULATIONS,
}


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def format_path(loc: tuple[int | str, ...]) -> str:
    """``("use_cases", 2, "monthly_requests")`` -> ``use_cases[2].monthly_requests``.

    A key that is not a plain name (an unknown field called "" or "a b") is
    shown quoted, ``organization["a b"]``, so the path stays unambiguous.
    """
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            path += f".{part}" if path else part
        else:
            path += f"[{json.dumps(part, ensure_ascii=False)}]"
    return path or ROOT_PATH


def _plural(count: object, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# Pydantic error types, translated into short plain messages.
_FIXED_MESSAGES = {
    "extra_forbidden": "unknown field",
    "unexpected_keyword_argument": "unknown field",
    "invalid_key": "unknown field",
    "missing": "is required",
    "missing_keyword_argument": "is required",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
    "dataclass_type": "must be a JSON object",
    "finite_number": "must be a finite number",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "string_type": "must be a string",
}
_PREFIX_MESSAGES = (
    ("int_", "must be a whole number"),
    ("bool_", "must be true or false"),
    ("float_", "must be a number"),
    ("date", "must be a date (YYYY-MM-DD)"),
)
_LENGTH_MESSAGES = {
    "string_too_short": ("must be at least", "min_length", "character"),
    "string_too_long": ("must be at most", "max_length", "character"),
    "too_short": ("must have at least", "min_length", "item"),
    "too_long": ("must have at most", "max_length", "item"),
}
_BOUND_MESSAGES = {
    "greater_than_equal": ("must be >=", "ge"),
    "greater_than": ("must be >", "gt"),
    "less_than_equal": ("must be <=", "le"),
    "less_than": ("must be <", "lt"),
}


def _limit_message(kind: str, ctx: dict[str, Any]) -> str | None:
    if kind in _LENGTH_MESSAGES:
        phrase, key, noun = _LENGTH_MESSAGES[kind]
        limit = ctx.get(key)
        if kind == "string_too_short" and limit == 1:
            return "must not be empty"
        return f"{phrase} {_plural(limit, noun)}"
    if kind in _BOUND_MESSAGES:
        phrase, key = _BOUND_MESSAGES[kind]
        bound = ctx.get(key)
        # A float field's bound of 0 reads better as "0" than as "0.0".
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        return f"{phrase} {bound}"
    return None


def _message(error: Any) -> str:
    kind = error["type"]
    fixed = _FIXED_MESSAGES.get(kind)
    if fixed is not None:
        return fixed
    for prefix, message in _PREFIX_MESSAGES:
        if kind.startswith(prefix):
            return message
    ctx = error.get("ctx") or {}
    limit = _limit_message(kind, ctx)
    if limit is not None:
        return limit
    if kind in {"literal_error", "enum"}:
        # An item of a list ("regulations[1]") takes the list's allowed values.
        field = next(
            (part for part in reversed(error["loc"]) if isinstance(part, str)), None
        )
        allowed = _ENUM_VALUES.get(field, ()) if field is not None else ()
        return "must be one of: " + (", ".join(allowed) or str(ctx.get("expected", "")))
    # Rare pydantic errors keep pydantic's sentence, lower-cased to fit the rest.
    text = str(error.get("msg", "is not valid"))
    return text[:1].lower() + text[1:]


def field_errors(exc: ValidationError) -> list[FieldError]:
    """Translate pydantic's errors into short, plain ``FieldError``s."""
    return [
        FieldError(format_path(error["loc"]), _message(error))
        for error in exc.errors(include_url=False, include_input=False)
    ]


_LIST_LENGTH_ERRORS = frozenset({"too_short", "too_long"})
# Reported when a field with a task-based default sits next to an invalid task;
# the task's own error already says what to fix.
_SILENT_ERRORS = frozenset({"default_factory_not_called"})


def _use_case_count_error(value: object) -> FieldError | None:
    if not isinstance(value, list | tuple):
        return None
    if not value:
        return FieldError("use_cases", "must have at least 1 item")
    if len(value) > MAX_USE_CASES:
        return FieldError("use_cases", f"must have at most {MAX_USE_CASES} items")
    return None


def validate(payload: object) -> Assessment:
    """Validate one assessment; raise ``ContractError`` naming every bad field."""
    if not isinstance(payload, dict):
        raise ContractError([FieldError(ROOT_PATH, "must be a JSON object")])
    try:
        return Assessment.model_validate(payload)
    except ValidationError as exc:
        raw = exc.errors(include_url=False, include_input=False)
    # Pydantic counts list items after dropping the invalid ones, and stops at
    # the first item past the maximum; the raw count is what the client sent.
    errors = [
        FieldError(format_path(error["loc"]), _message(error))
        for error in raw
        if error["type"] not in _SILENT_ERRORS
        and not (
            error["loc"] == ("use_cases",) and error["type"] in _LIST_LENGTH_ERRORS
        )
    ]
    count_error = _use_case_count_error(payload.get("use_cases"))
    if count_error is not None:
        errors.append(count_error)
    if not errors:  # defensive: never raise an empty ContractError
        errors = [FieldError(format_path(e["loc"]), _message(e)) for e in raw]
    raise ContractError(errors)
