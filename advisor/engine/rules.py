"""The decision rules: which path and option each use case takes, why, and how sure we are.

The seed's rules are the spine. Start on a model API and stay there until
concrete evidence says otherwise. A language use case moves to a smaller model
of the client's own (the ``fine_tune`` path) when any strong signal fires: its
data must stay in-house, thousands of in-house examples change the right answer,
every output must follow one exact format, the latency budget rules out every
hosted API, or owning the model is clearly cheaper over three years. A
predictive task always gets a classical model.

Within the path, the option is the cheapest over three years among those that
can do the job (see ``options``): capable enough, fast enough, with a context
window the request fits, allowed to see the data, and tuned only where there
is something to tune on. An option that cannot answer within the budget is
never recommended while one that can exists.

Confidence: each signal that fired has a strength in [0, 1]; independent
signals that agree combine as ``1 - prod(1 - strength)``. An API result starts
at ``API_BASE_CONFIDENCE`` and loses a little for every sign that it is close
to tipping. Then the team and the data move it: a company with no ML engineer
is less sure to carry a model of its own, and more sure of an API; a
classical model without a labelled history, or at a volume too small to pay
for itself, is a weaker bet. Nothing is ever certain: confidence stays within
``[MIN_CONFIDENCE, MAX_CONFIDENCE]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from advisor.engine import options as opt
from advisor.engine.costs import MAX_MONTHLY_REQUESTS
from advisor.engine.result import NO_COSTS, Costs, Flip, Path, Reason
from advisor.engine.text import approx, approx_count, count, percent, usd_approx

if TYPE_CHECKING:
    from advisor.engine.contract import Organization, UseCase
    from advisor.engine.options import Priced
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
# The best option that may see the data is weaker than the task asks (no warning
# code covers it: the reason says so, and confidence is capped).
CAPABILITY_GAP = "capability_gap"
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
    CAPABILITY_GAP,
)
# Warning codes (fixed by the contract).
CONTEXT_TOO_LONG = "context_too_long"
LATENCY_INFEASIBLE = "latency_infeasible"
LOW_VOLUME_PREDICTIVE = "low_volume_predictive"
WARNING_CODES = (CONTEXT_TOO_LONG, LATENCY_INFEASIBLE, LOW_VOLUME_PREDICTIVE)

# Cost alone moves a use case off the API only when owning is clearly cheaper:
# at most three quarters of the cheapest fitting API's three-year cost. A
# quarter covers what the estimate cannot see (a slower build, a second
# iteration, a model that needs more GPUs than measured).
CLEARLY_CHEAPER_SHARE = 0.75
# Cost at scale, part two: high volume at low margin. When the API takes more
# than a fifth of what a request is worth, the model bill is a real part of the
# unit economics (thin_margin: advice on an API result).
MARGIN_SHARE_LIMIT = 0.20
# An API use case within a factor of two of the volume that would move it.
NEAR_FLIP_FACTOR = 0.5
# When the chosen option's answer takes more than this share of the budget, the
# budget is tight: measured p95s vary by region and hour.
TIGHT_LATENCY_SHARE = 0.7

MAX_CONFIDENCE = 0.95
MIN_CONFIDENCE = 0.4
API_BASE_CONFIDENCE = 0.85
API_MIN_CONFIDENCE = 0.5
# A verdict that rests on a request nothing can serve as asked (too slow for
# every option, too long for every context window) is a guess until it is fixed.
UNSERVABLE_CONFIDENCE = 0.5
# "Needs" is said only from here; below, the words say "points to".
CONFIDENT = 0.8
# Strength of each signal on its own.
STRENGTH_DATA_MUST_STAY = 0.9  # a hard constraint: the API is not allowed
STRENGTH_PROPRIETARY_DATA = 0.75
STRENGTH_FORMAT_CRITICAL = 0.6  # structured outputs on an API close part of the gap
STRENGTH_PREDICTIVE_TASK = 0.9
STRENGTH_MOAT = 0.5
# The team and the data.
NO_TEAM_OWNED_PENALTY = 0.1  # a model of its own without an ML engineer
NO_TEAM_API_BONUS = 0.05  # owning is further away without one
NO_HISTORY_PENALTY = 0.2  # a classical model with no labelled history
LOW_VOLUME_PENALTY = 0.15
# Predictions a month below which a model of the client's own rarely pays off
# yet: too few cases to learn from and to be worth a pipeline.
LOW_VOLUME_PREDICTIVE_BELOW = {
    "fraud_detection": 10_000,
    "forecasting": 100,
    "recommendation": 50_000,
    "specialized_vision": 5_000,
    "tabular_prediction": 5_000,
    "anomaly_detection": 10_000,
}
# Team sizes tried for the ml_engineers flip: none, a small team, an established one.
TEAM_BANDS = (0, 1, opt.SMALL_TEAM_MAX + 1)


@dataclass(slots=True)
class Evaluation:
    path: Path
    option: str
    confidence: float
    reasons: tuple[Reason, ...]
    costs: Costs
    warnings: tuple[Reason, ...]
    flips: tuple[Flip, ...]
    codes: tuple[str, ...]  # the reasons' codes, for quick membership tests
    chosen: Priced
    # The volume from which cost alone moves the use case to its own model
    # (None: never, or not a language use case).
    cost_flip: int | None = None


def combine(strengths: list[float]) -> float:
    """Noisy-OR of independent signals, capped and rounded."""
    doubt = 1.0
    for strength in strengths:
        doubt *= 1.0 - strength
    return round(min(MAX_CONFIDENCE, 1.0 - doubt), 2)


def cost_strength(saving: float) -> float:
    """0.75 at the threshold (a quarter cheaper), 0.9 from 40% cheaper."""
    return min(0.9, 0.5 + saving)


def latency_strength(budget_ms: int, fastest_hosted_ms: float) -> float:
    """0.7 when the budget is just under what a hosted API needs, 0.9 at half of it."""
    return 0.9 if budget_ms <= fastest_hosted_ms / 2 else 0.7


def evaluate(
    use_case: UseCase,
    organization: Organization,
    prices: Prices,
    index: int = 0,
    *,
    with_flips: bool = True,
) -> Evaluation:
    """Path, option, confidence, reasons, costs, warnings and flips for one use case."""
    if use_case.is_language:
        return _language(use_case, organization, prices, index, with_flips)
    return _predictive(use_case, organization, prices)


# --- Language tasks -----------------------------------------------------------


@dataclass(slots=True)
class _Priced:
    apis: list[Priced]
    lora: Priced
    open_lines: list[Priced]
    tuned_lines: list[Priced]

    @property
    def owned(self) -> list[Priced]:
        return [self.lora, *self.open_lines, *self.tuned_lines]


def _price(
    use_case: UseCase, organization: Organization, prices: Prices, budget: int | None
) -> _Priced:
    rate = opt.rates(organization, prices, opt.CENTRAL)
    fit = opt.fit_of(use_case, organization, budget)
    return _Priced(
        opt.api_options(use_case, fit, prices, rate),
        opt.hosted_fine_tune(use_case, fit, prices, rate),
        opt.self_hosted(use_case, fit, prices, rate, tuned=False),
        opt.self_hosted(use_case, fit, prices, rate, tuned=True),
    )


def _usable(line: Priced) -> bool:
    return line.ruled_out is None


def _could_serve(line: Priced) -> bool:
    """Able to do the job as asked, except perhaps in time."""
    return line.ruled_out is None or line.ruled_out.code == opt.RULED_LATENCY


def _fastest(lines: list[Priced]) -> Priced | None:
    timed = [line for line in lines if line.latency_ms is not None]
    return min(timed, key=lambda line: line.latency_ms or 0.0) if timed else None


@dataclass(slots=True)
class _Case:
    """One language use case while it is decided: its priced options and what fired."""

    use_case: UseCase
    organization: Organization
    prices: Prices
    index: int
    priced: _Priced
    infeasible: bool = False
    fastest: Priced | None = None
    reasons: list[Reason] = field(default_factory=list)
    strengths: list[float] = field(default_factory=list)
    cost_flip: int | None = None

    @property
    def volume(self) -> int:
        return self.use_case.monthly_requests

    @property
    def budget(self) -> int | None:
        return self.use_case.latency_budget_ms

    @property
    def every(self) -> list[Priced]:
        return [*self.priced.apis, *self.priced.owned]

    @property
    def api_ok(self) -> list[Priced]:
        return [line for line in self.priced.apis if _usable(line)]

    @property
    def owned_ok(self) -> list[Priced]:
        return [line for line in self.priced.owned if _usable(line)]

    @property
    def must_stay(self) -> bool:
        return opt.data_must_stay(self.use_case, self.organization)

    def fire(self, code: str, detail: str, strength: float) -> None:
        self.reasons.append(Reason(code, detail))
        self.strengths.append(strength)


def _language(
    use_case: UseCase,
    organization: Organization,
    prices: Prices,
    index: int,
    with_flips: bool,
) -> Evaluation:
    case = _Case(
        use_case,
        organization,
        prices,
        index,
        _price(use_case, organization, prices, use_case.latency_budget_ms),
    )
    _check_budget(case)
    _signals(case)
    path, chosen, too_slow = _choose(case)
    warnings = _warnings(case, chosen)
    gap = chosen.ruled_out is not None and chosen.ruled_out.code in {
        opt.RULED_QUALITY,
        opt.RULED_NO_DATA,
    }
    if gap:
        case.reasons.append(Reason(CAPABILITY_GAP, _capability_gap_detail(chosen)))
    if path == "api":
        confidence = _api_verdict(case, chosen, too_slow=too_slow)
    else:
        confidence = combine(case.strengths)
        if organization.ml_engineers == 0:
            confidence -= NO_TEAM_OWNED_PENALTY
    if warnings or gap:
        confidence = min(confidence, UNSERVABLE_CONFIDENCE)
    confidence = round(min(MAX_CONFIDENCE, max(MIN_CONFIDENCE, confidence)), 2)
    return Evaluation(
        path,
        chosen.option,
        confidence,
        tuple(case.reasons),
        _costs(case, chosen),
        tuple(warnings),
        _flips(case, path) if with_flips else (),
        tuple(reason.code for reason in case.reasons),
        chosen,
        case.cost_flip,
    )


def _check_budget(case: _Case) -> None:
    """When nothing can answer within the budget, the budget cannot choose between options."""
    budget = case.budget
    if budget is None:
        return
    case.fastest = _fastest([line for line in case.every if _could_serve(line)])
    if case.fastest is not None and (case.fastest.latency_ms or 0.0) > budget:
        case.infeasible = True
        case.priced = _price(case.use_case, case.organization, case.prices, None)


def _signals(case: _Case) -> None:
    """The seed's reasons to move off the API, in a fixed order."""
    use_case = case.use_case
    if case.must_stay:
        case.fire(
            DATA_MUST_STAY,
            _data_must_stay_detail(use_case, case.organization),
            STRENGTH_DATA_MUST_STAY,
        )
    if use_case.proprietary_data == "substantial":
        case.fire(PROPRIETARY_DATA, _PROPRIETARY_DETAIL, STRENGTH_PROPRIETARY_DATA)
    api_ok = case.api_ok
    # When only a tuned model answers (the signals above), an untuned one is no
    # option for the cost comparison either.
    owned_ok = [
        line
        for line in case.owned_ok
        if not opt.tuning_required(use_case) or line.option != "self_hosted_open_weight"
    ]
    if api_ok and owned_ok:
        case.cost_flip = opt.cheapest_from(owned_ok, api_ok, CLEARLY_CHEAPER_SHARE)
    volume = case.volume
    if case.cost_flip is not None and volume >= case.cost_flip:
        owned_best = opt.best(owned_ok, volume) or owned_ok[0]
        api_best = opt.best(api_ok, volume) or api_ok[0]
        saving = 1.0 - owned_best.tco(volume) / api_best.tco(volume)
        case.fire(
            COST_AT_SCALE,
            _cost_detail(volume, owned_best, api_best, saving, case.cost_flip),
            cost_strength(saving),
        )
    slow_apis = [
        line
        for line in case.priced.apis
        if line.ruled_out is not None and line.ruled_out.code == opt.RULED_LATENCY
    ]
    quickest_api = _fastest(slow_apis)
    budget = case.budget
    if (
        budget is not None
        and quickest_api is not None
        and not case.infeasible
        and not api_ok
        and owned_ok
    ):
        case.fire(
            LATENCY_BUDGET,
            _latency_detail(budget, quickest_api),
            latency_strength(budget, quickest_api.latency_ms or 0.0),
        )
    if use_case.format_consistency == "critical":
        case.fire(FORMAT_CRITICAL, _FORMAT_DETAIL, STRENGTH_FORMAT_CRITICAL)


def _choose(case: _Case) -> tuple[Path, Priced, bool]:
    """The path, the cheapest option on it that can do the job, and whether a model of
    the client's own was wanted but none could answer in time (an API could)."""
    tuning = opt.tuning_required(case.use_case)

    def fits_need(line: Priced) -> bool:
        return not tuning or line.option != "self_hosted_open_weight"

    path: Path = "fine_tune" if case.reasons else "api"
    own_pool = [line for line in case.owned_ok if fits_need(line)]
    api_ok = case.api_ok
    too_slow = (
        path == "fine_tune" and not own_pool and bool(api_ok) and not case.must_stay
    )
    if too_slow:
        path = "api"
    if path == "fine_tune":
        pool = own_pool or _relaxed(
            [line for line in case.priced.owned if fits_need(line)]
        )
    else:
        pool = api_ok or _relaxed(case.priced.apis)
    chosen = opt.best(pool, case.volume) or pool[0]
    return path, chosen, too_slow


def _warnings(case: _Case, chosen: Priced) -> list[Reason]:
    use_case = case.use_case
    warnings = []
    tokens = (use_case.input_tokens or 0) + (use_case.output_tokens or 0)
    if chosen.context is not None and tokens > chosen.context:
        warnings.append(Reason(CONTEXT_TOO_LONG, _context_detail(tokens, chosen)))
    if case.infeasible and case.budget is not None and case.fastest is not None:
        warnings.append(
            Reason(
                LATENCY_INFEASIBLE,
                _infeasible_detail(use_case, case.budget, case.fastest),
            )
        )
    return warnings


def _api_verdict(case: _Case, chosen: Priced, *, too_slow: bool) -> float:
    """Add the API's reasons; return its confidence."""
    use_case = case.use_case
    volume = case.volume
    api_small = case.priced.apis[0]
    detail = _api_detail(
        volume, chosen, api_small, case.cost_flip, own_usable=bool(case.owned_ok)
    )
    if too_slow and case.budget is not None:
        detail = (
            "A model of your own would suit this use case, but none we price can "
            f"answer within your {count(case.budget)} ms budget; an API can. "
        ) + detail.split(". ", 1)[1]
    case.reasons.insert(0, Reason(API_DEFAULT, detail))
    value = use_case.value_per_request_usd
    # A value of 0 means no direct revenue per request (an internal tool): there
    # is no margin to protect, so the margin test does not apply.
    share = api_small.slope / value if value else None
    thin = share is not None and share > MARGIN_SHARE_LIMIT
    if thin:
        case.reasons.append(
            Reason(
                THIN_MARGIN, _thin_margin_detail(api_small, share or 0.0, value or 0)
            )
        )
    confidence = _api_confidence(case, chosen, thin=thin)
    return min(confidence, UNSERVABLE_CONFIDENCE) if too_slow else confidence


def _relaxed(lines: list[Priced]) -> list[Priced]:
    """When nothing can serve the request as asked: the options that fail only on context
    (the warning says so), else those that fail only on capability, else any."""
    for codes in ({opt.RULED_CONTEXT}, {opt.RULED_QUALITY, opt.RULED_NO_DATA}):
        kept = [
            line
            for line in lines
            if line.ruled_out is not None and line.ruled_out.code in codes
        ]
        if kept:
            return kept
    allowed = [
        line
        for line in lines
        if line.ruled_out is None or line.ruled_out.code != opt.RULED_DATA
    ]
    return allowed or lines


def _api_confidence(case: _Case, chosen: Priced, *, thin: bool) -> float:
    """Start high; every sign that the API choice is close to tipping costs a little."""
    use_case = case.use_case
    budget = case.budget
    confidence = API_BASE_CONFIDENCE
    if case.cost_flip is not None and case.volume >= case.cost_flip * NEAR_FLIP_FACTOR:
        confidence -= 0.15
    if thin:
        confidence -= 0.10
    if (
        budget is not None
        and chosen.latency_ms is not None
        and chosen.latency_ms > budget * TIGHT_LATENCY_SHARE
    ):
        confidence -= 0.10
    if use_case.proprietary_data == "some":
        confidence -= 0.05
    if use_case.accuracy_lift_value == "high":
        confidence -= 0.05
    if case.organization.ml_engineers == 0:
        confidence += NO_TEAM_API_BONUS
    return max(API_MIN_CONFIDENCE, min(0.9, confidence))


def _break_even_lines(
    use_case: UseCase,
    organization: Organization,
    prices: Prices,
    scenario: opt.Scenario,
) -> tuple[list[Priced], Priced | None]:
    """The self-hosted fleet and the API it is compared with, under one scenario.

    Break-even is economics alone: the data rule, the budget and the model's
    context do not enter it, only whether each side can do the task.
    """
    rate = opt.rates(organization, prices, scenario)
    fit = opt.fit_of(use_case, organization, None)._replace(must_stay=False)
    tuned = opt.tuning_required(use_case) or fit.capability > opt.OPEN_WEIGHT_CAPABILITY
    owned = opt.self_hosted(use_case, fit, prices, rate, tuned=tuned)
    apis = [
        line
        for line in opt.api_options(use_case, fit, prices, rate)
        if line.option != "hosted_open_weight"
        and (line.ruled_out is None or line.ruled_out.code == opt.RULED_CONTEXT)
    ]
    comparator = min(apis, key=lambda line: line.slope) if apis else None
    return owned, comparator


# Break-even depends on a request's size and kind, the team's band and the
# scenario, never on volume: it is solved once per book and key, as costs.py
# solves unit costs. A kept entry holds its book, so no id is reused.
_BREAK_EVENS: dict[tuple[object, ...], tuple[Prices, int | None]] = {}
_BREAK_EVENS_KEPT = 1024


def _break_even(
    use_case: UseCase,
    organization: Organization,
    prices: Prices,
    scenario: opt.Scenario,
) -> int | None:
    engineers = organization.ml_engineers
    key = (
        id(prices),
        scenario,
        use_case.task,
        use_case.input_tokens,
        use_case.output_tokens,
        use_case.proprietary_data,
        use_case.format_consistency,
        use_case.accuracy_lift_value,
        use_case.batch_ok,
        0 if engineers == 0 else 1 if engineers <= opt.SMALL_TEAM_MAX else 2,
    )
    cached = _BREAK_EVENS.get(key)
    if cached is not None and cached[0] is prices:
        return cached[1]
    owned, comparator = _break_even_lines(use_case, organization, prices, scenario)
    value = None if comparator is None else opt.cheapest_from(owned, [comparator], 1.0)
    if len(_BREAK_EVENS) >= _BREAK_EVENS_KEPT:
        _BREAK_EVENS.clear()
    _BREAK_EVENS[key] = (prices, value)
    return value


def _costs(case: _Case, chosen: Priced) -> Costs:
    use_case, organization, prices = case.use_case, case.organization, case.prices
    priced = case.priced
    volume = case.volume
    central = _break_even(use_case, organization, prices, opt.CENTRAL)
    low = _break_even(use_case, organization, prices, opt.FAVOURABLE)
    span: tuple[int, int] | None = None
    if low is not None:
        high = _break_even(use_case, organization, prices, opt.UNFAVOURABLE)
        span = (
            approx_count(low, -1),
            MAX_MONTHLY_REQUESTS if high is None else approx_count(high, +1),
        )
    tuned = [priced.lora, *priced.tuned_lines]
    tuned_choice = chosen if chosen in tuned else opt.best(priced.tuned_lines, volume)
    own = (
        chosen if chosen in priced.open_lines or chosen in priced.tuned_lines else None
    )
    own = own or opt.best(priced.open_lines, volume)
    return Costs(
        round(priced.apis[0].bill(volume), 2),
        None if own is None else round(own.bill(volume), 2),
        None if tuned_choice is None else round(tuned_choice.one_off, 2),
        None if central is None else approx_count(central),
        span,
        tuple(line.record(volume) for line in _shown(priced, chosen, volume)),
    )


def _shown(priced: _Priced, chosen: Priced, volume: int) -> list[Priced]:
    """One line per option: the chosen one, else the best usable GPU; when every GPU is
    too slow, the quickest (its time says how far off the budget is), else the cheapest."""
    shown = [*priced.apis, priced.lora]
    for lines in (priced.open_lines, priced.tuned_lines):
        if chosen in lines:
            shown.append(chosen)
            continue
        usable = [line for line in lines if _usable(line)]
        too_slow = all(
            line.ruled_out is not None and line.ruled_out.code == opt.RULED_LATENCY
            for line in lines
        )
        pick = (
            _fastest(lines)
            if not usable and too_slow
            else opt.best(usable or lines, volume)
        )
        if pick is not None:
            shown.append(pick)
    return shown


# --- Flips: what would change the verdict -------------------------------------


_SIGNALS = frozenset(
    {DATA_MUST_STAY, PROPRIETARY_DATA, COST_AT_SCALE, LATENCY_BUDGET, FORMAT_CRITICAL}
)


def _flips(case: _Case, path: Path) -> tuple[Flip, ...]:
    signals = {reason.code for reason in case.reasons} & _SIGNALS
    return (
        *_volume_flips(case, path, signals),
        *_data_flips(case, path, signals),
        *_team_flips(case, path, signals),
        *_latency_flips(case, path, signals),
    )


def _path_with(
    case: _Case,
    use_case: UseCase | None = None,
    organization: Organization | None = None,
) -> Path:
    """The path the same use case would take with one input changed."""
    changed = use_case or case.use_case
    if not changed.is_language:
        return "classical_ml"
    other = _Case(
        changed,
        organization or case.organization,
        case.prices,
        case.index,
        _price(
            changed,
            organization or case.organization,
            case.prices,
            changed.latency_budget_ms,
        ),
    )
    _check_budget(other)
    _signals(other)
    return _choose(other)[0]


def _here(case: _Case, field_name: str) -> str:
    return f"use_cases[{case.index}].{field_name}"


def _volume_flips(case: _Case, path: Path, signals: set[str]) -> list[Flip]:
    """The cost signal is monotone in volume, so one threshold says it all."""
    cost_flip = case.cost_flip
    if cost_flip is None:
        return []
    if path == "api" and cost_flip > case.volume:
        value = approx_count(cost_flip, +1)
        if value <= MAX_MONTHLY_REQUESTS:
            return [
                Flip(
                    _here(case, "monthly_requests"),
                    value,
                    "fine_tune",
                    f"From about {approx(value)} requests a month, a model of your "
                    "own would be clearly cheaper over three years.",
                )
            ]
    if path == "fine_tune" and signals == {COST_AT_SCALE}:
        value = approx_count(cost_flip - 1, -1)
        if 0 < value < cost_flip:
            return [
                Flip(
                    _here(case, "monthly_requests"),
                    value,
                    "api",
                    f"Below about {approx(value)} requests a month, an API would "
                    "cost about as much or less over three years.",
                )
            ]
    return []


def _data_flips(case: _Case, path: Path, signals: set[str]) -> list[Flip]:
    if DATA_MUST_STAY not in signals:
        return []
    organization, use_case = case.organization, case.use_case
    if not organization.data_can_leave and not use_case.sensitive_data:
        changed = organization.model_copy(update={"data_can_leave": True})
        other = _path_with(case, organization=changed)
        if other != path:
            return [
                Flip(
                    "organization.data_can_leave",
                    value=True,
                    path=other,
                    detail="If your data could go to a third-party API under a data "
                    "processing agreement, an API would do.",
                )
            ]
    if organization.data_can_leave and use_case.sensitive_data:
        other = _path_with(
            case, use_case=use_case.model_copy(update={"sensitive_data": False})
        )
        if other != path:
            return [
                Flip(
                    _here(case, "sensitive_data"),
                    value=False,
                    path=other,
                    detail="If this use case's data could leave your infrastructure, "
                    "an API would do.",
                )
            ]
    return []


def _team_flips(case: _Case, path: Path, signals: set[str]) -> list[Flip]:
    """Only the cost of owning depends on the team."""
    engineers = case.organization.ml_engineers
    if path == "api" and (case.cost_flip is None or case.cost_flip > case.volume):
        for band in TEAM_BANDS:
            if band <= engineers:
                continue
            changed = case.organization.model_copy(update={"ml_engineers": band})
            if _path_with(case, organization=changed) == "fine_tune":
                return [
                    Flip(
                        "organization.ml_engineers",
                        band,
                        "fine_tune",
                        f"With {_engineers(band)} of your own, running your own "
                        "model would be clearly cheaper at this volume.",
                    )
                ]
    if path == "fine_tune" and signals == {COST_AT_SCALE}:
        for band in reversed(TEAM_BANDS):
            if band >= engineers:
                continue
            changed = case.organization.model_copy(update={"ml_engineers": band})
            if _path_with(case, organization=changed) == "api":
                return [
                    Flip(
                        "organization.ml_engineers",
                        band,
                        "api",
                        f"With {_engineers(band)}, the people a model of your own "
                        "needs would outweigh its savings: an API would do.",
                    )
                ]
    return []


def _latency_flips(case: _Case, path: Path, signals: set[str]) -> list[Flip]:
    """How tight a budget only a model on the client's own GPUs can meet, or how loose
    one a hosted API can."""
    timed = [
        line
        for line in case.every
        if _could_serve(line) and line.latency_ms is not None
    ]
    hosted = [line.latency_ms or 0.0 for line in timed if line.path == "api"]
    own = [
        line.latency_ms or 0.0
        for line in timed
        if line.option.startswith("self_hosted")
    ]
    if not hosted or not own:
        return []
    quickest_hosted, quickest_own = min(hosted), min(own)
    budget = case.budget
    if path == "api" and quickest_own < quickest_hosted:
        value = math.ceil(quickest_hosted) - 1
        if value >= math.ceil(quickest_own) and (budget is None or budget > value):
            changed = case.use_case.model_copy(
                update={"latency_budget_ms": value, "batch_ok": False}
            )
            if _path_with(case, use_case=changed) == "fine_tune":
                return [
                    Flip(
                        _here(case, "latency_budget_ms"),
                        value,
                        "fine_tune",
                        f"If answers had to come within {count(value)} ms (p95), only "
                        "a model on your own GPUs could keep up.",
                    )
                ]
    if path == "fine_tune" and signals == {LATENCY_BUDGET}:
        value = math.ceil(quickest_hosted)
        changed = case.use_case.model_copy(update={"latency_budget_ms": value})
        if _path_with(case, use_case=changed) == "api":
            return [
                Flip(
                    _here(case, "latency_budget_ms"),
                    value,
                    "api",
                    f"With a budget of {count(value)} ms, a hosted API could answer "
                    "in time.",
                )
            ]
    return []


def _engineers(number: int) -> str:
    if number == 0:
        return "no ML engineer"
    return "one ML engineer" if number == 1 else f"{number} or more ML engineers"


# --- Predictive tasks -----------------------------------------------------------


def _predictive(
    use_case: UseCase, organization: Organization, prices: Prices
) -> Evaluation:
    volume = use_case.monthly_requests
    budget = use_case.latency_budget_ms
    rate = opt.rates(organization, prices, opt.CENTRAL)
    lines = opt.classical_options(
        use_case, opt.fit_of(use_case, organization, budget), prices, rate
    )
    warnings = []
    fastest = _fastest([line for line in lines if _could_serve(line)])
    if (
        budget is not None
        and fastest is not None
        and (fastest.latency_ms or 0) > budget
    ):
        # Nothing answers in time: the budget cannot choose between options.
        warnings.append(
            Reason(
                LATENCY_INFEASIBLE,
                f"No option can score a case within {count(budget)} ms: the quickest, "
                f"{fastest.model}, takes about {approx(fastest.latency_ms or 0)} ms. "
                "Score ahead of time where you can, or relax the budget; until then "
                "the budget does not decide the option.",
            )
        )
        lines = opt.classical_options(
            use_case, opt.fit_of(use_case, organization, None), prices, rate
        )
    # Never a provider for data that must stay, whatever else rules options out.
    usable = [line for line in lines if _usable(line)] or [
        line
        for line in lines
        if line.ruled_out is None or line.ruled_out.code != opt.RULED_DATA
    ]
    no_history = use_case.proprietary_data == "none"
    low_volume = volume < LOW_VOLUME_PREDICTIVE_BELOW[use_case.task]
    moat = use_case.accuracy_lift_value == "high"
    in_house = [line for line in usable if line.option == "classical_in_house"]
    if moat and in_house and not (low_volume or no_history):
        chosen = in_house[0]
    else:
        chosen = opt.best(usable, volume) or lines[0]

    reasons = [Reason(PREDICTIVE_TASK, _PREDICTIVE_DETAIL[use_case.task])]
    strengths = [STRENGTH_PREDICTIVE_TASK]
    if moat:
        reasons.append(Reason(MOAT, _MOAT_DETAIL))
        strengths.append(STRENGTH_MOAT)
    confidence = combine(strengths)
    if low_volume or no_history:
        warnings.append(
            Reason(
                LOW_VOLUME_PREDICTIVE,
                _low_volume_detail(use_case, low_volume, no_history, chosen),
            )
        )
    if no_history:
        confidence -= NO_HISTORY_PENALTY
    if low_volume:
        confidence -= LOW_VOLUME_PENALTY
    if organization.ml_engineers == 0 and chosen.option == "classical_in_house":
        confidence -= NO_TEAM_OWNED_PENALTY
    if any(warning.code == LATENCY_INFEASIBLE for warning in warnings):
        confidence = min(confidence, UNSERVABLE_CONFIDENCE)
    confidence = round(min(MAX_CONFIDENCE, max(MIN_CONFIDENCE, confidence)), 2)
    costs = NO_COSTS._replace(options=tuple(line.record(volume) for line in lines))
    return Evaluation(
        "classical_ml",
        chosen.option,
        confidence,
        tuple(reasons),
        costs,
        tuple(warnings),
        (),
        tuple(reason.code for reason in reasons),
        chosen,
    )


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
            "use case's data must stay inside your own infrastructure. An open-weight "
            "model you host yourself meets both."
        )
    if not organization.data_can_leave:
        return (
            f"{who} does not allow its data to go to a third-party model API, so this "
            "use case needs an open-weight model running on infrastructure you control."
        )
    return (
        "This use case's data must stay inside your own infrastructure, which rules out "
        "a third-party API; an open-weight model you host keeps it in-house."
    )


def _cost_detail(
    volume: int, owned: Priced, api: Priced, saving: float, cost_flip: int
) -> str:
    return (
        f"Over three years at {approx(volume)} requests a month, {owned.model} costs "
        f"about {usd_approx(owned.tco(volume))} against {usd_approx(api.tco(volume))} "
        f"for the cheapest API that fits ({api.model}): {percent(saving)} less, "
        "counting the GPUs with a spare, the build and the people who run it. Owning "
        f"is clearly cheaper from about {approx(approx_count(cost_flip, +1))} requests a month."
    )


def _latency_detail(budget: int, quickest: Priced) -> str:
    return (
        f"A p95 budget of {count(budget)} ms rules out every hosted API: the quickest, "
        f"{quickest.model}, needs about {approx(quickest.latency_ms or 0)} ms for "
        "these requests. A small model on your own GPU starts answering in tens of "
        "milliseconds."
    )


def _capability_gap_detail(chosen: Priced) -> str:
    return (
        f"No option that meets your other requirements is strong enough for this task "
        f"as asked; {chosen.model} is the closest. Test it on your own examples before "
        "relying on it: collecting examples to tune on, or a larger open-weight model "
        "on bigger GPUs, closes the gap."
    )


def _context_detail(tokens: int, chosen: Priced) -> str:
    return (
        f"A request of about {count(tokens)} tokens does not fit {chosen.model}'s "
        f"{count(chosen.context or 0)}-token context window. Send only the passages "
        "that matter (retrieval), or split the document and combine the parts."
    )


def _infeasible_detail(use_case: UseCase, budget: int, fastest: Priced) -> str:
    writes = use_case.output_tokens or 0
    return (
        f"No option can answer within {count(budget)} ms: the quickest, "
        f"{fastest.model}, needs about {approx(fastest.latency_ms or 0)} ms to "
        f"read the request and write {count(writes)} tokens. Shorten the answer, "
        "stream it so the first words arrive sooner, or relax the budget; until "
        "then the budget does not decide the path."
    )


_OPTION_PHRASES = {
    "api_small": "the smallest API model that does the job",
    "api_frontier": "a frontier API model",
    "api_batch": "batch pricing (half price, results within a day)",
    "hosted_open_weight": "an open-weight model hosted by a provider",
}


def _api_detail(
    volume: int,
    chosen: Priced,
    api_small: Priced,
    cost_flip: int | None,
    *,
    own_usable: bool = True,
) -> str:
    detail = (
        "Nothing in your answers calls for a model of your own yet. The best buy is "
        f"{_OPTION_PHRASES.get(chosen.option, 'a model API')}, {chosen.model}: about "
        f"{usd_approx(chosen.bill(volume))} a month at {approx(volume)} requests, "
        f"{usd_approx(chosen.tco(volume))} over three years with its upkeep, live in "
        "days."
    )
    if chosen is not api_small and chosen.option != "api_frontier":
        detail += (
            f" That is {percent(1 - chosen.tco(volume) / api_small.tco(volume))} less "
            f"than {api_small.model} at list price."
        )
    if cost_flip is None and not own_usable:
        return detail + (
            " None of the models you could run yourself meets this use case as asked "
            "(the options below say why), so cost alone cannot move it."
        )
    if cost_flip is None:
        return detail + (
            " A model of your own would not pay for its GPUs, build and upkeep at any "
            "volume we cover."
        )
    return detail + (
        " A model of your own would be clearly cheaper only from about "
        f"{approx(approx_count(cost_flip, +1))} requests a month."
    )


def _thin_margin_detail(api_small: Priced, share: float, value: float) -> str:
    return (
        f"Each request costs about {usd_approx(api_small.slope)} on {api_small.model}, "
        f"{percent(share)} of the {usd_approx(value)} it is worth. A cheaper tier, "
        "batch pricing for work that can wait, or shorter prompts are the levers to "
        "pull before a model of your own."
    )


def _low_volume_detail(
    use_case: UseCase, low_volume: bool, no_history: bool, chosen: Priced
) -> str:
    if chosen.option == "classical_in_house" and not low_volume:
        # Volume enough to pay for a model of its own, but nothing to learn from yet.
        return (
            "There is no labelled history to learn from yet. The volume pays for a "
            f"model of your own, and its one-off includes labelling about "
            f"{approx(opt.HISTORY_TO_LABEL)} past cases; until it is trained, screen "
            "with simple rules, and record confirmed outcomes from day one."
        )
    parts = []
    if low_volume:
        parts.append(f"at {approx(use_case.monthly_requests)} predictions a month")
    if no_history:
        parts.append("with no labelled history yet")
    start = (
        f"Start with {chosen.model}"
        if chosen.option == "vendor_tool"
        else "Start with simple rules and a baseline"
    )
    return (
        f"A model of your own is unlikely to pay off yet {' and '.join(parts)}: there is "
        f"too little to learn from and too little to save. {start}, record confirmed "
        "outcomes from day one, and revisit once a labelled history has built up."
    )
