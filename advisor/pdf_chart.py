"""The result page's options chart, shape for shape, in the summary PDF.

``advisor.charts`` already placed every bar, label, band and tick in SVG
coordinates (y grows downwards); this only scales them to the page and flips y,
so the PDF and the web page cannot disagree. Like ``advisor.pdf_layout``, this
is imported only where PDFs are built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from reportlab.graphics.shapes import Drawing, Line, Rect, Shape, String
from reportlab.lib import colors

from advisor.pdf_style import FONT, FONT_BOLD, INK, INK_SOFT, MUTED, PATH_COLOURS, WASH

if TYPE_CHECKING:
    from advisor.charts import Chart, Label

# The chart's words a little larger than the page draws them on a desktop (16
# units): the PDF draws the chart narrower, and print needs 7 pt at least.
FONT_UNITS = 19
_INK = colors.HexColor(INK)
_INK_SOFT = colors.HexColor(INK_SOFT)
_MUTED = colors.HexColor(MUTED)
_BAR = colors.HexColor("#9ea3b8")
_WASH = colors.HexColor(WASH)
_BAND, _BAND_WASH = (colors.HexColor(c) for c in PATH_COLOURS["hybrid"])


@dataclass(frozen=True, slots=True)
class _Plot:
    """The drawing under way, and the chart's coordinates scaled to it, y flipped."""

    height: float
    scale: float
    drawing: Drawing

    def add(self, *shapes: Shape) -> None:
        for shape in shapes:
            self.drawing.add(shape)

    def x(self, value: float) -> float:
        return value * self.scale

    def y(self, value: float) -> float:
        return self.height - value * self.scale

    def text(
        self, label: Label, *, bold: bool = False, colour: colors.Color = _INK
    ) -> String:
        return String(
            self.x(label.x),
            self.y(label.y),
            label.text,
            textAnchor=label.anchor,
            fontName=FONT_BOLD if bold else FONT,
            fontSize=FONT_UNITS * self.scale,
            fillColor=colour,
        )


def chart_drawing(chart: Chart, *, width: float) -> Drawing:
    """The chart scaled to ``width`` points."""
    scale = width / chart.width
    height = chart.height * scale
    plot = _Plot(height=height, scale=scale, drawing=Drawing(width, height))
    plot.add(plot.text(chart.title, bold=True, colour=_INK_SOFT))
    _bars(plot, chart)
    _volume(plot, chart)
    return plot.drawing


def _bars(plot: _Plot, chart: Chart) -> None:
    chosen_colour = colors.HexColor(PATH_COLOURS.get(chart.path, (INK, WASH))[0])
    for bar in chart.bars:
        rect = Rect(
            plot.x(bar.x),
            plot.y(bar.y + bar.height),
            plot.x(bar.width),
            bar.height * plot.scale,
            rx=1.5,
            ry=1.5,
            strokeColor=None,
            fillColor=_BAR,
        )
        if bar.chosen:
            rect.fillColor = chosen_colour
        elif bar.ruled_out:
            rect.fillColor = _WASH
            rect.strokeColor = _BAR
            rect.strokeWidth = 0.8
            rect.strokeDashArray = [2.5, 2]
        plot.add(
            rect,
            plot.text(
                bar.label,
                bold=bar.chosen,
                colour=_MUTED if bar.ruled_out else _INK if bar.chosen else _INK_SOFT,
            ),
        )


def _volume(plot: _Plot, chart: Chart) -> None:
    """The break-even band on the volume axis, and the client's volume."""
    volume = chart.volume
    if volume is None:
        return
    left, right = plot.x(volume.plot_left), plot.x(volume.plot_right)
    axis = plot.y(volume.axis_y)
    plot.add(
        plot.text(volume.title, bold=True, colour=_INK_SOFT),
        Rect(
            plot.x(volume.band_left),
            axis,
            plot.x(volume.band_right) - plot.x(volume.band_left),
            plot.y(volume.band_top) - axis,
            fillColor=_BAND_WASH,
            strokeColor=_BAND,
            strokeWidth=0.8,
        ),
        plot.text(volume.band_label, bold=True),
        Line(left, axis, right, axis, strokeColor=_MUTED, strokeWidth=0.6),
    )
    for tick in volume.ticks:
        at = plot.x(tick.position)
        plot.add(
            Line(at, axis, at, plot.y(volume.tick_bottom), strokeColor=_MUTED, strokeWidth=0.6),
            String(
                at,
                plot.y(volume.tick_y),
                tick.label,
                textAnchor=tick.anchor,
                fontName=FONT,
                fontSize=FONT_UNITS * plot.scale,
                fillColor=_MUTED,
            ),
        )  # fmt: skip
    you = plot.x(volume.you_x)
    plot.add(
        Line(you, plot.y(volume.you_top), you, plot.y(volume.you_bottom), strokeColor=_INK, strokeWidth=1, strokeDashArray=[2, 1.5]),
        plot.text(volume.you_label, bold=True),
    )  # fmt: skip
