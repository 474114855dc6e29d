"""A use case's options side by side, as plain geometry: what each costs over three
years, and where owning the model breaks even with the API.

Pure: the result page renders it as SVG and the PDF draws the same shapes. It is
computed from the engine's stored answer alone (its priced options and its
break-even range) and the client's volume, never by running the engine again,
so the chart always shows the figures the recommendation was made from.

Two panels, one above the other, each as wide as the chart so that nothing sits
beside a bar: a phone shows the chart about 360 px wide, and its labels then
need the whole width.

* Bars: one per priced option, cheapest first, on a linear scale from $0
  (a bar's length must compare). Its label sits above it.
* Volume: requests a month on a log scale (volumes span orders of magnitude),
  the break-even range as a band and the client's volume as a line.

Sums in sentences are the engine's ``usd_approx`` (two significant figures);
the short forms a chart and a table need live here, beside the labels that use
them, and the page, the PDF and the emails share them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from advisor.engine.text import NOT_COSTED, approx_count, usd_approx

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

WIDTH = 640
PAD = 12  # the chart's own margin, left and right
# The vertical rhythm, sized for the largest font the page uses (site.css draws the
# chart's text at 24 units when the chart is narrower than 30rem).
LINE = 30  # one line of text
BAR_HEIGHT = 24
BAR_GAP = 18  # under a bar, before the next one's label
BAND_HEIGHT = 28
# An average glyph of a bold sans-serif is about 0.62 em wide (digits and lower
# case are narrower): how wide a label may be drawn, to keep it inside the chart.
PHONE_FONT = 24
EM = 0.62
# A volume of 0 is drawn at 1: a log axis has no 0.
MIN_VOLUME = 1
MAX_VOLUME = 10_000_000_000  # the contract's upper bound
MAX_TICKS = 8


# --- short forms of sums and volumes ------------------------------------------------


def usd_whole(amount: float | None) -> str:
    """A sum in a table: whole dollars ($54,320), "under $1" for less but not nothing."""
    if amount is None:
        return NOT_COSTED
    if 0 < amount < 0.5:
        return "under $1"
    # Half a dollar rounds up, as in the sentences beside the table (58.5 -> $59).
    return f"${math.floor(amount + 0.5):,}"


def compact_number(value: float) -> str:
    """1.5M, 23M, 150k: a count in few characters, as ticks and labels need."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{_trim(value / size)}{suffix}"
    return f"{value:.0f}"


def requests_approx(count: float) -> str:
    """A volume as a sentence gives it: 4,363,778 is "4.4M", 1,549 is "1.5k"."""
    return compact_number(approx_count(count))


def break_even_words(span: Sequence[int]) -> str:
    """ "between about 1.5M and 23M requests a month" (one figure if both round alike)."""
    low, high = (requests_approx(value) for value in span)
    if low == high:
        return f"at about {low} requests a month"
    return f"between about {low} and {high} requests a month"


def money(value: float) -> str:
    """A bar's sum, short: $54k, $290k, $1.2M."""
    if value >= 1000:
        return f"${compact_number(approx_count(value))}"
    return usd_approx(value)


def _trim(value: float) -> str:
    # One decimal below 10 (1.5M), none above (23M): two significant figures.
    text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return text.removesuffix(".0")


# --- the geometry ----------------------------------------------------------------------


class RuledOut(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def detail(self) -> str: ...


class PricedOption(Protocol):
    """An option of the engine's answer, as the chart reads it."""

    @property
    def option(self) -> str: ...
    @property
    def tco_3y_usd(self) -> float | None: ...
    @property
    def ruled_out(self) -> RuledOut | None: ...


def label_width(label: str, font: float = PHONE_FONT) -> float:
    """How wide ``label`` may be drawn, at the largest font, erring wide."""
    return len(label) * EM * font


@dataclass(frozen=True)
class Tick:
    position: float
    label: str
    anchor: str = "middle"

    @property
    def at(self) -> str:
        return f"{self.position:.1f}"


@dataclass(frozen=True)
class Label:
    """Words drawn at (x, y), y the baseline; ``anchor`` is SVG's text-anchor."""

    x: float
    y: float
    text: str
    anchor: str = "start"

    @property
    def svg_x(self) -> str:
        return f"{self.x:.1f}"

    @property
    def svg_y(self) -> str:
        return f"{self.y:.1f}"


@dataclass(frozen=True)
class Bar:
    option: str
    x: float
    y: float  # the bar's top
    width: float
    height: float
    label: Label  # above the bar
    chosen: bool
    ruled_out: bool

    @property
    def svg(self) -> dict[str, str]:
        return {
            "x": f"{self.x:.1f}",
            "y": f"{self.y:.1f}",
            "width": f"{self.width:.1f}",
            "height": f"{self.height:.1f}",
        }


@dataclass(frozen=True)
class VolumeScale:
    """Requests a month on a log axis: the break-even band and the client's volume."""

    title: Label
    plot_left: float
    plot_right: float
    axis_y: float
    band_left: float
    band_right: float
    band_top: float
    ticks: tuple[Tick, ...]
    tick_y: float
    band_label: Label
    you_x: float
    you_top: float
    you_bottom: float
    you_label: Label

    @property
    def tick_bottom(self) -> float:
        return self.axis_y + 6

    @property
    def band_svg(self) -> dict[str, str]:
        return {
            "x": f"{self.band_left:.1f}",
            "y": f"{self.band_top:.1f}",
            "width": f"{self.band_right - self.band_left:.1f}",
            "height": f"{self.axis_y - self.band_top:.1f}",
        }


@dataclass(frozen=True)
class Chart:
    width: int
    height: float
    title: Label
    bars: tuple[Bar, ...]
    volume: VolumeScale | None
    # The use case's path: the chosen bar takes its colour.
    path: str
    # What the chart shows, in words (the SVG's <desc> and the PDF's caption).
    description: str

    @property
    def svg_height(self) -> str:
        return f"{self.height:.0f}"


def options_chart(  # noqa: PLR0913 -- keyword-only, all from one answer
    *,
    options: Sequence[PricedOption],
    chosen: str | None,
    path: str,
    break_even_range: Sequence[int] | None,
    monthly_requests: int,
    label: Callable[[str], str],
) -> Chart | None:
    """The chart of one use case's answer; None when no option is priced.

    ``label`` names an option in a few words (a bar's label must fit a phone).
    """
    priced = sorted(
        (option for option in options if option.tco_3y_usd is not None),
        key=lambda option: (option.tco_3y_usd or 0.0, option.option),
    )
    if not priced:
        return None
    title = Label(PAD, LINE, "Cost over three years")
    bars, bottom = _bars(priced, chosen=chosen, label=label, top=LINE + 12)
    volume = None
    if break_even_range:
        volume = _volume(break_even_range, monthly_requests, top=bottom + 6)
        bottom = volume.you_label.y + 10
    return Chart(
        width=WIDTH,
        height=bottom,
        title=title,
        bars=bars,
        volume=volume,
        path=path,
        description=_description(
            priced, chosen, label, break_even_range, monthly_requests
        ),
    )


def _bars(
    priced: Sequence[PricedOption],
    *,
    chosen: str | None,
    label: Callable[[str], str],
    top: float,
) -> tuple[tuple[Bar, ...], float]:
    left, right = PAD, WIDTH - PAD
    longest = max(option.tco_3y_usd or 0.0 for option in priced) or 1.0
    bars = []
    y = top
    for option in priced:
        cost = option.tco_3y_usd or 0.0
        words = f"{label(option.option)}: {money(cost)}"
        if option.option == chosen:
            words += " · recommended"
        elif option.ruled_out is not None:
            words += " · ruled out"
        bar_top = y + LINE
        bars.append(
            Bar(
                option=option.option,
                x=left,
                y=bar_top,
                # Never thinner than a hairline: a bar of $0 is still an option.
                width=max(cost / longest * (right - left), 2.0),
                height=BAR_HEIGHT,
                label=Label(left, bar_top - 8, words),
                chosen=option.option == chosen,
                ruled_out=option.ruled_out is not None,
            )
        )
        y = bar_top + BAR_HEIGHT + BAR_GAP
    return tuple(bars), y


def _decade_floor(value: float) -> float:
    decade: float = 10 ** math.floor(math.log10(value))
    return decade


def _decade_ceil(value: float) -> float:
    decade: float = 10 ** math.ceil(math.log10(value))
    return decade


def _anchored(x: float, y: float, text: str, left: float, right: float) -> Label:
    """A label centred on x, unless that would push it past an edge: then it runs inwards."""
    half = label_width(text) / 2
    if x - half < left:
        return Label(left, y, text, "start")
    if x + half > right:
        return Label(right, y, text, "end")
    return Label(x, y, text, "middle")


def _volume(span: Sequence[int], monthly_requests: int, *, top: float) -> VolumeScale:
    low_volume, high_volume = sorted(max(value, MIN_VOLUME) for value in span)
    you = min(max(monthly_requests, MIN_VOLUME), MAX_VOLUME)
    # A decade or more either side of what is drawn, so nothing sits on an edge.
    low = max(_decade_floor(min(low_volume, you) / 3), 1.0)
    high = min(_decade_ceil(max(high_volume, you) * 3), float(MAX_VOLUME))
    if high <= low * 10:
        high = low * 100
    left, right = PAD, WIDTH - PAD
    # The end ticks' labels run inwards, so the plot may reach the chart's margin.

    def x_of(volume: float) -> float:
        share = (math.log10(volume) - math.log10(low)) / (
            math.log10(high) - math.log10(low)
        )
        return left + min(max(share, 0.0), 1.0) * (right - left)

    title = Label(left, top + LINE, "Requests a month")
    band_top = top + 2 * LINE + 12
    axis_y = band_top + BAND_HEIGHT
    powers = list(range(round(math.log10(low)), round(math.log10(high)) + 1))
    # Every decade while they fit; past that every other one, always the last.
    shown = powers[:: math.ceil(len(powers) / MAX_TICKS)]
    shown[-1] = powers[-1]
    ticks = tuple(
        Tick(
            x_of(10**power),
            compact_number(10**power),
            "start" if power == shown[0] else "end" if power == shown[-1] else "middle",
        )
        for power in shown
    )
    band_left, band_right = x_of(low_volume), x_of(high_volume)
    words = f"Break-even: {_span_label(low_volume, high_volume)}/month"
    you_x = x_of(you)
    tick_y = axis_y + LINE - 4
    return VolumeScale(
        title=title,
        plot_left=left,
        plot_right=right,
        axis_y=axis_y,
        band_left=band_left,
        band_right=band_right,
        band_top=band_top,
        ticks=ticks,
        tick_y=tick_y,
        band_label=_anchored(
            (band_left + band_right) / 2, band_top - 8, words, left, right
        ),
        you_x=you_x,
        you_top=band_top - 4,
        you_bottom=axis_y + 6,
        you_label=_anchored(
            you_x,
            tick_y + LINE + 6,
            f"You: {compact_number(monthly_requests)}/month",
            left,
            right,
        ),
    )


def _span_label(low: float, high: float) -> str:
    low_words, high_words = requests_approx(low), requests_approx(high)
    return low_words if low_words == high_words else f"{low_words}\u2013{high_words}"


def _description(
    priced: Sequence[PricedOption],
    chosen: str | None,
    label: Callable[[str], str],
    span: Sequence[int] | None,
    monthly_requests: int,
) -> str:
    parts = []
    for option in priced:
        words = f"{label(option.option)} about {usd_approx(option.tco_3y_usd)}"
        if option.option == chosen:
            words += " (recommended)"
        elif option.ruled_out is not None:
            words += " (ruled out)"
        parts.append(words)
    description = f"Cost over three years, cheapest first: {'; '.join(parts)}."
    if span:
        description += (
            f" Owning the model breaks even with the API {break_even_words(span)};"
            f" you expect about {requests_approx(monthly_requests)}."
        )
    return description
