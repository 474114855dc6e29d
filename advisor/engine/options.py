"""The concrete ways to follow each path, priced side by side over three years.

Every option's cost is a line in the monthly volume ``V``::

    bill(V) = base + slope * max(V, knee)

* a bought model (an API, a hosted open-weight model, a hosted LoRA, a vendor
  tool) has no base and no knee: every request pays its price;
* a self-hosted model runs on at least one always-on GPU plus one spare (N+1:
  a production service survives a GPU failure or a rolling upgrade), so
  ``base`` is the spare, ``knee`` is the volume one GPU carries at the book's
  utilisation, and above it the fleet grows with the traffic (an autoscaled
  fleet is paid by the hour it runs);
* a classical model runs the same way on ordinary CPU instances.

On top of the bill come the people (a share of an engineer's loaded cost,
every month) and the one-off build (engineering weeks, labelling, training).
The three-year total cost of ownership is ``36 * (bill + people) + one_off``.

Because every line is straight above its knee, the volume from which one
option is cheaper than another is solved in closed form (``cheaper_from``)
rather than searched for; the engine's verdict, its flips and its break-even
range all come from that one function.

Effort figures below are the engine's own planning estimates (documented in
docs/assessment-contract.md); prices come from the price book.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from advisor.engine.costs import MAX_MONTHLY_REQUESTS, SECONDS_PER_HOUR, unit_costs
from advisor.engine.prices import HOURS_PER_MONTH
from advisor.engine.result import OPTION_PATHS, Option, Reason
from advisor.engine.text import approx, count

if TYPE_CHECKING:
    from advisor.engine.contract import Organization, UseCase
    from advisor.engine.prices import HostedFineTune, ModelOffer, Prices, ServingGpu

MONTHS = 36  # the horizon of the total cost of ownership
WORKING_WEEKS_PER_YEAR = 48

# Engineering weeks to build each option the first time: wiring and a test set
# for a bought model; evaluation and a provider for an open-weight one; data,
# training runs and evaluation for a fine-tune; a serving stack (vLLM, autoscaling,
# monitoring, load tests) for anything self-hosted; data, features and a
# retraining pipeline for a classical model.
BUILD_WEEKS = {
    "api_small": 2.0,
    "api_frontier": 2.0,
    "api_batch": 3.0,
    "hosted_open_weight": 3.0,
    "hosted_fine_tune": 6.0,
    "self_hosted_open_weight": 6.0,
    "self_hosted_fine_tune": 9.0,
    "classical_in_house": 10.0,
    "vendor_tool": 3.0,
}
# Share of one engineer it takes to run each option: keeping prompts and tests
# current for a bought model; retraining and evaluation for a tuned one; on-call,
# upgrades and capacity for a GPU service; monitoring and retraining for a
# classical model.
RUN_SHARE = {
    "api_small": 0.05,
    "api_frontier": 0.05,
    "api_batch": 0.05,
    "hosted_open_weight": 0.08,
    "hosted_fine_tune": 0.15,
    "self_hosted_open_weight": 0.25,
    "self_hosted_fine_tune": 0.35,
    "classical_in_house": 0.3,
    "vendor_tool": 0.05,
}
# Options that make the client own a model: they need ML skills, so a company
# with no ML engineer pays a partner's rates, and an established team (more
# than SMALL_TEAM_MAX) builds faster on tooling it already has.
OWNED = frozenset(
    {
        "hosted_fine_tune",
        "self_hosted_open_weight",
        "self_hosted_fine_tune",
        "classical_in_house",
    }
)
SMALL_TEAM_MAX = 3
ESTABLISHED_TEAM_BUILD_FACTOR = 0.8

# The hardest work an untuned small model handles well is 1 (see ModelOffer);
# each task needs at least this, one more when a small gain in quality is worth
# a lot. A small model tuned on the client's examples reaches 2 on its one task
# (LoRA Land, arXiv 2405.00732: 4-bit LoRA models beat GPT-4 on narrow tasks),
# and 3 when thousands of in-house examples teach it what no API has seen.
TASK_CAPABILITY = {
    "summarization": 1,
    "text_classification": 1,
    "extraction": 1,
    "question_answering": 1,  # with retrieval: the answer is in the passages
    "translation": 1,
    "content_generation": 2,
    "document_extraction": 2,
}
OPEN_WEIGHT_CAPABILITY = 1
TUNED_CAPABILITY = 2
TUNED_ON_SUBSTANTIAL_DATA_CAPABILITY = 3

# A first LoRA run wants a few thousand examples; a client with "some" has
# part of them, one with "substantial" has them all.
EXAMPLES_TO_TUNE = 3_000
EXAMPLES_TO_LABEL = {"none": 3_000, "some": 2_000, "substantial": 0}
TRAINING_EPOCHS = 3
# A classical model needs a labelled history; without one it must be built.
HISTORY_TO_LABEL = 5_000
# A hosted API reads a prompt at about 20,000 tokens a second.
HOSTED_PREFILL_MS_PER_TOKEN = 0.05
# A vendor's scoring service answers in about a third of a second (p95), a
# classical model next to the application in a few milliseconds.
VENDOR_LATENCY_MS = 300.0
CLASSICAL_LATENCY_MS = 10.0
# CPU instances for a classical model run at about half load, as GPUs do.
CPU_UTILISATION = 0.5

# Why an option cannot be recommended (stable codes).
RULED_DATA = "data_must_stay"
RULED_CONTEXT = "context"
RULED_LATENCY = "latency"
RULED_QUALITY = "quality"
RULED_NO_DATA = "nothing_to_tune"


class Scenario(NamedTuple):
    """The uncertain assumptions, as factors on the book's figures."""

    gpu_price: float = 1.0
    utilisation: float | None = None  # None: the book's
    people: float = 1.0


CENTRAL = Scenario()
# The corners of the sensitivity sweep: GPUs 20% cheaper to 30% dearer than the
# book (RunPod's H100 runs $2.69-3.49 an hour, Lambda's $4.29), fleets 30% to
# 70% busy on average, people 25% cheaper to 50% dearer. Break-even rises with
# every one of them, so its lowest and highest values sit at these two corners.
FAVOURABLE = Scenario(gpu_price=0.8, utilisation=0.7, people=0.75)
UNFAVOURABLE = Scenario(gpu_price=1.3, utilisation=0.3, people=1.5)


@dataclass(slots=True)
class Priced:
    """One option for one use case: its cost line, speed, fit and why it is ruled out."""

    option: str
    model: str
    base: float
    slope: float
    knee: float
    people: float  # USD a month
    one_off: float
    latency_ms: float | None  # None: answers within hours (batch)
    context: int | None  # tokens the model reads and writes; None: not a language model
    ruled_out: Reason | None = None

    @property
    def path(self) -> str:
        return OPTION_PATHS[self.option]

    @property
    def fixed(self) -> float:
        """USD a month that does not depend on volume, the build spread over 36 months."""
        return self.base + self.people + self.one_off / MONTHS

    def bill(self, volume: float) -> float:
        return self.base + self.slope * max(volume, self.knee)

    def tco(self, volume: float) -> float:
        return MONTHS * (self.bill(volume) + self.people) + self.one_off

    def record(self, volume: int) -> Option:
        bill = round(self.bill(volume), 2)
        people = round(self.people, 2)
        one_off = round(self.one_off, 2)
        return Option(
            self.option,  # type: ignore[arg-type]
            self.model,
            bill,
            one_off,
            people,
            round(MONTHS * (bill + people) + one_off, 2),
            self.ruled_out,
        )


class Rates(NamedTuple):
    """What an engineer and a GPU cost this client under one scenario."""

    month: float  # a month of one engineer
    week: float  # a week of one engineer
    owned_people: float  # factor on owned options' people and build
    owned_build: float  # further factor on owned options' build weeks
    labelled_example: float  # USD for one labelled example
    gpu_price: float  # factor on the book's GPU prices
    utilisation: float  # average share of full load a serving fleet runs at


def rates(organization: Organization, prices: Prices, scenario: Scenario) -> Rates:
    people = prices.offers.people
    year = people.engineer_usd_per_year * scenario.people
    engineers = organization.ml_engineers
    owned_people = people.partner_multiplier if engineers == 0 else 1.0
    owned_build = ESTABLISHED_TEAM_BUILD_FACTOR if engineers > SMALL_TEAM_MAX else 1.0
    return Rates(
        year / 12,
        year / WORKING_WEEKS_PER_YEAR,
        owned_people,
        owned_build,
        people.labelled_example_usd * scenario.people * owned_people,
        scenario.gpu_price,
        scenario.utilisation or prices.utilisation.value,
    )


def _people_and_build(option: str, rate: Rates) -> tuple[float, float]:
    people = RUN_SHARE[option] * rate.month
    build = BUILD_WEEKS[option] * rate.week
    if option in OWNED:
        people *= rate.owned_people
        build *= rate.owned_people * rate.owned_build
    return people, build


def required_capability(use_case: UseCase) -> int:
    base = TASK_CAPABILITY.get(use_case.task, 1)
    return min(3, base + (1 if use_case.accuracy_lift_value == "high" else 0))


def tuning_allowed(use_case: UseCase) -> bool:
    """There is something to tune on: in-house examples, an exact format to teach, or
    labels, which anyone who knows the categories adds in seconds an example (the
    labelling is priced in the one-off)."""
    return (
        use_case.proprietary_data != "none"
        or use_case.format_consistency == "critical"
        or use_case.task == "text_classification"
    )


def tuning_required(use_case: UseCase) -> bool:
    """The signals that only a tuned model answers (the seed's fine-tune rules)."""
    return (
        use_case.proprietary_data == "substantial"
        or use_case.format_consistency == "critical"
    )


def data_must_stay(use_case: UseCase, organization: Organization) -> bool:
    return not organization.data_can_leave or use_case.sensitive_data


class Fit(NamedTuple):
    """What the use case asks of every option, worked out once."""

    must_stay: bool
    capability: int
    tune_ok: bool
    budget: int | None  # the latency budget that rules options out (None: none does)
    tokens: int  # read and written per request
    images: bool  # the model reads scanned pages


def fit_of(use_case: UseCase, organization: Organization, budget: int | None) -> Fit:
    return Fit(
        data_must_stay(use_case, organization),
        required_capability(use_case),
        tuning_allowed(use_case),
        budget,
        (use_case.input_tokens or 0) + (use_case.output_tokens or 0),
        use_case.task == "document_extraction",
    )


class Demands(NamedTuple):
    """What an option is: run by a provider or not, how capable, tuned, able to see."""

    hosted: bool
    capability: int
    tuned: bool = False
    reads_images: bool = True


def _rule(priced: Priced, fit: Fit, demands: Demands) -> Priced:
    """Set why ``priced`` cannot be recommended, the strongest reason first."""
    if demands.hosted and fit.must_stay:
        priced.ruled_out = Reason(
            RULED_DATA, "Your data may not go to a third-party provider."
        )
    elif priced.context is not None and fit.tokens > priced.context:
        priced.ruled_out = Reason(
            RULED_CONTEXT,
            f"A {count(fit.tokens)}-token request does not fit its "
            f"{count(priced.context)}-token context window.",
        )
    elif fit.budget is not None and (
        priced.latency_ms is None or priced.latency_ms > fit.budget
    ):
        priced.ruled_out = Reason(
            RULED_LATENCY,
            "Results come back within hours, not within your budget."
            if priced.latency_ms is None
            else f"About {approx(priced.latency_ms)} ms per answer, over your "
            f"{count(fit.budget)} ms budget.",
        )
    elif fit.images and not demands.reads_images:
        priced.ruled_out = Reason(
            RULED_QUALITY, "This model reads text only, not scanned pages."
        )
    elif demands.tuned and not fit.tune_ok:
        priced.ruled_out = Reason(
            RULED_NO_DATA,
            "There is nothing to tune on yet: no in-house examples and no strict format.",
        )
    elif demands.capability < fit.capability:
        priced.ruled_out = Reason(
            RULED_QUALITY, "Not capable enough for this task without tuning."
        )
    return priced


def _per_request(
    prices: ModelOffer | HostedFineTune, use_case: UseCase, discount: float = 0.0
) -> float:
    price = (
        (use_case.input_tokens or 0) * prices.input_usd_per_million
        + (use_case.output_tokens or 0) * prices.output_usd_per_million
    ) / 1_000_000
    return price * (1.0 - discount)


def _hosted_latency(offer: ModelOffer | HostedFineTune, use_case: UseCase) -> float:
    return (
        offer.first_token_ms
        + (use_case.input_tokens or 0) * HOSTED_PREFILL_MS_PER_TOKEN
        + (use_case.output_tokens or 0) * offer.ms_per_output_token
    )


def _bought(option: str, offer: ModelOffer, use_case: UseCase, rate: Rates) -> Priced:
    """A model bought by the token; ``api_batch`` at the offer's batch discount."""
    batch = option == "api_batch"
    people, build = _people_and_build(option, rate)
    return Priced(
        option,
        f"{offer.name}, batch" if batch else offer.name,
        0.0,
        _per_request(offer, use_case, offer.batch_discount if batch else 0.0),
        0.0,
        people,
        build,
        None if batch else _hosted_latency(offer, use_case),
        offer.context_tokens,
    )


def api_options(
    use_case: UseCase, fit: Fit, prices: Prices, rate: Rates
) -> list[Priced]:
    """The path-``api`` options: the cheapest fitting small tier, a frontier model,
    batch pricing where the work may wait, and a hosted open-weight model."""
    offers = prices.offers
    fitting = [m for m in offers.small_models if m.capability >= fit.capability]
    candidates = fitting or [max(offers.small_models, key=lambda m: m.capability)]
    small = min(candidates, key=lambda m: _per_request(m, use_case))
    chosen = [("api_small", small), ("api_frontier", offers.frontier_model)]
    if use_case.batch_ok:
        batchable = [
            m
            for m in (*offers.small_models, offers.frontier_model)
            if m.batch_discount > 0 and m.capability >= fit.capability
        ]
        if batchable:
            chosen.append(
                (
                    "api_batch",
                    min(
                        batchable,
                        key=lambda m: _per_request(m, use_case, m.batch_discount),
                    ),
                )
            )
    chosen.append(("hosted_open_weight", offers.hosted_open_weight))
    return [
        _rule(
            _bought(option, offer, use_case, rate),
            fit,
            Demands(
                hosted=True,
                capability=offer.capability,
                reads_images=option != "hosted_open_weight",
            ),
        )
        for option, offer in chosen
    ]


def hosted_fine_tune(
    use_case: UseCase, fit: Fit, prices: Prices, rate: Rates
) -> Priced:
    lora = prices.offers.hosted_fine_tune
    training = (
        EXAMPLES_TO_TUNE
        * fit.tokens
        * TRAINING_EPOCHS
        * lora.training_usd_per_million_tokens
        / 1_000_000
    )
    people, build = _people_and_build("hosted_fine_tune", rate)
    priced = Priced(
        "hosted_fine_tune",
        lora.name,
        0.0,
        _per_request(lora, use_case),
        0.0,
        people,
        build + training + _labelling(use_case, rate),
        _hosted_latency(lora, use_case),
        lora.context_tokens,
    )
    return _rule(
        priced,
        fit,
        Demands(
            hosted=True,
            capability=_tuned_capability(use_case),
            tuned=True,
            reads_images=False,
        ),
    )


def _tuned_capability(use_case: UseCase) -> int:
    if use_case.proprietary_data == "substantial":
        return TUNED_ON_SUBSTANTIAL_DATA_CAPABILITY
    return TUNED_CAPABILITY


def _labelling(use_case: UseCase, rate: Rates) -> float:
    return EXAMPLES_TO_LABEL[use_case.proprietary_data] * rate.labelled_example


class _Fleet(NamedTuple):
    """What every GPU line of one self-hosted option shares."""

    option: str
    label: str  # "Qwen3-8B" or "Qwen3-8B, LoRA-tuned,"
    measured_seconds: float  # GPU-seconds per request on the measured GPU
    people: float
    one_off: float
    first_token_ms: float
    input_tokens: int
    written: int  # tokens written one by one per answer
    context: int


def self_hosted(
    use_case: UseCase, fit: Fit, prices: Prices, rate: Rates, *, tuned: bool
) -> list[Priced]:
    """One line per GPU in the book: the fleet that carries the load, plus a spare."""
    hosting = prices.offers.self_hosting
    unit = unit_costs(use_case, prices)
    option = "self_hosted_fine_tune" if tuned else "self_hosted_open_weight"
    people, build = _people_and_build(option, rate)
    one_off = build
    if tuned:
        # The training run on a rented GPU, and the examples to train on.
        one_off += prices.fine_tune_one_off_usd * rate.gpu_price
        one_off += _labelling(use_case, rate)
    model = f"{hosting.model}-VL" if fit.images else hosting.model
    fleet = _Fleet(
        option,
        f"{model}, LoRA-tuned," if tuned else model,
        unit.gpu_seconds_per_request * prices.utilisation.value / rate.utilisation,
        people,
        one_off,
        hosting.first_token_ms,
        use_case.input_tokens or 0,
        # A tuned classifier answers with a classification head: one forward pass,
        # no tokens written one by one.
        0
        if tuned and use_case.task == "text_classification"
        else use_case.output_tokens or 0,
        hosting.context_tokens,
    )
    demands = Demands(
        hosted=False,
        capability=_tuned_capability(use_case) if tuned else OPEN_WEIGHT_CAPABILITY,
        tuned=tuned,
    )
    return [_rule(_gpu_line(fleet, gpu, rate), fit, demands) for gpu in hosting.gpus]


def _gpu_line(fleet: _Fleet, gpu: ServingGpu, rate: Rates) -> Priced:
    month = gpu.usd_per_hour * rate.gpu_price * HOURS_PER_MONTH
    seconds = fleet.measured_seconds / gpu.relative_throughput
    per_gpu = SECONDS_PER_HOUR * HOURS_PER_MONTH / seconds if seconds > 0 else math.inf
    latency = (
        fleet.first_token_ms
        + fleet.input_tokens * 1000 / gpu.prefill_tokens_per_second
        + fleet.written * gpu.ms_per_output_token
    )
    gpu_name = gpu.name.split(" (")[0]
    return Priced(
        fleet.option,
        f"{fleet.label} on {gpu_name} GPUs, with a spare",
        month,
        month / per_gpu,
        per_gpu,
        fleet.people,
        fleet.one_off,
        latency,
        fleet.context,
    )


def classical_options(
    use_case: UseCase, fit: Fit, prices: Prices, rate: Rates
) -> list[Priced]:
    """A model of the client's own on CPUs, and a vendor's ready-made service."""
    offers = prices.offers
    cpu = offers.cpu
    month = cpu.usd_per_hour * HOURS_PER_MONTH
    per_instance = cpu.predictions_per_second * SECONDS_PER_HOUR * HOURS_PER_MONTH
    per_instance *= CPU_UTILISATION
    people, build = _people_and_build("classical_in_house", rate)
    if use_case.proprietary_data == "none":
        build += HISTORY_TO_LABEL * rate.labelled_example
    in_house = Priced(
        "classical_in_house",
        f"Your own model on {cpu.name.split(' (')[0]} instances, with a spare",
        month,
        month / per_instance,
        per_instance,
        people,
        build,
        CLASSICAL_LATENCY_MS,
        None,
    )
    options = [_rule(in_house, fit, Demands(hosted=False, capability=3))]
    vendor = next(
        (tool for tool in offers.vendor_tools if tool.task == use_case.task), None
    )
    if vendor is not None:
        people, build = _people_and_build("vendor_tool", rate)
        priced = Priced(
            "vendor_tool",
            vendor.name,
            0.0,
            vendor.usd_per_prediction,
            0.0,
            people,
            build,
            VENDOR_LATENCY_MS,
            None,
        )
        options.append(_rule(priced, fit, Demands(hosted=True, capability=3)))
    return options


def cheaper_from(owned: Priced, bought: Priced, share: float = 1.0) -> int | None:
    """Smallest monthly volume from which ``owned`` costs at most ``share`` of ``bought``
    over three years, and stays so at every higher volume; None if never (within the
    contract's range).

    ``owned`` costs ``a + s * max(V, knee)`` a month, ``bought`` ``c + k * V`` (each
    with its people and build spread over 36 months). Their difference falls with
    volume as long as ``s < share * k`` and never rises, so the answer is the one
    crossing: below the knee where owning is flat, or above it.
    """
    a, s, knee = owned.fixed, owned.slope, owned.knee
    c, k = share * bought.fixed, share * bought.slope
    if s >= k:
        return None
    flat = a + s * knee
    if flat <= c + k * knee:
        volume = (flat - c) / k if k > 0 else 0.0
    else:
        volume = (a - c) / (k - s)
    # Fix float rounding on the integer volume the comparison is made at.
    result = max(0, math.ceil(volume - 1e-9))
    while result > 0 and owned.tco(result - 1) <= share * bought.tco(result - 1):
        result -= 1
    for _ in range(64):
        if owned.tco(result) <= share * bought.tco(result) * (1 + 1e-12):
            break
        result += 1
    return result if result <= MAX_MONTHLY_REQUESTS else None


def cheapest_from(
    owned: list[Priced], bought: list[Priced], share: float
) -> int | None:
    """Smallest volume from which some ``owned`` option costs at most ``share`` of every
    ``bought`` one."""
    best: int | None = None
    for mine in owned:
        worst = 0
        for theirs in bought:
            volume = cheaper_from(mine, theirs, share)
            if volume is None:
                break
            worst = max(worst, volume)
        else:
            if best is None or worst < best:
                best = worst
    return best


def best(options: list[Priced], volume: int) -> Priced | None:
    """The cheapest option over three years at this volume (ties: the first listed)."""
    chosen = None
    for option in options:
        if chosen is None or option.tco(volume) < chosen.tco(volume):
            chosen = option
    return chosen
