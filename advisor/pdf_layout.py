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
    CondPageBreak,
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

from advisor.charts import break_even_words, requests_approx, usd_whole
from advisor.engine.text import usd_approx
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
    from advisor.engine.result import Totals
    from advisor.pdf import Note, SummaryData, UseCaseSummary

MARGIN = 18 * mm
# The text column: the page less its margins and the frame's 6 pt padding.
WIDTH = A4[0] - 2 * MARGIN - 12
# Wide enough that "Self-hosted, a month" and a break-even volume keep to one line.
COSTS_LABEL_WIDTH, COSTS_VALUE_WIDTH = 33 * mm, 30 * mm
# The options table's figures: "$288,300" and its header on one line each.
FIGURE_WIDTH = 21 * mm
# The options chart beside its words: about the width a phone shows it at.
CHART_WIDTH = 86 * mm
# Tints of the boxes: warnings in the hybrid path's wash, the chosen option in the brand's.
WARNING_WASH = PATH_COLOURS["hybrid"][1]
CHOSEN_WASH = "#eceefe"

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
    h3_flowing: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_muted: ParagraphStyle
    cell_right_muted: ParagraphStyle
    figure: ParagraphStyle
    footer: ParagraphStyle


def _styles() -> Styles:
    base = ParagraphStyle(
        "base", fontName=FONT, fontSize=10, leading=14, textColor=colors.HexColor(INK)
    )
    small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=11.5)
    hint = ParagraphStyle("hint", parent=small, textColor=colors.HexColor(MUTED))
    h3 = ParagraphStyle(
        "h3",
        parent=base,
        fontName=FONT_BOLD,
        fontSize=10,
        leading=13,
        spaceBefore=6,
        spaceAfter=2,
        textColor=colors.HexColor(INK_SOFT),
        keepWithNext=1,
    )
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
        h3=h3,
        h3_flowing=ParagraphStyle("h3_flowing", parent=h3, keepWithNext=0),
        cell=ParagraphStyle("cell", parent=small),
        cell_right=ParagraphStyle("cell_right", parent=small, alignment=TA_RIGHT),
        cell_muted=ParagraphStyle("cell_muted", parent=hint),
        cell_right_muted=ParagraphStyle(
            "cell_right_muted", parent=hint, alignment=TA_RIGHT
        ),
        figure=ParagraphStyle("figure", parent=base, fontSize=16, leading=20),
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
        Paragraph(f"{prepared} on {summary.submitted_on}.", styles.hint),
        Spacer(1, 8),
        Paragraph(text(summary.summary), styles.lead),
        Spacer(1, 10),
        *(
            _totals(summary.totals, len(summary.use_cases), styles)
            if summary.totals
            else []
        ),
    ]


def _totals(totals: Totals, count: int, styles: Styles) -> list[Flowable]:
    """The whole assessment on its recommended options: three figures side by side."""
    figures = [
        ("A month, to run", totals.monthly_usd),
        ("Once, to set up", totals.one_off_usd),
        ("Over three years, people included", totals.tco_3y_usd),
    ]
    table = Table(
        [
            [Paragraph(label, styles.hint) for label, _ in figures],
            [Paragraph(f"<b>{usd_approx(value)}</b>", styles.figure) for _, value in figures],
        ],
        colWidths=[WIDTH / 3] * 3,
    )  # fmt: skip
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(WASH)),
                ("LINEAFTER", (0, 0), (1, -1), 3, colors.white),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 7),
            ]
        )
    )
    heading = (
        "What it costs"
        if count == 1
        else f"What it costs, all {count} use cases together"
    )
    return [
        Paragraph(heading, styles.h3),
        table,
        Spacer(1, 3),
        Paragraph(
            "On the option we recommend for each use case. Estimates in US "
            "dollars, rounded.",
            styles.hint,
        ),
        Spacer(1, 10),
    ]


def _overview(use_cases: tuple[UseCaseSummary, ...], styles: Styles) -> list[Flowable]:
    """One row per use case: its path and option, the confidence and the monthly cost."""
    cell, cell_right = styles.cell, styles.cell_right
    with_options = any(use_case.option for use_case in use_cases)
    rows = [
        [
            Paragraph("<b>Use case</b>", cell),
            Paragraph("<b>Recommended</b>" if with_options else "<b>Path</b>", cell),
            Paragraph("<b>Confidence</b>", cell_right),
            Paragraph("<b>A month, to run</b>", cell_right),
        ]
    ]
    rows.extend(
        [
            Paragraph(text(use_case.name), cell),
            Paragraph(
                _badge(use_case.path, use_case.path_label)
                + (f"<br/>{text(use_case.option_label)}" if use_case.option else ""),
                cell,
            ),
            Paragraph(_percent(use_case.confidence), cell_right),
            Paragraph(usd_whole(use_case.monthly_usd), cell_right),
        ]
        for use_case in use_cases
    )
    table = Table(rows, colWidths=[None, 62 * mm, 22 * mm, 30 * mm], repeatRows=1)
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
    """The read-only share link, when there is one, and the booking link, in a tinted box."""
    rows = []
    if summary.share_url:
        rows.append(
            Paragraph(
                "<b>This result online</b> (read only, safe to pass on): "
                + _link(summary.share_url),
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
    """A use case's verdict, warnings, reasons, options, rules, next steps and effort."""
    story: list[Flowable] = [
        Paragraph(text(use_case.name), styles.h2),
        Paragraph(
            f"{_badge(use_case.path, use_case.path_label)} · confidence "
            f"{_percent(use_case.confidence)} · {text(use_case.task_label)} · "
            f"{use_case.monthly_requests:,} requests a month",
            styles.small,
        ),
    ]
    if use_case.option:
        story += [Spacer(1, 5), _recommended(use_case, styles)]
    story += [_warning(note, styles) for note in use_case.warnings]
    story += [
        Paragraph("Why", styles.h3),
        _bullets(use_case.reasons, styles, numbered=False),
    ]
    if use_case.options:
        story += [
            # The table may run onto the next page, its header repeated, rather
            # than leave a third of this one empty: only its first rows stay with
            # the heading.
            CondPageBreak(30 * mm),
            Paragraph("Your options side by side", styles.h3_flowing),
            _options_table(use_case, styles),
            Spacer(1, 6),
            _chart_and_flips(use_case, styles),
        ]
    else:
        story += [Paragraph("Costs", styles.h3), _costs(use_case, styles)]
    if use_case.compliance:
        story += _compliance(use_case.compliance, styles)
    story += [
        Paragraph("Next steps", styles.h3),
        _bullets(use_case.next_steps, styles, numbered=True),
        Spacer(1, 4),
        Paragraph(f"<b>Effort:</b> {text(use_case.effort)}", styles.base),
    ]
    return story


def _recommended(use_case: UseCaseSummary, styles: Styles) -> Paragraph:
    words = f"Recommended: <b>{text(use_case.option_label)}</b>"
    if use_case.option_model:
        words += f" ({text(use_case.option_model)})"
    chosen = use_case.chosen
    if chosen is not None and chosen.tco_3y_usd is not None:
        words += (
            f", about {usd_approx(chosen.monthly_usd)} a month to run and "
            f"{usd_approx(chosen.tco_3y_usd)} over three years with the people it needs."
        )
    else:
        words += "."
    return Paragraph(words, styles.base)


def _warning(note: Note, styles: Styles) -> Table:
    """A warning in a tinted box with a bar down its left, as on the page."""
    colour = PATH_COLOURS["hybrid"][0]
    box = Table(
        [
            [Paragraph(f'<font color="{colour}"><b>{text(note.heading)}</b></font>', styles.base)],
            [Paragraph(text(note.detail), styles.base)],
        ],
        colWidths=[WIDTH],
    )  # fmt: skip
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(WARNING_WASH)),
                ("LINEBEFORE", (0, 0), (0, -1), 3, colors.HexColor(colour)),
                ("LEFTPADDING", (0, 0), (-1, -1), 9),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
                ("TOPPADDING", (0, 1), (-1, 1), 0),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 7),
            ]
        )
    )
    return KeepTogether([Spacer(1, 6), box])


def _options_table(use_case: UseCaseSummary, styles: Styles) -> Table:
    """Every option the engine weighed: the chosen one tinted, ruled-out ones greyed."""
    cell, cell_right = styles.cell, styles.cell_right
    headings = ("A month", "Once", "People a month", "Three years")
    rows = [
        [Paragraph("<b>Option</b>", cell)]
        + [Paragraph(f"<b>{heading}</b>", cell_right) for heading in headings]
    ]
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(WASH)),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor(LINE)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    for row, line in enumerate(use_case.options, start=1):
        name = f"<b>{text(line.label)}</b>"
        if line.chosen:
            name += " · recommended"
        elif line.ruled_out:
            name += " · ruled out"
        if line.model:
            name += f'<br/><font color="{MUTED}">{text(line.model)}</font>'
        if line.ruled_out:
            name += f"<br/><i>{text(line.ruled_out.heading)}.</i> {text(line.ruled_out.detail)}"
        figures = (
            line.monthly_usd,
            line.one_off_usd,
            line.people_monthly_usd,
            line.tco_3y_usd,
        )
        style = styles.cell_muted if line.ruled_out else cell
        style_right = styles.cell_right_muted if line.ruled_out else cell_right
        bold = "<b>{}</b>" if line.chosen else "{}"
        rows.append(
            [Paragraph(name, style)]
            + [Paragraph(bold.format(usd_whole(value)), style_right) for value in figures]
        )  # fmt: skip
        if line.chosen:
            commands.append(("BACKGROUND", (0, row), (-1, row), colors.HexColor(CHOSEN_WASH)))  # fmt: skip
    table = Table(rows, colWidths=[None] + [FIGURE_WIDTH] * 4, repeatRows=1)
    table.setStyle(TableStyle(commands))
    return table


def _chart_and_flips(use_case: UseCaseSummary, styles: Styles) -> Flowable:
    """The options chart, and beside it the break-even and what would change the advice."""
    words: list[Flowable] = []
    if use_case.break_even_range:
        words.append(
            Paragraph(
                "Running a model yourself becomes cheaper than the API "
                f"{break_even_words(use_case.break_even_range)}. You expect about "
                f"{requests_approx(use_case.monthly_requests)}.",
                styles.base,
            )
        )
    if use_case.flips:
        words += [
            Paragraph("What would change this", styles.h3),
            _bullets(use_case.flips, styles, numbered=False),
        ]
    if use_case.chart is None:
        return KeepTogether(words) if words else Spacer(1, 0)
    figure = Table(
        [[chart_drawing(use_case.chart, width=CHART_WIDTH), words or ""]],
        colWidths=[CHART_WIDTH + 6 * mm, None],
    )
    figure.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return figure


def _compliance(notes: tuple[Note, ...], styles: Styles) -> list[Flowable]:
    return [
        Paragraph("Rules to check", styles.h3),
        Paragraph(
            "Pointers for your legal or compliance team, not legal advice.", styles.hint
        ),
        Spacer(1, 2),
        _list(
            [f"<b>{text(note.heading)}.</b> {text(note.detail)}" for note in notes],
            styles,
            numbered=False,
        ),
    ]


def _costs(use_case: UseCaseSummary, styles: Styles) -> Flowable:
    """An answer from before engine 2026.2: its API and self-hosted costs."""
    if not use_case.has_costs:
        return Paragraph(escape(CLASSICAL_COSTS_NOTE), styles.base)
    return _costs_table(use_case, styles)


def _costs_table(use_case: UseCaseSummary, styles: Styles) -> Table:
    break_even = (
        f"about {requests_approx(use_case.break_even_monthly_requests)} a month"
        if use_case.break_even_monthly_requests
        else "None in range"
    )
    rows = [
        ("API, a month", usd_whole(use_case.api_monthly_usd)),
        ("Self-hosted, a month", usd_whole(use_case.self_hosted_monthly_usd)),
        ("Fine-tuning, once", usd_whole(use_case.fine_tune_one_off_usd)),
        ("Break-even volume", break_even),
    ]
    table = Table(
        [
            [Paragraph(label, styles.cell), Paragraph(value, styles.cell_right)]
            for label, value in rows
        ],
        colWidths=[COSTS_LABEL_WIDTH, COSTS_VALUE_WIDTH],
        hAlign="LEFT",
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
    engine = f"Engine version {text(summary.engine_version)}"
    if summary.totals is None:
        engine += ", which did not yet compare options side by side"
    return KeepTogether(
        [
            Paragraph("About these figures", styles.h2),
            Paragraph(
                f"Costs use the price book “{text(summary.price_book_name)}”, "
                f"prices as of {summary.price_book_as_of}. {engine}. "
                "Monthly figures are estimates in US dollars at the volumes you "
                "gave; a consultant can check them against your own contracts.",
                styles.small,
            ),
        ]
    )


def _footer(summary: SummaryData, styles: Styles) -> Paragraph:
    # A paragraph rather than drawString, so a CJK company name gets its font.
    client = _client(summary)
    return Paragraph(
        "Consult · AI stack summary"
        + (f" · {text(client[:60])}" if client else "")
        + f" · engine {text(summary.engine_version)}",
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
    return _list([text(item) for item in items], styles, numbered=numbered)


def _list(markup: list[str], styles: Styles, *, numbered: bool) -> ListFlowable:
    """Items already written as paragraph markup, as a bulleted or numbered list."""
    return ListFlowable(
        [ListItem(Paragraph(item, styles.base), leftIndent=14) for item in markup],
        bulletType="1" if numbered else "bullet",
        start="1" if numbered else "•",
        bulletFontName=FONT,
        bulletFontSize=9 if numbered else 11,
        bulletOffsetY=0 if numbered else 1,
        bulletColor=colors.HexColor(INK_SOFT),
        leftIndent=14,
        spaceBefore=0,
    )
