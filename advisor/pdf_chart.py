"""The result page's cost-against-volume chart, point for point, in the summary PDF.

``advisor.charts`` already placed every point, tick and marker on log-log axes
in SVG coordinates (y grows downwards); this only scales them to the page and
flips y, so the PDF and the web page cannot disagree. Like
``advisor.pdf_layout``, this is imported only where PDFs are built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from reportlab.graphics.shapes import (
    Circle,
    Drawing,
    Line,
    PolyLine,
    Rect,
    Shape,
    String,
)
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from advisor.pdf_style import FONT, FONT_BOLD, INK, LINE, MUTED, PATH_COLOURS

if TYPE_CHECKING:
    from advisor.charts import Chart

FONT_SIZE = 7
_INK = colors.HexColor(INK)
_MUTED = colors.HexColor(MUTED)
_GRID = colors.HexColor(LINE)
_API = colors.HexColor(PATH_COLOURS["api"][0])
_HOSTED = colors.HexColor(PATH_COLOURS["fine_tune"][0])
_MARKER = colors.HexColor(PATH_COLOURS["hybrid"][0])
# The chart's three kinds of words, as font and colour.
_TICK = (FONT, _MUTED)
_KEY = (FONT, _INK)
_TITLE = (FONT_BOLD, _INK)

type Anchor = Literal["start", "middle", "end"]


@dataclass(frozen=True, slots=True)
class _Plot:
    """The drawing under way, and the chart's coordinates scaled to it, y flipped."""

    chart: Chart
    scale: float
    drawing: Drawing

    def add(self, *shapes: Shape) -> None:
        for shape in shapes:
            self.drawing.add(shape)

    def x(self, value: float) -> float:
        return value * self.scale

    def y(self, value: float) -> float:
        return self.height - value * self.scale

    def points(self, pairs: tuple[tuple[float, float], ...]) -> list[float]:
        return [coordinate for px, py in pairs for coordinate in (self.x(px), self.y(py))]  # fmt: skip

    @property
    def height(self) -> float:
        return self.chart.height * self.scale

    @property
    def left(self) -> float:
        return self.x(self.chart.plot_left)

    @property
    def right(self) -> float:
        return self.x(self.chart.plot_right)

    @property
    def top(self) -> float:
        return self.y(self.chart.plot_top)

    @property
    def bottom(self) -> float:
        return self.y(self.chart.plot_bottom)


def chart_drawing(chart: Chart, *, width: float) -> Drawing:
    """The chart scaled to ``width`` points."""
    scale = width / chart.width
    # Room above the plot for the y axis title.
    plot = _Plot(
        chart=chart, scale=scale, drawing=Drawing(width, chart.height * scale + 8)
    )
    _grid_and_axes(plot)
    _curves(plot)
    _markers(plot)
    _legend(plot)
    return plot.drawing


def _grid_and_axes(plot: _Plot) -> None:
    left, right, top, bottom = plot.left, plot.right, plot.top, plot.bottom
    for tick in plot.chart.y_ticks:
        at = plot.y(tick.position)
        plot.add(
            Line(left, at, right, at, strokeColor=_GRID, strokeWidth=0.5),
            _text(left - 4, at - 2.5, tick.label, kind=_TICK, anchor="end"),
        )
    for tick in plot.chart.x_ticks:
        at = plot.x(tick.position)
        plot.add(
            Line(at, top, at, bottom, strokeColor=_GRID, strokeWidth=0.5),
            _text(at, bottom - 10, tick.label, kind=_TICK, anchor="middle"),
        )
    plot.add(
        Line(left, bottom, right, bottom, strokeColor=_MUTED, strokeWidth=0.75),
        Line(left, bottom, left, top, strokeColor=_MUTED, strokeWidth=0.75),
        _text(right, 1, "Requests a month", kind=_TITLE, anchor="end"),
        _text(left - 4, top + 9, "$ a month", kind=_TITLE, anchor="end"),
    )


def _curves(plot: _Plot) -> None:
    """Self-hosted first, so the API's line is drawn over it where they meet."""
    plot.add(
        PolyLine(
            plot.points(plot.chart.self_hosted_points),
            strokeColor=_HOSTED,
            strokeWidth=1.6,
            strokeDashArray=[4, 2.5],
            strokeLineJoin=1,
        ),
        PolyLine(
            plot.points(plot.chart.api_points),
            strokeColor=_API,
            strokeWidth=1.6,
            strokeLineJoin=1,
        ),
    )


def _markers(plot: _Plot) -> None:
    """The client's volume as a dashed line, and the break-even point if any."""
    you, break_even = plot.chart.you, plot.chart.break_even
    you_x = plot.x(you.x)
    plot.add(Line(you_x, plot.top, you_x, plot.bottom, strokeColor=_INK, strokeWidth=0.8, strokeDashArray=[2, 2]))  # fmt: skip
    _boxed_label(plot, you_x + 4, plot.top - 9, you.label, anchor="start")
    if break_even is not None:
        be_x, be_y = plot.x(break_even.x), plot.y(break_even.y)
        plot.add(Circle(be_x, be_y, 3.2, fillColor=_MARKER, strokeColor=colors.white, strokeWidth=1))  # fmt: skip
        _boxed_label(plot, be_x - 5, be_y + 5, break_even.label, anchor="end")


def _legend(plot: _Plot) -> None:
    # Under the plot on the left; the x axis title is on the right.
    left = plot.left
    plot.add(
        Line(left, 3.5, left + 16, 3.5, strokeColor=_API, strokeWidth=1.6),
        _text(left + 20, 1, "API"),
        Line(left + 42, 3.5, left + 58, 3.5, strokeColor=_HOSTED, strokeWidth=1.6, strokeDashArray=[4, 2.5]),
        _text(left + 62, 1, "Self-hosted small model"),
    )  # fmt: skip


def _boxed_label(
    plot: _Plot, x: float, y: float, label: str, *, anchor: Anchor
) -> None:
    """A marker's label on a white ground, so it stays legible over the lines."""
    text_width = stringWidth(label, FONT, FONT_SIZE)
    start = {"start": x, "middle": x - text_width / 2}.get(anchor, x - text_width)
    start = min(max(start, plot.left + 1), plot.right - text_width - 1)
    ground = Rect(
        start - 2,
        y - 2,
        text_width + 4,
        FONT_SIZE + 3,
        fillColor=colors.white,
        strokeColor=None,
    )
    plot.add(ground, _text(start, y, label))


def _text(
    x: float,
    y: float,
    value: str,
    *,
    kind: tuple[str, colors.Color] = _KEY,
    anchor: Anchor = "start",
) -> String:
    font, colour = kind
    return String(
        x,
        y,
        value,
        textAnchor=anchor,
        fontName=font,
        fontSize=FONT_SIZE,
        fillColor=colour,
    )
