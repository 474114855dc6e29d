"""Monthly cost of a language use case on a model API and on a self-hosted GPU.

These are the figures behind the decision and the curves on the result page.
All amounts are USD, unrounded; ``monthly_requests`` may be any volume >= 0.

API: every request pays for its prompt and its answer at list price.

Self-hosted: a request takes ``input_tokens * a + output_tokens * b`` seconds
of GPU time at full load (``a`` and ``b`` from the price book's two measured
runs); dividing by the utilisation gives the GPU time it really costs, since a
fleet sized for peaks idles part of the day. Two rules shape the bill:

* Never less than one always-on GPU (730 hours a month). A self-hosted model
  is a service the product calls at any hour. Scale-to-zero is not modelled,
  even for batch work without a latency budget: cold starts, start-stop
  orchestration and the people who run it are real costs this model does not
  price, and at volumes too small to keep one GPU busy an API is the simpler
  choice. The floor keeps the comparison conservative about self-hosting,
  which suits a recommendation that starts from the API.
* Above one GPU, extra GPUs are paid by the hour they run (an autoscaled fleet
  follows the traffic), so the bill grows in proportion to the volume. At each
  volume that exactly fills whole GPUs this equals paying for whole GPUs; in
  between it is the straight line through those points. Paying for whole GPU
  months instead would make the API look relatively cheaper at 1.01 GPUs than
  at 1.00, an artefact of the rounding; with the line, the ratio of the API bill
  to the self-hosted bill never falls as volume grows.

Predictive tasks are not priced in tokens: asking for their token costs is a
``ValueError``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from advisor.engine.prices import HOURS_PER_MONTH

if TYPE_CHECKING:
    from advisor.engine.contract import UseCase
    from advisor.engine.prices import Prices

MAX_MONTHLY_REQUESTS = 10_000_000_000  # the contract's upper bound
SECONDS_PER_HOUR = 3600


@dataclass(frozen=True, slots=True)
class UnitCosts:
    """Per-request and fixed costs of one language use case under one price book.

    Frozen: one instance is shared by every use case of its size (see _SIZES).
    """

    api_per_request: float
    gpu_seconds_per_request: float  # at the book's utilisation, not full load
    self_hosted_per_request: float
    self_hosted_floor: float  # one always-on GPU for a month


class BookRates(NamedTuple):
    input_usd_per_million: float
    output_usd_per_million: float
    gpu_seconds_per_input_token: float
    gpu_seconds_per_output_token: float
    utilisation: float
    usd_per_gpu_hour: float
    floor: float
    fine_tune_usd: float  # rounded to the cent


# Rates derived from a price book, keyed by the book's identity (books are
# immutable); solving the throughput runs once per book, not once per request.
_RATES: dict[int, tuple[Prices, BookRates]] = {}
_RATES_KEPT = 16


def book_rates(prices: Prices) -> BookRates:
    """Rates derived from a price book, computed once per book."""
    cached = _RATES.get(id(prices))
    if cached is not None and cached[0] is prices:
        return cached[1]
    per_input, per_output = prices.throughput.seconds_per_token()
    rates = BookRates(
        input_usd_per_million=prices.api_model.input_usd_per_million,
        output_usd_per_million=prices.api_model.output_usd_per_million,
        gpu_seconds_per_input_token=per_input,
        gpu_seconds_per_output_token=per_output,
        utilisation=prices.utilisation.value,
        usd_per_gpu_hour=prices.gpu.usd_per_hour,
        floor=HOURS_PER_MONTH * prices.gpu.usd_per_hour,
        fine_tune_usd=round(prices.fine_tune_one_off_usd, 2),
    )
    if len(_RATES) >= _RATES_KEPT:
        _RATES.clear()
    _RATES[id(prices)] = (prices, rates)
    return rates


def unit_costs(use_case: UseCase, prices: Prices) -> UnitCosts:
    """The per-request figures every cost function is built from."""
    return unit_costs_and_break_even(use_case, prices)[0]


def _solve_unit_costs(use_case: UseCase, prices: Prices) -> UnitCosts:
    input_tokens, output_tokens = use_case.input_tokens, use_case.output_tokens
    if input_tokens is None or output_tokens is None:
        raise ValueError(f"{use_case.task} is not priced in tokens")
    r = book_rates(prices)
    api_per_request = (
        input_tokens * r.input_usd_per_million
        + output_tokens * r.output_usd_per_million
    ) / 1_000_000
    gpu_seconds = (
        input_tokens * r.gpu_seconds_per_input_token
        + output_tokens * r.gpu_seconds_per_output_token
    ) / r.utilisation
    return UnitCosts(
        api_per_request,
        gpu_seconds,
        gpu_seconds * r.usd_per_gpu_hour / SECONDS_PER_HOUR,
        r.floor,
    )


def api_cost(unit: UnitCosts, monthly_requests: int) -> float:
    return monthly_requests * unit.api_per_request


def self_hosted_cost(unit: UnitCosts, monthly_requests: int) -> float:
    return max(unit.self_hosted_floor, monthly_requests * unit.self_hosted_per_request)


def gpus_needed(unit: UnitCosts, monthly_requests: int) -> int:
    """Whole GPUs that carry the month's GPU time at the book's utilisation: at least one."""
    hours = monthly_requests * unit.gpu_seconds_per_request / SECONDS_PER_HOUR
    return max(1, math.ceil(hours / HOURS_PER_MONTH))


def _self_hosting_wins(volume: int, k: float, s: float, floor: float) -> bool:
    # self_hosted_cost(volume) <= api_cost(volume), with the same float operations
    own = volume * s
    return max(floor, own) <= volume * k


def break_even(unit: UnitCosts) -> int | None:
    """Smallest volume at which self-hosting costs no more than the API, or None."""
    # The API costs k per request; self-hosting max(F, s per request). They
    # cross only if s <= k, at F / k requests.
    k, s, floor = (
        unit.api_per_request,
        unit.self_hosted_per_request,
        unit.self_hosted_floor,
    )
    if s > k:
        return None
    volume = max(1, math.ceil(floor / k))
    if volume > MAX_MONTHLY_REQUESTS + 1:
        return None
    # Settle float rounding so the answer agrees exactly with api_cost and
    # self_hosted_cost.
    while volume > 1 and _self_hosting_wins(volume - 1, k, s, floor):
        volume -= 1
    while not _self_hosting_wins(volume, k, s, floor):
        volume += 1
    return volume if volume <= MAX_MONTHLY_REQUESTS else None


# Unit costs and break-even depend only on the book and a request's size, and
# most use cases share a few sizes (the task defaults): each pair is solved once
# per book and size, not once per use case or chart point. Keyed by the book's
# identity, as _RATES is; a kept entry holds its book, so no id is reused.
_SIZES: dict[
    tuple[int, int | None, int | None], tuple[Prices, UnitCosts, int | None]
] = {}
_SIZES_KEPT = 256


def unit_costs_and_break_even(
    use_case: UseCase, prices: Prices
) -> tuple[UnitCosts, int | None]:
    """``unit_costs`` and its ``break_even``, solved once per book and request size."""
    key = (id(prices), use_case.input_tokens, use_case.output_tokens)
    cached = _SIZES.get(key)
    if cached is not None and cached[0] is prices:
        return cached[1], cached[2]
    unit = _solve_unit_costs(use_case, prices)
    even = break_even(unit)
    if len(_SIZES) >= _SIZES_KEPT:
        _SIZES.clear()
    _SIZES[key] = (prices, unit, even)
    return unit, even


def api_monthly_cost(use_case: UseCase, prices: Prices, monthly_requests: int) -> float:
    """USD a month on the price book's reference API model."""
    return api_cost(unit_costs(use_case, prices), monthly_requests)


def self_hosted_monthly_cost(
    use_case: UseCase, prices: Prices, monthly_requests: int
) -> float:
    """USD a month serving a small open-weight model on rented GPUs."""
    return self_hosted_cost(unit_costs(use_case, prices), monthly_requests)


def break_even_monthly_requests(use_case: UseCase, prices: Prices) -> int | None:
    """Smallest monthly volume where self-hosting costs no more than the API.

    None when that never happens within the contract's range (up to ten
    billion requests a month).
    """
    return unit_costs_and_break_even(use_case, prices)[1]
