"""The price book: every dated figure the cost model uses, each with its source.

Prices go stale; the book is data, stored by the site as JSON (``to_dict`` /
``from_dict``) and named in every result, so an old recommendation can always be
explained with the figures it was made with.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import ConfigDict, Field, Strict, TypeAdapter, ValidationError

from advisor.engine.contract import FieldError, field_errors

HOURS_PER_MONTH = 730  # 8,760 hours a year / 12

# Strict numbers and text (no "2.69" strings, no booleans); dates stay lax so
# the ISO strings of ``to_dict`` read back.
Text = Annotated[str, Strict(), Field(min_length=1, max_length=500)]
PositiveNumber = Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False)]
NonNegativeNumber = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]
PositiveInt = Annotated[int, Strict(), Field(gt=0)]
Fraction = Annotated[float, Strict(), Field(gt=0, le=1, allow_inf_nan=False)]
_FORBID = ConfigDict(extra="forbid")


@dataclass(frozen=True, slots=True)
class ApiModelPrice:
    """List price of a hosted model, USD per million tokens."""

    __pydantic_config__ = _FORBID
    name: Text
    input_usd_per_million: PositiveNumber
    output_usd_per_million: PositiveNumber
    source: Text
    as_of: date


@dataclass(frozen=True, slots=True)
class GpuPrice:
    """On-demand rental price of one GPU."""

    __pydantic_config__ = _FORBID
    name: Text
    usd_per_hour: PositiveNumber
    source: Text
    as_of: date


@dataclass(frozen=True, slots=True)
class ThroughputRun:
    """One load test: fixed prompt and answer sizes, and the output rate reached."""

    __pydantic_config__ = _FORBID
    input_tokens: PositiveInt
    output_tokens: PositiveInt
    output_tokens_per_second: PositiveNumber


@dataclass(frozen=True, slots=True)
class Throughput:
    """What one serving GPU gets through at full load, from two measured runs.

    A request's GPU time is ``input_tokens * a + output_tokens * b``. One
    answer-heavy and one prompt-heavy run pin down both ``a`` (seconds per
    prompt token) and ``b`` (seconds per output token), so a client's own
    prompt and answer sizes are priced from measurements, not a single rate.
    """

    __pydantic_config__ = _FORBID
    model: Text
    gpu: Text
    long_output: ThroughputRun
    long_prompt: ThroughputRun
    source: Text
    as_of: date

    def seconds_per_token(self) -> tuple[float, float]:
        """GPU-seconds per (prompt token, output token) at full load.

        Raises ValueError when the two runs do not describe a usable GPU.
        """
        r1, r2 = self.long_output, self.long_prompt
        t1 = r1.output_tokens / r1.output_tokens_per_second
        t2 = r2.output_tokens / r2.output_tokens_per_second
        det = r1.input_tokens * r2.output_tokens - r2.input_tokens * r1.output_tokens
        if det == 0:
            raise ValueError("the two runs must differ in their prompt-to-answer ratio")
        per_input = (t1 * r2.output_tokens - t2 * r1.output_tokens) / det
        per_output = (r1.input_tokens * t2 - r2.input_tokens * t1) / det
        if per_input <= 0 or per_output <= 0:
            raise ValueError(
                "the two runs must give a positive time per prompt token and per output token"
            )
        return per_input, per_output


@dataclass(frozen=True, slots=True)
class Utilisation:
    """Average share of full-load throughput a serving GPU achieves over a month."""

    __pydantic_config__ = _FORBID
    value: Fraction
    source: Text
    as_of: date


@dataclass(frozen=True, slots=True)
class FineTuneRun:
    """One-off cost of a first fine-tune: GPU hours on the serving GPU, plus extras."""

    __pydantic_config__ = _FORBID
    gpu_hours: PositiveNumber
    # Data preparation and evaluation effort in USD, when the book prices it.
    extra_usd: NonNegativeNumber
    estimate: bool
    source: Text
    as_of: date


@dataclass(frozen=True, slots=True)
class Prices:
    """A complete, dated price book."""

    __pydantic_config__ = _FORBID
    name: Annotated[str, Strict(), Field(min_length=1, max_length=100)]
    as_of: date
    api_model: ApiModelPrice
    gpu: GpuPrice
    throughput: Throughput
    utilisation: Utilisation
    fine_tune: FineTuneRun
    other_api_models: tuple[ApiModelPrice, ...] = ()
    other_gpus: tuple[GpuPrice, ...] = ()

    @property
    def fine_tune_one_off_usd(self) -> float:
        return (
            self.fine_tune.gpu_hours * self.gpu.usd_per_hour + self.fine_tune.extra_usd
        )

    @property
    def always_on_gpu_monthly_usd(self) -> float:
        return HOURS_PER_MONTH * self.gpu.usd_per_hour

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (dates as ISO strings, tuples as lists)."""
        data: dict[str, Any] = _jsonable(self)
        return data

    @classmethod
    def from_dict(cls, data: object) -> Prices:
        """Build and check a price book; raise ``PriceBookError`` naming every bad field."""
        try:
            prices = _ADAPTER.validate_python(data)
        except ValidationError as exc:
            raise PriceBookError(field_errors(exc)) from None
        try:
            prices.throughput.seconds_per_token()
        except ValueError as exc:
            raise PriceBookError([FieldError("throughput", str(exc))]) from None
        return prices


class PriceBookError(ValueError):
    """A stored price book is incomplete or malformed."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, tuple | list):
        return [_jsonable(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


_ADAPTER = TypeAdapter(Prices)

_OPENAI = "OpenAI API pricing page (openai.com/api/pricing), snapshot in api-evangelist/openai plans/openai-plans-pricing.yml"
_ANTHROPIC = "Anthropic pricing (platform.claude.com/docs/en/about-claude/pricing)"
_GEMINI = "Google Gemini API pricing, snapshot in api-evangelist/gemini plans/gemini-plans-pricing.yml"
_RUNPOD = (
    "RunPod on-demand pricing (runpod.io/pricing), via silybench prices/gpu_hourly.yaml"
)
_AWS_SEPT = "AWS EC2 on-demand pricing, us-east-1, checked in September 2026"
_NOTES_DAY = date(2026, 11, 26)  # the day these figures were checked together
_OPENAI_DAY = date(2026, 5, 4)
_SILYBENCH_DAY = date(2026, 9, 25)

H100 = GpuPrice(
    name="NVIDIA H100 SXM 80GB",
    usd_per_hour=2.69,
    source=_RUNPOD + " (Community Cloud, the lowest listed on-demand H100 price)",
    as_of=_SILYBENCH_DAY,
)

DEFAULT_PRICES = Prices(
    name="default-2026-11",
    as_of=_NOTES_DAY,
    # A cheap, capable general model: the fair API baseline for narrow tasks
    # that a small fine-tuned model could also do.
    api_model=ApiModelPrice(
        name="GPT-5.4 mini",
        input_usd_per_million=0.75,
        output_usd_per_million=4.50,
        source=_OPENAI,
        as_of=_OPENAI_DAY,
    ),
    # The H100 is the GPU with a measured throughput for an 8B model, and at
    # the lowest listed price it gives self-hosting its best honest case.
    gpu=H100,
    throughput=Throughput(
        model="Qwen3-8B (BF16) on vLLM",
        gpu=H100.name,
        # Both runs met the service target: p99 time to first token <= 2 s,
        # median gap between tokens <= 50 ms.
        long_output=ThroughputRun(
            input_tokens=128, output_tokens=1024, output_tokens_per_second=13_300
        ),
        long_prompt=ThroughputRun(
            input_tokens=1024, output_tokens=128, output_tokens_per_second=3_000
        ),
        source="silybench Qwen3-8B on 1x H100 (github.com/tgarg01/silybench-data), "
        "runs decode-128-1024 and prefill-1024-128; marked as pipeline validation",
        as_of=date(2026, 9, 24),
    ),
    # The runs above are at full load; real traffic has daily peaks and quiet
    # nights, and capacity must cover the peak. Averaging half of full load
    # over a month is a common planning figure for interactive traffic.
    utilisation=Utilisation(
        value=0.5,
        source="Estimate: serving capacity sized for peaks runs at about half load on average",
        as_of=_NOTES_DAY,
    ),
    # Top of the 1-12 hour range for a 7-8B QLoRA run on 1-10k examples: the
    # first run is rarely the last. People's time for data and evaluation is
    # not priced here (it depends on the team) and is called out in the result.
    fine_tune=FineTuneRun(
        gpu_hours=12,
        extra_usd=0,
        estimate=True,
        source="Estimate: a 7B QLoRA run on 1-10k examples takes 1-12 GPU hours "
        "(QLoRA, arXiv 2305.14314; Unsloth and Axolotl memory figures)",
        as_of=_NOTES_DAY,
    ),
    other_api_models=(
        ApiModelPrice("GPT-5.4 nano", 0.20, 1.25, _OPENAI, _OPENAI_DAY),
        ApiModelPrice("GPT-5.4", 2.50, 15.0, _OPENAI, _OPENAI_DAY),
        ApiModelPrice("GPT-5.5", 5.0, 30.0, _OPENAI, _OPENAI_DAY),
        ApiModelPrice("Claude Haiku 4.5", 1.0, 5.0, _ANTHROPIC, _NOTES_DAY),
        ApiModelPrice("Claude Sonnet 4.x", 3.0, 15.0, _ANTHROPIC, _NOTES_DAY),
        ApiModelPrice("Claude Opus 4.5-4.8", 5.0, 25.0, _ANTHROPIC, _NOTES_DAY),
        ApiModelPrice("Gemini 3.1 Pro Preview", 2.0, 12.0, _GEMINI, date(2026, 9, 20)),
        ApiModelPrice(
            "Qwen3-8B hosted by Fireworks",
            0.20,
            0.20,
            "Fireworks serverless pricing (docs.fireworks.ai/serverless/pricing), "
            "via silybench prices/api_manual.yaml",
            _SILYBENCH_DAY,
        ),
    ),
    other_gpus=(
        GpuPrice("NVIDIA L4 24GB (AWS g6.xlarge)", 0.805, _AWS_SEPT, date(2026, 9, 1)),
        GpuPrice(
            "NVIDIA A10G 24GB (AWS g5.xlarge)", 1.006, _AWS_SEPT, date(2026, 9, 1)
        ),
        GpuPrice("NVIDIA A100 PCIe 80GB", 1.19, _RUNPOD, _SILYBENCH_DAY),
        GpuPrice("NVIDIA H100 SXM 80GB (Secure Cloud)", 3.49, _RUNPOD, _SILYBENCH_DAY),
    ),
)
