"""The summary PDF laid out: one function per part of the document.

``render`` reads top to bottom like the document: the title block, the
overview of the use cases, the links, a section per use case and a note on
the figures, with a footer on every page. Only ``advisor.pdf`` imports this
module, when a PDF is built, so ReportLab is imported here at the top.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from advisor.engine.text import usd
from advisor.pdf_chart import chart_drawing
from advisor.pdf_style import (
    BRAND,
    FONT,
    FONT_BOLD,
    INK,
    INK_SOFT,
    LINE,
    MUTED,
    PATH_COLOURS,
    WASH,
    fonts_register,
    text,
)

if TYPE_CHECKING:
    from datetime import date

    from advisor.pdf import SummaryData, UseCaseSummary

MARGIN = 18 * mm
# The text column: the page less its margins and the frame's 6 pt padding.
WIDTH = A4[0] - 2 * MARGIN - 12
# Wide enough that "Self-hosted, a month" and a break-even volume keep to one line.
COSTS_LABEL_WIDTH, COSTS_VALUE_WIDTH = 33 * mm, 30 * mm

CLASSICAL_COSTS_NOTE = (
    "Token prices don't apply: a model like this runs on ordinary CPUs for a "
    "fraction of a cent per prediction. The real cost is the data pipeline and "
    "retraining."
)


def render(*, summary: SummaryData) -> bytes:
    """The summary on A4, as the PDF's bytes."""
    fonts_register()
    styles = _styles()
    story: list[Flowable] = [
        *_title_block(summary, styles),
        *_overview(summary.use_cases, styles),
        _links(summary, styles),
    ]
    for use_case in summary.use_cases:
        story += _use_case_section(use_case, styles)
    story.append(_about_the_figures(summary, styles))
    return _build(story, summary=summary, footer=_footer(summary, styles))


@dataclass(frozen=True, slots=True)
class Styles:
    base: ParagraphStyle
    small: ParagraphStyle
    hint: ParagraphStyle
    eyebrow: ParagraphStyle
    title: ParagraphStyle
    lead: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    footer: ParagraphStyle


def _styles() -> Styles:
    base = ParagraphStyle(
        "base", fontName=FONT, fontSize=10, leading=14, textColor=colors.HexColor(INK)
    )
    small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=11.5)
    hint = ParagraphStyle("hint", parent=small, textColor=colors.HexColor(MUTED))
    return Styles(
        base=base,
        small=small,
        hint=hint,
        eyebrow=ParagraphStyle(
            "eyebrow", parent=hint, fontName=FONT_BOLD, spaceAfter=4
        ),
        title=ParagraphStyle(
            "title",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=22,
            leading=27,
            spaceAfter=6,
        ),
        lead=ParagraphStyle("lead", parent=base, fontSize=11, leading=15.5),
        h2=ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=14,
            leading=18,
            spaceBefore=14,
            spaceAfter=4,
            keepWithNext=1,
        ),
        h3=ParagraphStyle(
            "h3",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=10,
            leading=13,
            spaceBefore=6,
            spaceAfter=2,
            textColor=colors.HexColor(INK_SOFT),
            keepWithNext=1,
        ),
        cell=ParagraphStyle("cell", parent=small),
        cell_right=ParagraphStyle("cell_right", parent=small, alignment=TA_RIGHT),
        footer=ParagraphStyle(
            "footer",
            parent=base,
            fontSize=8,
            leading=10,
            textColor=colors.HexColor(MUTED),
        ),
    )


def _client(summary: SummaryData) -> str:
    """Whom the summary is for: the company, else the contact; may be empty."""
    return summary.company or summary.contact_name


def _title_block(summary: SummaryData, styles: Styles) -> list[Flowable]:
    client = _client(summary)
    eyebrow = "CONSULT · YOUR AI STACK SUMMARY" + (
        f" · {text(client.upper())}" if client else ""
    )
    stack_colour = PATH_COLOURS.get(summary.stack, (INK, WASH))[0]
    prepared = "Prepared"
    if client:
        prepared += f" for {text(client)}"
    return [
        Paragraph(eyebrow, styles.eyebrow),
        Paragraph(
            f'Your stack: <font color="{stack_colour}">{text(summary.stack_label)}</font>',
            styles.title,
        ),
        Paragraph(f"{prepared} on {long_date(summary.submitted_on)}.", styles.hint),
        Spacer(1, 8),
        Paragraph(text(summary.summary), styles.lead),
        Spacer(1, 10),
    ]


def _overview(use_cases: tuple[UseCaseSummary, ...], styles: Styles) -> list[Flowable]:
    """One row per use case: its path, the confidence and the monthly cost."""
    cell, cell_right = styles.cell, styles.cell_right
    rows = [
        [
            Paragraph("<b>Use case</b>", cell),
            Paragraph("<b>Path</b>", cell),
            Paragraph("<b>Confidence</b>", cell_right),
            Paragraph("<b>A month, on this path</b>", cell_right),
        ]
    ]
    rows.extend(
        [
            Paragraph(text(use_case.name), cell),
            Paragraph(_badge(use_case.path, use_case.path_label), cell),
            Paragraph(_percent(use_case.confidence), cell_right),
            Paragraph(usd(use_case.monthly_usd, cents=True), cell_right),
        ]
        for use_case in use_cases
    )
    table = Table(rows, colWidths=[None, 44 * mm, 22 * mm, 36 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(WASH)),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor(LINE)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return [table, Spacer(1, 10)]


def _links(summary: SummaryData, styles: Styles) -> Flowable:
    """The private result link, when known, and the booking link, in a tinted box."""
    rows = []
    if summary.result_url:
        rows.append(
            Paragraph(
                "<b>Your result online</b> (your private link: keep it to yourself): "
                + _link(summary.result_url),
                styles.small,
            )
        )
    rows.append(
        Paragraph(
            "<b>Talk it through in a free 30-minute consultation:</b> "
            + _link(summary.booking_url),
            styles.small,
        )
    )
    box = Table([[row] for row in rows], colWidths=["100%"])
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#eceefe")),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (0, 0), 7),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 7),
            ]
        )
    )
    return box


def _use_case_section(use_case: UseCaseSummary, styles: Styles) -> list[Flowable]:
    """A use case's verdict, reasons, costs, next steps and effort."""
    return [
        Paragraph(text(use_case.name), styles.h2),
        Paragraph(
            f"{_badge(use_case.path, use_case.path_label)} · confidence "
            f"{_percent(use_case.confidence)} · {text(use_case.task_label)} · "
            f"{use_case.monthly_requests:,} requests a month",
            styles.small,
        ),
        Paragraph("Why", styles.h3),
        _bullets(use_case.reasons, styles, numbered=False),
        Paragraph("Costs", styles.h3),
        _costs(use_case, styles),
        Paragraph("Next steps", styles.h3),
        _bullets(use_case.next_steps, styles, numbered=True),
        Spacer(1, 4),
        Paragraph(f"<b>Effort:</b> {text(use_case.effort)}", styles.base),
    ]


def _costs(use_case: UseCaseSummary, styles: Styles) -> Flowable:
    """The costs table, beside the cost-against-volume chart when there is one."""
    if not use_case.has_costs:
        return Paragraph(escape(CLASSICAL_COSTS_NOTE), styles.base)
    table = _costs_table(use_case, styles)
    if use_case.chart is None:
        return table
    beside = COSTS_LABEL_WIDTH + COSTS_VALUE_WIDTH + 6 * mm
    chart_width = WIDTH - beside
    figure = Table(
        [
            [table, chart_drawing(use_case.chart, width=chart_width)],
            ["", Paragraph(escape(use_case.chart.description), styles.cell)],
        ],
        colWidths=[beside, chart_width],
    )
    figure.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, 0), 2),
                ("TOPPADDING", (0, 1), (-1, 1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return figure


def _costs_table(use_case: UseCaseSummary, styles: Styles) -> Table:
    break_even = (
        f"{use_case.break_even_monthly_requests:,} a month"
        if use_case.break_even_monthly_requests
        else "None in range"
    )
    rows = [
        ("API, a month", usd(use_case.api_monthly_usd, cents=True)),
        ("Self-hosted, a month", usd(use_case.self_hosted_monthly_usd, cents=True)),
        ("Fine-tuning, once", usd(use_case.fine_tune_one_off_usd, cents=True)),
        ("Break-even volume", break_even),
    ]
    table = Table(
        [
            [Paragraph(label, styles.cell), Paragraph(value, styles.cell_right)]
            for label, value in rows
        ],
        colWidths=[COSTS_LABEL_WIDTH, COSTS_VALUE_WIDTH],
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor(LINE)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _about_the_figures(summary: SummaryData, styles: Styles) -> Flowable:
    """Which price book and engine the figures come from, kept on one page."""
    return KeepTogether(
        [
            Paragraph("About these figures", styles.h2),
            Paragraph(
                f"Costs use the price book “{text(summary.price_book_name)}”, "
                f"prices as of {long_date(summary.price_book_as_of)}. "
                f"Engine version {text(summary.engine_version)}. Monthly "
                "figures are estimates in US dollars at the volumes you gave; a "
                "consultant can check them against your own contracts.",
                styles.small,
            ),
        ]
    )


def _footer(summary: SummaryData, styles: Styles) -> Paragraph:
    # A paragraph rather than drawString, so a CJK company name gets its font.
    client = _client(summary)
    return Paragraph(
        "Consult · AI stack summary" + (f" · {text(client[:60])}" if client else ""),
        styles.footer,
    )


def _build(story: list[Flowable], *, summary: SummaryData, footer: Paragraph) -> bytes:
    client = _client(summary)
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=16 * mm,
        bottomMargin=20 * mm,
        title=f"Your AI stack summary{f' for {client}' if client else ''}",
        author="Consult",
        subject=f"Recommended stack: {summary.stack_label}",
        creator="Consult",
        lang="en",
    )
    document.build(story, canvasmaker=functools.partial(NumberedCanvas, footer=footer))
    return buffer.getvalue()


class NumberedCanvas(Canvas):
    """Holds the pages back until the end, so each footer can say "of N"."""

    def __init__(self, *args: Any, footer: Paragraph, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 -- ReportLab's name
        self._held.append(dict(self.__dict__))
        # ReportLab's own page-numbering recipe.
        self._startPage()

    def save(self) -> None:
        total = len(self._held)
        for state in self._held:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        self.setFont(FONT, 8)
        self.setFillColor(colors.HexColor(MUTED))
        self.setStrokeColor(colors.HexColor(LINE))
        self.setLineWidth(0.5)
        self.line(MARGIN + 6, 14 * mm, A4[0] - MARGIN - 6, 14 * mm)
        self._footer.wrapOn(self, WIDTH - 30 * mm, 10)
        self._footer.drawOn(self, MARGIN + 6, 10 * mm - 2)
        self.drawRightString(
            A4[0] - MARGIN - 6, 10 * mm, f"Page {self.getPageNumber()} of {total}"
        )


def _link(url: str) -> str:
    quoted = escape(url, {'"': "&quot;"})
    return f'<link href="{quoted}" color="{BRAND}">{escape(url)}</link>'


def _badge(path: str, label: str) -> str:
    colour = PATH_COLOURS.get(path, (INK, WASH))[0]
    return f'<font color="{colour}"><b>{text(label)}</b></font>'


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _bullets(items: tuple[str, ...], styles: Styles, *, numbered: bool) -> ListFlowable:
    return ListFlowable(
        [ListItem(Paragraph(text(item), styles.base), leftIndent=14) for item in items],
        bulletType="1" if numbered else "bullet",
        start="1" if numbered else "•",
        bulletFontName=FONT,
        bulletFontSize=9 if numbered else 11,
        bulletOffsetY=0 if numbered else 1,
        bulletColor=colors.HexColor(INK_SOFT),
        leftIndent=14,
        spaceBefore=0,
    )


def long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"
