"""Monthly cost against volume, API versus self-hosted, as plain geometry.

Pure: the result page renders it as SVG and the PDF draws the same points.
Both axes are logarithmic, because volumes and bills span several orders of
magnitude and a straight API line reads well on log-log axes.
"""

import math
from dataclasses import dataclass
from typing import Any

from advisor.engine import (
    Prices,
    api_monthly_cost,
    break_even_monthly_requests,
    self_hosted_monthly_cost,
    validate,
)

WIDTH, HEIGHT = 640, 340
# Room for the tick labels and axis titles at the largest font the page uses.
LEFT, RIGHT, TOP, BOTTOM = 80, 40, 44, 56
SAMPLES = 80
# Half the width of the longest marker label at the largest font the page uses.
LABEL_HALF_WIDTH = 150


# The SVG writes coordinates with one decimal; formatting them here rather than with
# the floatformat filter (a hundred calls) took a sixth of the result page's time.


@dataclass(frozen=True)
class Tick:
    position: float
    label: str

    @property
    def at(self) -> str:
        return f"{self.position:.1f}"


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    label: str

    @property
    def svg_x(self) -> str:
        return f"{self.x:.1f}"

    @property
    def svg_y(self) -> str:
        return f"{self.y:.1f}"

    @property
    def svg_label_y(self) -> str:
        """Where its label sits: above the marker."""
        return f"{self.y - 14:.1f}"

    @property
    def anchor(self) -> str:
        """Its label's text-anchor: near an edge the label runs inwards.

        On a phone the labels are drawn about twice as large (site.css), and a
        centred "Break-even: 1.2M/month" would be cut off by the chart's edge.
        """
        if self.x < LEFT + LABEL_HALF_WIDTH:
            return "start"
        if self.x > WIDTH - RIGHT - LABEL_HALF_WIDTH:
            return "end"
        return "middle"


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    api_points: tuple[tuple[float, float], ...]
    self_hosted_points: tuple[tuple[float, float], ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    you: Marker
    break_even: Marker | None
    description: str
    # The same curves in data units, for drawing elsewhere (the PDF).
    volumes: tuple[float, ...]
    api_costs: tuple[float, ...]
    self_hosted_costs: tuple[float, ...]

    @property
    def api_polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.api_points)

    @property
    def self_hosted_polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.self_hosted_points)


def compact_number(value: float) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            scaled = value / size
            text = (
                f"{scaled:.1f}".rstrip("0").rstrip(".")
                if scaled < 10
                else f"{scaled:.0f}"
            )
            return f"{text}{suffix}"
    return f"{value:.0f}"


# The chart's own short forms, not ``text.usd``: axis ticks must fit under a gridline
# ("$1.2k"), and the sentence under the chart reads in whole dollars.
def money(value: float) -> str:
    if value >= 1000:
        return f"${compact_number(value)}"
    if value >= 1:
        return f"${value:,.0f}"
    return f"${value:.2f}"


def dollars(value: float) -> str:
    return f"${value:,.0f}" if value >= 1 else f"${value:.2f}"


def _decade_floor(value: float) -> float:
    # An int to a negative int power is a float: typeshed calls it Any.
    decade: float = 10 ** math.floor(math.log10(value))
    return decade


def _decade_ceil(value: float) -> float:
    decade: float = 10 ** math.ceil(math.log10(value))
    return decade


def _requests(count: int) -> str:
    return f"{count:,} request{'' if count == 1 else 's'}"


def cost_chart(use_case: dict[str, Any], prices: Prices) -> Chart:
    """Chart one language use case (in the contract's input form)."""
    case = validate({"use_cases": [use_case]}).use_cases[0]
    requests = case.monthly_requests
    # A log axis has no 0: a volume of 0 is drawn at 1, but the words give the
    # real volume, as the card beside the chart does.
    volume = max(requests, 1)
    break_even = break_even_monthly_requests(case, prices)
    anchors = [volume] + ([break_even] if break_even else [])
    # From 1 a month, so that even the smallest volume is on the chart.
    low = max(_decade_floor(min(anchors) / 30), 1.0)
    high = min(_decade_ceil(max(anchors) * 30), 1e10)
    if high <= low:
        high = low * 100

    step = (math.log10(high) - math.log10(low)) / (SAMPLES - 1)
    volumes = tuple(10 ** (math.log10(low) + step * index) for index in range(SAMPLES))
    api = tuple(api_monthly_cost(case, prices, round(v)) for v in volumes)
    hosted = tuple(self_hosted_monthly_cost(case, prices, round(v)) for v in volumes)

    positive = [cost for cost in api + hosted if cost > 0]
    y_low = _decade_floor(max(min(positive), 0.01))
    y_high = _decade_ceil(max(positive))
    if y_high <= y_low:
        y_high = y_low * 10

    plot_left, plot_right = LEFT, WIDTH - RIGHT
    plot_top, plot_bottom = TOP, HEIGHT - BOTTOM

    def x_of(v: float) -> float:
        share = (math.log10(v) - math.log10(low)) / (math.log10(high) - math.log10(low))
        return plot_left + share * (plot_right - plot_left)

    def y_of(cost: float) -> float:
        cost = min(max(cost, y_low), y_high)
        share = (math.log10(cost) - math.log10(y_low)) / (
            math.log10(y_high) - math.log10(y_low)
        )
        return plot_bottom - share * (plot_bottom - plot_top)

    x_ticks = tuple(
        Tick(x_of(10**power), compact_number(10**power))
        for power in range(round(math.log10(low)), round(math.log10(high)) + 1)
    )
    y_powers = range(round(math.log10(y_low)), round(math.log10(y_high)) + 1)
    y_ticks = tuple(Tick(y_of(10**power), money(10**power)) for power in y_powers)

    api_here = api_monthly_cost(case, prices, requests)
    hosted_here = self_hosted_monthly_cost(case, prices, requests)
    you = Marker(
        x_of(volume),
        y_of(api_monthly_cost(case, prices, volume)),
        f"You: {compact_number(requests)}/month",
    )
    be_marker = None
    description = (
        f"At your {_requests(requests)} a month the API costs about "
        f"{dollars(api_here)} and self-hosting about {dollars(hosted_here)} a month."
    )
    if break_even:
        be_cost = api_monthly_cost(case, prices, break_even)
        be_marker = Marker(
            x_of(break_even),
            y_of(be_cost),
            f"Break-even: {compact_number(break_even)}/month",
        )
        description += (
            f" Self-hosting becomes cheaper from about {_requests(break_even)} a month."
        )
    else:
        description += " Within this range the API stays cheaper."

    return Chart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        api_points=tuple((x_of(v), y_of(c)) for v, c in zip(volumes, api, strict=True)),
        self_hosted_points=tuple(
            (x_of(v), y_of(c)) for v, c in zip(volumes, hosted, strict=True)
        ),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        you=you,
        break_even=be_marker,
        description=description,
        volumes=volumes,
        api_costs=api,
        self_hosted_costs=hosted,
    )
