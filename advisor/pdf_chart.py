"""The cost-against-volume chart drawn in the summary PDF."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.pdf_style import FONT, FONT_BOLD, INK, LINE, MUTED, PATH_COLOURS

if TYPE_CHECKING:
    from advisor.charts import Chart


def chart_drawing(chart: Chart, *, width: float) -> object:
    """The result page's chart, point for point, as vector graphics.

    ``advisor.charts`` already placed every point, tick and marker on log-log
    axes in SVG coordinates (y grows downwards); this only scales them to the
    page and flips y, so the PDF and the web page cannot disagree.
    """
    from reportlab.graphics.shapes import (  # noqa: PLC0415
        Circle,
        Drawing,
        Line,
        PolyLine,
        Rect,
        String,
    )
    from reportlab.lib import colors  # noqa: PLC0415
    from reportlab.pdfbase.pdfmetrics import stringWidth  # noqa: PLC0415

    scale = width / chart.width
    plot_height = chart.height * scale
    ink, muted = colors.HexColor(INK), colors.HexColor(MUTED)
    grid = colors.HexColor(LINE)
    api_colour = colors.HexColor(PATH_COLOURS["api"][0])
    hosted_colour = colors.HexColor(PATH_COLOURS["fine_tune"][0])
    marker_colour = colors.HexColor(PATH_COLOURS["hybrid"][0])
    font_size = 7

    def x(value: float) -> float:
        return value * scale

    def y(value: float) -> float:
        return plot_height - value * scale

    left, right = x(chart.plot_left), x(chart.plot_right)
    top, bottom = y(chart.plot_top), y(chart.plot_bottom)
    # Room above the plot for the y axis title.
    drawing = Drawing(width, plot_height + 8)
    label = {"fontName": FONT, "fontSize": font_size, "fillColor": muted}
    key = {**label, "fillColor": ink}

    def boxed(text_x: float, text_y: float, text: str, anchor: str) -> None:
        # A white ground, so a marker's label stays legible over the lines.
        text_width = stringWidth(text, FONT, font_size)
        start = {"start": text_x, "middle": text_x - text_width / 2}.get(
            anchor, text_x - text_width
        )
        start = min(max(start, left + 1), right - text_width - 1)
        drawing.add(Rect(start - 2, text_y - 2, text_width + 4, font_size + 3, fillColor=colors.white, strokeColor=None))  # fmt: skip
        drawing.add(String(start, text_y, text, **key))

    for tick in chart.y_ticks:
        drawing.add(Line(left, y(tick.position), right, y(tick.position), strokeColor=grid, strokeWidth=0.5))  # fmt: skip
        drawing.add(String(left - 4, y(tick.position) - 2.5, tick.label, textAnchor="end", **label))  # fmt: skip
    for tick in chart.x_ticks:
        drawing.add(Line(x(tick.position), top, x(tick.position), bottom, strokeColor=grid, strokeWidth=0.5))  # fmt: skip
        drawing.add(String(x(tick.position), bottom - 10, tick.label, textAnchor="middle", **label))  # fmt: skip
    drawing.add(Line(left, bottom, right, bottom, strokeColor=muted, strokeWidth=0.75))
    drawing.add(Line(left, bottom, left, top, strokeColor=muted, strokeWidth=0.75))
    axis = {**key, "fontName": FONT_BOLD}
    drawing.add(String(right, 1, "Requests a month", textAnchor="end", **axis))
    drawing.add(String(left - 4, top + 9, "$ a month", textAnchor="end", **axis))

    def points(pairs: tuple[tuple[float, float], ...]) -> list[float]:
        return [coordinate for px, py in pairs for coordinate in (x(px), y(py))]

    drawing.add(
        PolyLine(
            points(chart.self_hosted_points),
            strokeColor=hosted_colour,
            strokeWidth=1.6,
            strokeDashArray=[4, 2.5],
            strokeLineJoin=1,
        )
    )
    drawing.add(
        PolyLine(
            points(chart.api_points),
            strokeColor=api_colour,
            strokeWidth=1.6,
            strokeLineJoin=1,
        )
    )
    you_x = x(chart.you.x)
    drawing.add(Line(you_x, top, you_x, bottom, strokeColor=ink, strokeWidth=0.8, strokeDashArray=[2, 2]))  # fmt: skip
    boxed(you_x + 4, top - 9, chart.you.label, "start")
    if chart.break_even is not None:
        be_x, be_y = x(chart.break_even.x), y(chart.break_even.y)
        drawing.add(Circle(be_x, be_y, 3.2, fillColor=marker_colour, strokeColor=colors.white, strokeWidth=1))  # fmt: skip
        boxed(be_x - 5, be_y + 5, chart.break_even.label, "end")

    # The legend sits under the plot on the left; the axis title is on the right.
    drawing.add(Line(left, 3.5, left + 16, 3.5, strokeColor=api_colour, strokeWidth=1.6))  # fmt: skip
    drawing.add(String(left + 20, 1, "API", **key))
    drawing.add(Line(left + 42, 3.5, left + 58, 3.5, strokeColor=hosted_colour, strokeWidth=1.6, strokeDashArray=[4, 2.5]))  # fmt: skip
    drawing.add(String(left + 62, 1, "Self-hosted small model", **key))
    return drawing
