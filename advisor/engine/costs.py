"""What one request of a language use case costs: on the book's reference API, and
in GPU time on the measured serving GPU (``options`` builds every option from it).

A request takes ``input_tokens * a + output_tokens * b`` seconds of GPU time at full
load (``a`` and ``b`` from the price book's two measured runs); dividing by the
utilisation gives the GPU time it really costs, since a fleet sized for peaks idles
part of the day. How fleets are sized and paid for is in ``options``.

Predictive tasks are not priced in tokens: asking for their token costs is a
``ValueError``.
"""

from __future__ import annotations

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


# Unit costs depend only on the book and a request's size, and most use cases share a
# few sizes (the task defaults): each is solved once per book and size. Keyed by the
# book's identity, as _RATES is; a kept entry holds its book, so no id is reused.
_SIZES: dict[tuple[int, int | None, int | None], tuple[Prices, UnitCosts]] = {}
_SIZES_KEPT = 256


def unit_costs(use_case: UseCase, prices: Prices) -> UnitCosts:
    """The per-request figures the self-hosted options are priced from."""
    key = (id(prices), use_case.input_tokens, use_case.output_tokens)
    cached = _SIZES.get(key)
    if cached is not None and cached[0] is prices:
        return cached[1]
    unit = _solve_unit_costs(use_case, prices)
    if len(_SIZES) >= _SIZES_KEPT:
        _SIZES.clear()
    _SIZES[key] = (prices, unit)
    return unit


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
