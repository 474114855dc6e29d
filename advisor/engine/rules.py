"""The decision rules: which path each use case takes, why, and how sure we are.

Start on a model API and stay there until concrete evidence says otherwise.
A language use case moves to a fine-tuned small model when any strong signal
fires; a predictive task always gets a classical model.

Confidence: each signal that fired has a strength in [0, 1]; independent
signals that agree combine as ``1 - prod(1 - strength)``, so two moderate
signals beat one, and a decision that rests on one borderline signal stays low.
An API result starts at ``API_BASE_CONFIDENCE`` and loses a little for every
sign that it is close to tipping. Nothing is ever certain: confidence is capped
at ``MAX_CONFIDENCE``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.engine.costs import (
    SECONDS_PER_HOUR,
    UnitCosts,
    book_rates,
    unit_costs_and_break_even,
)
from advisor.engine.prices import HOURS_PER_MONTH
from advisor.engine.result import NO_COSTS, Costs, Path, Reason
from advisor.engine.text import count, percent, plural, usd

if TYPE_CHECKING:
    from advisor.engine.contract import Organization, UseCase
    from advisor.engine.prices import Prices

# Reason codes (stable; the site and the PDF may key on them).
API_DEFAULT = "api_default"
THIN_MARGIN = "thin_margin"
PROPRIETARY_DATA = "proprietary_data"
COST_AT_SCALE = "cost_at_scale"
LATENCY_BUDGET = "latency_budget"
FORMAT_CRITICAL = "format_critical"
DATA_MUST_STAY = "data_must_stay"
PREDICTIVE_TASK = "predictive_task"
MOAT = "moat"
REASON_CODES = (
    API_DEFAULT,
    THIN_MARGIN,
    PROPRIETARY_DATA,
    COST_AT_SCALE,
    LATENCY_BUDGET,
    FORMAT_CRITICAL,
    DATA_MUST_STAY,
    PREDICTIVE_TASK,
    MOAT,
)

# Latency: hosted APIs take about 0.3 s (the fastest small models) to 2 s (large
# ones) before the first token, more at p95. Under half a second an API round
# trip leaves nothing for the answer, while a small model on one's own GPU
# starts in tens of milliseconds. Below this budget, self-hosting fires.
LATENCY_SELF_HOST_BELOW_MS = 500
# From half a second to a second an API can work but with little headroom:
# not a move, but it lowers confidence in the API.
LATENCY_TIGHT_BELOW_MS = 1000
# A self-hosted 8B model writes a token every 12-26 ms under load; at the fast
# end, this says whether the answer itself fits the budget.
SELF_HOSTED_MS_PER_OUTPUT_TOKEN = 12

# Cost at scale, part two: high volume at low margin. When the API takes more
# than a fifth of what a request is worth, the model bill is a real part of the
# unit economics and worth engineering against; below that, product work pays
# better. It strengthens a move only when self-hosting is cheaper at this
# volume; otherwise it is advice on an API result (thin_margin), since a
# self-hosted model that costs more per request would not help the margin.
MARGIN_SHARE_LIMIT = 0.20
# An API use case within a factor of two of break-even could tip with growth.
NEAR_BREAK_EVEN_FACTOR = 0.5

MAX_CONFIDENCE = 0.95
API_BASE_CONFIDENCE = 0.85
API_MIN_CONFIDENCE = 0.5
# Strength of each signal on its own.
STRENGTH_DATA_MUST_STAY = 0.9  # a hard constraint: the API is not allowed
STRENGTH_PROPRIETARY_DATA = 0.75
STRENGTH_FORMAT_CRITICAL = 0.6  # structured outputs on an API close part of the gap
STRENGTH_PREDICTIVE_TASK = 0.9
STRENGTH_MOAT = 0.5


@dataclass(slots=True)
class CostFacts:
    """The cost picture of one language use case, unrounded."""

    unit: UnitCosts
    api_monthly: float
    self_hosted_monthly: float
    break_even: int | None
    gpus: int
    margin_share: float | None  # API cost per request / value per request


@dataclass(slots=True)
class Evaluation:
    path: Path
    confidence: float
    reasons: tuple[Reason, ...]
    costs: Costs
    facts: CostFacts | None
    codes: tuple[str, ...]  # the reasons' codes, for quick membership tests


def combine(strengths: list[float]) -> float:
    """Noisy-OR of independent signals, capped and rounded."""
    doubt = 1.0
    for strength in strengths:
        doubt *= 1.0 - strength
    return round(min(MAX_CONFIDENCE, 1.0 - doubt), 2)


def latency_strength(budget_ms: int) -> float:
    """0.6 just under the threshold, rising to 0.9 at 100 ms and below."""
    headroom = (LATENCY_SELF_HOST_BELOW_MS - budget_ms) / 400
    return min(0.9, 0.6 + 0.3 * max(0.0, headroom))


def cost_strength(ratio: float, thin_margin: bool) -> float:
    """0.5 at break-even, 0.9 once the API costs twice as much; more if margins suffer."""
    strength = 0.5 + 0.4 * min(1.0, ratio - 1.0)
    if thin_margin:
        strength += 0.1
    return min(0.9, strength)


def cost_facts(use_case: UseCase, prices: Prices) -> CostFacts:
    unit, even = unit_costs_and_break_even(use_case, prices)
    volume = use_case.monthly_requests
    value = use_case.value_per_request_usd
    # Written out rather than calling api_cost, self_hosted_cost and
    # gpus_needed (this runs for every use case); the tests hold the two equal.
    hours = volume * unit.gpu_seconds_per_request / SECONDS_PER_HOUR
    return CostFacts(
        unit,
        volume * unit.api_per_request,
        max(unit.self_hosted_floor, volume * unit.self_hosted_per_request),
        even,
        max(1, math.ceil(hours / HOURS_PER_MONTH)),
        # A value of 0 means no direct revenue per request (an internal tool):
        # there is no margin to protect, so the margin test does not apply.
        unit.api_per_request / value if value else None,
    )


def evaluate(
    use_case: UseCase, organization: Organization, prices: Prices
) -> Evaluation:
    """Path, confidence, reasons and costs for one use case."""
    if use_case.is_language:
        return _evaluate_language(use_case, organization, prices)
    return _PREDICTIVE[use_case.task, use_case.accuracy_lift_value]


def _evaluate_predictive(task: str, accuracy_lift_value: str) -> Evaluation:
    reasons = [Reason(PREDICTIVE_TASK, _PREDICTIVE_DETAIL[task])]
    strengths = [STRENGTH_PREDICTIVE_TASK]
    if accuracy_lift_value == "high":
        reasons.append(Reason(MOAT, _MOAT_DETAIL))
        strengths.append(STRENGTH_MOAT)
    return _evaluation("classical_ml", combine(strengths), reasons, NO_COSTS, None)


def _evaluate_language(
    use_case: UseCase, organization: Organization, prices: Prices
) -> Evaluation:
    facts = cost_facts(use_case, prices)
    reasons: list[Reason] = []
    strengths: list[float] = []

    if not organization.data_can_leave or use_case.sensitive_data:
        reasons.append(
            Reason(DATA_MUST_STAY, _data_must_stay_detail(use_case, organization))
        )
        strengths.append(STRENGTH_DATA_MUST_STAY)

    if use_case.proprietary_data == "substantial":
        reasons.append(Reason(PROPRIETARY_DATA, _PROPRIETARY_DETAIL))
        strengths.append(STRENGTH_PROPRIETARY_DATA)

    share = facts.margin_share
    thin_margin = share is not None and share > MARGIN_SHARE_LIMIT
    # The same comparison as break-even, so this fires exactly when the volume
    # is at or above break_even_monthly_requests.
    if facts.self_hosted_monthly <= facts.api_monthly:
        ratio = facts.api_monthly / facts.self_hosted_monthly
        reasons.append(
            Reason(COST_AT_SCALE, _cost_detail(use_case, prices, facts, thin_margin))
        )
        strengths.append(cost_strength(ratio, thin_margin))

    budget = use_case.latency_budget_ms
    if budget is not None and budget < LATENCY_SELF_HOST_BELOW_MS:
        reasons.append(Reason(LATENCY_BUDGET, _latency_detail(use_case, budget)))
        strengths.append(latency_strength(budget))

    if use_case.format_consistency == "critical":
        reasons.append(Reason(FORMAT_CRITICAL, _FORMAT_DETAIL))
        strengths.append(STRENGTH_FORMAT_CRITICAL)

    costs = Costs(
        round(facts.api_monthly, 2),
        round(facts.self_hosted_monthly, 2),
        book_rates(prices).fine_tune_usd,
        facts.break_even,
    )
    if reasons:
        return _evaluation("fine_tune", combine(strengths), reasons, costs, facts)

    reasons.append(Reason(API_DEFAULT, _api_detail(use_case, prices, facts)))
    if thin_margin:
        reasons.append(
            Reason(THIN_MARGIN, _thin_margin_detail(prices, facts, use_case))
        )
    return _evaluation(
        "api", _api_confidence(use_case, facts, thin_margin), reasons, costs, facts
    )


def _api_confidence(use_case: UseCase, facts: CostFacts, thin_margin: bool) -> float:
    """Start high; every sign that the API choice is close to tipping costs a little."""
    confidence = API_BASE_CONFIDENCE
    if facts.break_even is not None and (
        use_case.monthly_requests >= facts.break_even * NEAR_BREAK_EVEN_FACTOR
    ):
        confidence -= 0.15
    if thin_margin:
        confidence -= 0.10
    budget = use_case.latency_budget_ms
    if budget is not None and budget < LATENCY_TIGHT_BELOW_MS:
        confidence -= 0.10
    if use_case.proprietary_data == "some":
        confidence -= 0.05
    if use_case.accuracy_lift_value == "high":
        confidence -= 0.05
    return round(max(API_MIN_CONFIDENCE, confidence), 2)


def _evaluation(
    path: Path,
    confidence: float,
    reasons: list[Reason],
    costs: Costs,
    facts: CostFacts | None,
) -> Evaluation:
    codes = tuple([reason[0] for reason in reasons])
    return Evaluation(path, confidence, tuple(reasons), costs, facts, codes)


# --- The client-facing sentences -------------------------------------------

_PREDICTIVE_OPENING = {
    "fraud_detection": "Fraud detection learns from your own transaction history",
    "forecasting": "Forecasting learns from your own time series",
    "recommendation": "Recommendation learns from how your own users behave",
    "specialized_vision": "Vision on specialised imagery learns from your own labelled images",
    "tabular_prediction": "Prediction from tables learns from your own records",
    "anomaly_detection": "Anomaly detection learns what normal looks like in your own data",
}
_PREDICTIVE_DETAIL = {
    task: (
        f"{opening}; it is not a language problem. A purpose-built model "
        "(gradient-boosted trees, a forecasting or ranking model, a small vision "
        "network) is faster, cheaper to run and easier to explain than any "
        "language model in that role."
    )
    for task, opening in _PREDICTIVE_OPENING.items()
}
_MOAT_DETAIL = (
    "You told us a small gain in accuracy is worth a lot here. That is where owning "
    "the model pays: it improves as your data grows, and every point of accuracy "
    "you win is an edge that competitors buying the same API cannot copy."
)
_PROPRIETARY_DETAIL = (
    "You have thousands of labelled in-house examples that change the right answer. "
    "A small open-weight model tuned on them learns what no general API model has seen."
)
_FORMAT_DETAIL = (
    "Every output must follow one exact structure. A model tuned on examples of that "
    "structure holds it far more reliably than instructions in a prompt, and needs a "
    "shorter prompt too."
)


def _data_must_stay_detail(use_case: UseCase, organization: Organization) -> str:
    who = organization.name or "Your organisation"
    if not organization.data_can_leave and use_case.sensitive_data:
        return (
            f"{who} does not allow its data to go to a third-party model API, and this "
            "use case's data must stay inside your own infrastructure. A model you host "
            "yourself meets both."
        )
    if not organization.data_can_leave:
        return (
            f"{who} does not allow its data to go to a third-party model API, so this "
            "use case needs a model running on infrastructure you control."
        )
    return (
        "This use case's data must stay inside your own infrastructure, which rules out "
        "a third-party API; a small model you host keeps it in-house."
    )


def _cost_detail(
    use_case: UseCase, prices: Prices, facts: CostFacts, thin_margin: bool
) -> str:
    detail = (
        f"At {count(use_case.monthly_requests)} requests a month the API costs about "
        f"{usd(facts.api_monthly)}; serving your own small model costs about "
        f"{usd(facts.self_hosted_monthly)} ({_gpu_phrase(facts.gpus)} at "
        f"{usd(prices.gpu.usd_per_hour)} an hour), "
        f"{usd(facts.api_monthly - facts.self_hosted_monthly)} a month less."
    )
    if thin_margin and facts.margin_share is not None:
        detail += (
            f" The API would also take {percent(facts.margin_share)} of the "
            f"{usd(use_case.value_per_request_usd or 0)} each request is worth."
        )
    return detail


def _gpu_phrase(gpus: int) -> str:
    return "one always-on GPU" if gpus == 1 else f"GPU time on up to {gpus:,} GPUs"


def _latency_detail(use_case: UseCase, budget: int) -> str:
    detail = (
        f"A p95 budget of {count(budget)} ms is tighter than an API round trip: hosted "
        "models take about 0.3 to 2 seconds just to start answering. A small model on "
        "your own GPU starts in tens of milliseconds."
    )
    output_tokens = use_case.output_tokens or 0
    writing_ms = output_tokens * SELF_HOSTED_MS_PER_OUTPUT_TOKEN
    if writing_ms > budget:
        detail += (
            f" Even so, writing {plural(output_tokens, 'token')} takes at least "
            f"{count(writing_ms)} ms, so keep answers short (a label or a few fields)."
        )
    return detail


def _api_detail(use_case: UseCase, prices: Prices, facts: CostFacts) -> str:
    detail = (
        "Nothing in your answers calls for more than a model API yet. At "
        f"{count(use_case.monthly_requests)} requests a month, {prices.api_model.name} "
        f"costs about {usd(facts.api_monthly)} a month, and it can be live in days."
    )
    floor = usd(facts.unit.self_hosted_floor)
    if facts.break_even is None:
        return detail + (
            f" A self-hosted model needs at least one always-on GPU at {floor} a month "
            "and would not pay off at any volume we cover."
        )
    return detail + (
        f" A self-hosted model needs at least one always-on GPU at {floor} a month; it "
        f"pays off only above about {count(facts.break_even)} requests a month."
    )


def _thin_margin_detail(prices: Prices, facts: CostFacts, use_case: UseCase) -> str:
    share = facts.margin_share or 0.0
    detail = (
        f"Each request costs about {usd(facts.unit.api_per_request)} on "
        f"{prices.api_model.name}, {percent(share)} of the "
        f"{usd(use_case.value_per_request_usd or 0)} it is worth."
    )
    if facts.break_even is None:
        return detail + (
            " A self-hosted model would not lower that: for requests this size it costs "
            "more per request than the API. A cheaper model tier or batch pricing is "
            "the lever to pull."
        )
    return detail + (
        " Self-hosting would not lower that at this volume: one always-on GPU costs "
        f"{usd(facts.unit.self_hosted_floor)} a month, more than the whole API bill. "
        "A cheaper model tier or batch pricing is the first lever to pull."
    )


# Predictive results do not depend on volume or prices: built once.
_PREDICTIVE = {
    (task, lift): _evaluate_predictive(task, lift)
    for task in _PREDICTIVE_OPENING
    for lift in ("low", "high")
}
