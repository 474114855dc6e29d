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


Capability = Annotated[int, Strict(), Field(ge=1, le=3)]
Discount = Annotated[float, Strict(), Field(ge=0, lt=1, allow_inf_nan=False)]
Multiplier = Annotated[float, Strict(), Field(ge=1, le=10, allow_inf_nan=False)]


@dataclass(frozen=True, slots=True)
class ModelOffer:
    """A model bought by the token: list price, context window, speed and capability.

    ``capability`` is the hardest task the model handles well untuned: 1 for
    narrow tasks (labels, fields, summaries, translation, answers from retrieved
    text), 2 for open-ended writing and reading document images, 3 for work where
    a small gain in quality is worth a lot. Speeds are p95 figures a client would
    see: the time to the first token, then the time per further token.
    """

    __pydantic_config__ = _FORBID
    name: Text
    input_usd_per_million: PositiveNumber
    output_usd_per_million: PositiveNumber
    context_tokens: PositiveInt
    capability: Capability
    first_token_ms: PositiveNumber
    ms_per_output_token: PositiveNumber
    # Share taken off the list price for work that may wait up to a day (0: none).
    batch_discount: Discount
    source: Text
    as_of: date


@dataclass(frozen=True, slots=True)
class HostedFineTune:
    """A LoRA adapter trained and served by a provider on its own GPUs."""

    __pydantic_config__ = _FORBID
    name: Text
    input_usd_per_million: PositiveNumber
    output_usd_per_million: PositiveNumber
    training_usd_per_million_tokens: PositiveNumber
    context_tokens: PositiveInt
    first_token_ms: PositiveNumber
    ms_per_output_token: PositiveNumber
    source: Text
    as_of: date


@dataclass(frozen=True, slots=True)
class ServingGpu:
    """One GPU a small open-weight model can be served on, and what it gets through.

    ``relative_throughput`` scales the measured run (``Prices.throughput``, on
    its own GPU) to this card; the speeds are one request's, sized for latency.
    """

    __pydantic_config__ = _FORBID
    name: Text
    usd_per_hour: PositiveNumber
    relative_throughput: Annotated[float, Strict(), Field(gt=0, le=10)]
    ms_per_output_token: PositiveNumber
    prefill_tokens_per_second: PositiveNumber
    source: Text
    as_of: date


@dataclass(frozen=True, slots=True)
class SelfHosting:
    """The open-weight model a client would run on their own GPUs."""

    __pydantic_config__ = _FORBID
    model: Text
    context_tokens: PositiveInt
    first_token_ms: PositiveNumber
    gpus: Annotated[tuple[ServingGpu, ...], Field(min_length=1)]
    source: Text
    as_of: date


@dataclass(frozen=True, slots=True)
class People:
    """What people cost: an ML engineer's loaded year, and labelling."""

    __pydantic_config__ = _FORBID
    engineer_usd_per_year: PositiveNumber
    # A partner or contractor, for a company with no ML engineer of its own.
    partner_multiplier: Multiplier
    labelled_example_usd: PositiveNumber
    source: Text
    as_of: date


@dataclass(frozen=True, slots=True)
class CpuServing:
    """Ordinary CPU instances that serve a classical model."""

    __pydantic_config__ = _FORBID
    name: Text
    usd_per_hour: PositiveNumber
    predictions_per_second: PositiveNumber
    source: Text
    as_of: date


@dataclass(frozen=True, slots=True)
class VendorTool:
    """A ready-made service for one predictive task, priced per prediction."""

    __pydantic_config__ = _FORBID
    task: Text
    name: Text
    usd_per_prediction: PositiveNumber
    source: Text
    as_of: date


@dataclass(frozen=True, slots=True)
class Offers:
    """The ways to buy or own a model that the options are priced from (engine 2026.2)."""

    __pydantic_config__ = _FORBID
    # At least one of each: every language use case is priced on a small API model
    # and on a GPU of the client's own.
    small_models: Annotated[tuple[ModelOffer, ...], Field(min_length=1)]
    frontier_model: ModelOffer
    hosted_open_weight: ModelOffer
    hosted_fine_tune: HostedFineTune
    self_hosting: SelfHosting
    people: People
    cpu: CpuServing
    vendor_tools: tuple[VendorTool, ...]


_OPENAI = "OpenAI API pricing page (openai.com/api/pricing), snapshot in api-evangelist/openai plans/openai-plans-pricing.yml"
_ANTHROPIC = "Anthropic pricing (platform.claude.com/docs/en/about-claude/pricing)"
_GEMINI = "Google Gemini API pricing, snapshot in api-evangelist/gemini plans/gemini-plans-pricing.yml"
_RUNPOD = (
    "RunPod on-demand pricing (runpod.io/pricing), via silybench prices/gpu_hourly.yaml"
)
_AWS_SEPT = "AWS EC2 on-demand pricing, us-east-1, checked in September 2026"
_NOTES_DAY = date(2026, 11, 26)  # the day these figures were checked together
_BOOK_DAY = date(2026, 12, 5)  # the day the 2026.2 offers joined the book
_OPENAI_DAY = date(2026, 5, 4)
_SILYBENCH_DAY = date(2026, 9, 25)

_OPENAI_MODELS = (
    "context windows from OpenAI's model pages (developers.openai.com/api/docs/models), "
    "as listed by Vercel AI Gateway"
)
_SPEED_ESTIMATE = (
    "p95 speeds: estimate from published time-to-first-token medians "
    "(321 ms to 2.1 s across providers, jonathanwrede.de, 2026) with headroom for p95"
)
_GPU_SCALING = (
    "Estimate: scaled from the measured H100 run by each card's memory bandwidth "
    "and compute (NVIDIA datasheets: L4 300 GB/s, A10G 600 GB/s, A100 80GB 1.9 TB/s, "
    "H100 SXM 3.35 TB/s); an 8B model in FP8 on the 24 GB cards"
)
_AWS_DAY = date(2026, 9, 1)

DEFAULT_OFFERS = Offers(
    small_models=(
        ModelOffer(
            name="GPT-5.4 nano",
            input_usd_per_million=0.20,
            output_usd_per_million=1.25,
            context_tokens=400_000,
            capability=1,
            first_token_ms=600,
            ms_per_output_token=4,
            batch_discount=0.5,
            source=f"{_OPENAI}; {_OPENAI_MODELS}; {_SPEED_ESTIMATE}",
            as_of=_OPENAI_DAY,
        ),
        ModelOffer(
            name="GPT-5.4 mini",
            input_usd_per_million=0.75,
            output_usd_per_million=4.50,
            context_tokens=400_000,
            capability=2,
            first_token_ms=700,
            ms_per_output_token=6,
            batch_discount=0.5,
            source=f"{_OPENAI}; {_OPENAI_MODELS}; {_SPEED_ESTIMATE}",
            as_of=_OPENAI_DAY,
        ),
    ),
    frontier_model=ModelOffer(
        name="GPT-5.4",
        input_usd_per_million=2.50,
        output_usd_per_million=15.0,
        context_tokens=1_050_000,
        capability=3,
        first_token_ms=1_500,
        ms_per_output_token=12,
        batch_discount=0.5,
        source=f"{_OPENAI}; {_OPENAI_MODELS}; p95 from a 912 ms median first token "
        "(jonathanwrede.de, 2026)",
        as_of=_OPENAI_DAY,
    ),
    hosted_open_weight=ModelOffer(
        name="Qwen3-8B hosted by Fireworks",
        input_usd_per_million=0.20,
        output_usd_per_million=0.20,
        context_tokens=32_768,
        capability=1,
        first_token_ms=500,
        ms_per_output_token=4,
        batch_discount=0.0,
        source="Fireworks serverless pricing (docs.fireworks.ai/serverless/pricing), "
        "via silybench prices/api_manual.yaml; 32,768-token native context from the "
        f"Qwen3-8B model card; {_SPEED_ESTIMATE}",
        as_of=_SILYBENCH_DAY,
    ),
    hosted_fine_tune=HostedFineTune(
        name="Qwen3-8B with your LoRA adapter, served by the provider",
        input_usd_per_million=0.20,
        output_usd_per_million=0.20,
        training_usd_per_million_tokens=0.46,
        context_tokens=32_768,
        first_token_ms=600,
        ms_per_output_token=5,
        source="Training: $0.46 per million tokens for models up to 10B "
        "(docs.ori.co/fine-tuning/billing); serving: estimate at the hosted base "
        "model's token price, as serverless LoRA providers charge",
        as_of=_NOTES_DAY,
    ),
    self_hosting=SelfHosting(
        model="Qwen3-8B",
        context_tokens=32_768,
        first_token_ms=40,
        gpus=(
            ServingGpu(
                "NVIDIA L4 24GB (AWS g6.xlarge)",
                0.805,
                0.15,
                30,
                2_500,
                f"{_AWS_SEPT}; {_GPU_SCALING}",
                _AWS_DAY,
            ),
            ServingGpu(
                "NVIDIA A10G 24GB (AWS g5.xlarge)",
                1.006,
                0.2,
                25,
                3_000,
                f"{_AWS_SEPT}; {_GPU_SCALING}",
                _AWS_DAY,
            ),
            ServingGpu(
                "NVIDIA A100 80GB (RunPod Secure Cloud)",
                1.59,
                0.55,
                12,
                8_000,
                f"{_RUNPOD}; {_GPU_SCALING}",
                _SILYBENCH_DAY,
            ),
            ServingGpu(
                "NVIDIA H100 SXM 80GB (RunPod Secure Cloud)",
                3.49,
                1.0,
                8,
                15_000,
                f"{_RUNPOD}; throughput measured (silybench Qwen3-8B on 1x H100)",
                _SILYBENCH_DAY,
            ),
        ),
        source="Qwen3-8B model card (huggingface.co/Qwen/Qwen3-8B): Apache 2.0, "
        "32,768 tokens native context, 131,072 with YaRN",
        as_of=_NOTES_DAY,
    ),
    people=People(
        engineer_usd_per_year=200_000,
        partner_multiplier=1.5,
        labelled_example_usd=1.0,
        source="Estimate: US wage data for computer and information research "
        "scientists (BLS OES) plus employer costs (BLS ECEC: wages are about 70% of "
        "compensation); partners bill about 1.5x; a labelled example takes an "
        "expert about a minute",
        as_of=_NOTES_DAY,
    ),
    cpu=CpuServing(
        name="AWS c7i.large (2 vCPU)",
        usd_per_hour=0.08925,
        predictions_per_second=500,
        source=f"{_AWS_SEPT}; a tree model scores a case in well under a "
        "millisecond (datasblog GBDT benchmark: 0.15 ms p99 per core)",
        as_of=_AWS_DAY,
    ),
    vendor_tools=(
        VendorTool(
            "fraud_detection",
            "Stripe Radar for Fraud Teams",
            0.02,
            "Stripe Radar pricing (stripe.com/radar/pricing): 2 cents per screened "
            "transaction",
            _NOTES_DAY,
        ),
        VendorTool(
            "forecasting",
            "A managed forecasting service",
            0.0006,
            "Estimate: managed forecasting at about $0.60 per 1,000 forecasts",
            _NOTES_DAY,
        ),
        VendorTool(
            "recommendation",
            "A managed recommendation service",
            0.0001,
            "Estimate: managed real-time recommendations at about $0.10 per 1,000",
            _NOTES_DAY,
        ),
        VendorTool(
            "specialized_vision",
            "A managed custom image-recognition service",
            0.004,
            "Estimate: managed custom image labelling at about $4 per 1,000 images",
            _NOTES_DAY,
        ),
        VendorTool(
            "tabular_prediction",
            "An AutoML prediction service",
            0.0005,
            "Estimate: managed AutoML predictions at about $0.50 per 1,000",
            _NOTES_DAY,
        ),
        VendorTool(
            "anomaly_detection",
            "A managed anomaly-detection service",
            0.0005,
            "Estimate: managed anomaly scoring at about $0.50 per 1,000 points",
            _NOTES_DAY,
        ),
    ),
)


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
    # Books stored before engine 2026.2 have no offers: they read as these.
    offers: Offers = DEFAULT_OFFERS

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
            errors = field_errors(exc)
            # A list whose only item is invalid is also reported "too short" (the bad
            # item does not count): the item's own message is the one to read.
            named = [error.path for error in errors]
            raise PriceBookError(
                [
                    error
                    for error in errors
                    if not (
                        error.message.startswith("must have at least")
                        and any(path.startswith(error.path + "[") for path in named)
                    )
                ]
            ) from None
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

H100 = GpuPrice(
    name="NVIDIA H100 SXM 80GB",
    usd_per_hour=2.69,
    source=_RUNPOD + " (Community Cloud, the lowest listed on-demand H100 price)",
    as_of=_SILYBENCH_DAY,
)

DEFAULT_PRICES = Prices(
    name="default-2026-12",
    as_of=_BOOK_DAY,
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
