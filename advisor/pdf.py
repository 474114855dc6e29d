"""The assessment summary as a PDF: a pure function from ``SummaryData`` to bytes.

No database and no Django here: ``advisor.selectors.assessment_summary_data``
gathers everything first, so this runs the same in a worker, a test or a
benchmark. ReportLab is imported inside the function, because only the PDF
worker needs it and the web process should not pay for it at start-up.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

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

    from advisor.charts import Chart

CLASSICAL_COSTS_NOTE = (
    "Token prices don't apply: a model like this runs on ordinary CPUs for a "
    "fraction of a cent per prediction. The real cost is the data pipeline and "
    "retraining."
)


@dataclass(frozen=True, slots=True)
class UseCaseSummary:
    name: str
    task_label: str
    monthly_requests: int
    path: str
    path_label: str
    confidence: float
    reasons: tuple[str, ...]
    api_monthly_usd: float | None
    self_hosted_monthly_usd: float | None
    fine_tune_one_off_usd: float | None
    break_even_monthly_requests: int | None
    next_steps: tuple[str, ...]
    effort: str
    # The result page's chart, for language use cases; None for the others.
    chart: Chart | None

    @property
    def monthly_usd(self) -> float | None:
        """The running cost on the recommended path, where the engine has one."""
        if self.path == "api":
            return self.api_monthly_usd
        if self.path == "fine_tune":
            return self.self_hosted_monthly_usd
        return None

    @property
    def has_costs(self) -> bool:
        return not (
            self.api_monthly_usd is None and self.self_hosted_monthly_usd is None
        )


@dataclass(frozen=True, slots=True)
class SummaryData:
    company: str
    contact_name: str
    submitted_on: date
    stack: str
    stack_label: str
    summary: str
    use_cases: tuple[UseCaseSummary, ...]
    price_book_name: str
    price_book_as_of: date
    engine_version: str
    booking_url: str
    # None when the private token is not known where the PDF is built.
    result_url: str | None


def usd(value: float | None) -> str:
    """The result page's money format (``humanize_consult.usd``)."""
    if value is None:
        return "—"
    if value >= 100:
        return f"${value:,.0f}"
    return f"${value:,.2f}"


def long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


# Letters that Unicode does not decompose into an ASCII letter plus accents.
_ASCII_LETTERS = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae",
     "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "\u0131": "i"}
)  # fmt: skip


def summary_filename(company: str) -> str:
    """The file name the client sees when downloading or opening the attachment.

    ASCII only, since mail clients still mangle encoded attachment names: accented
    letters lose their accents ("Łódź" gives "lodz"), other scripts are left out.
    """
    decomposed = unicodedata.normalize("NFKD", company.translate(_ASCII_LETTERS))
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in folded)
    slug = "-".join(words.lower().split())[:60].strip("-")
    return f"consult-summary-{slug}.pdf" if slug else "consult-summary.pdf"


def assessment_summary_pdf(*, summary: SummaryData) -> bytes:  # noqa: PLR0915 -- one document, top to bottom
    """Render the summary on A4 and return the PDF's bytes."""
    from io import BytesIO  # noqa: PLC0415

    from reportlab.lib import colors  # noqa: PLC0415 -- lazy, see the module docstring
    from reportlab.lib.enums import TA_RIGHT  # noqa: PLC0415
    from reportlab.lib.pagesizes import A4  # noqa: PLC0415
    from reportlab.lib.styles import ParagraphStyle  # noqa: PLC0415
    from reportlab.lib.units import mm  # noqa: PLC0415
    from reportlab.pdfgen.canvas import Canvas  # noqa: PLC0415
    from reportlab.platypus import (  # noqa: PLC0415
        KeepTogether,
        ListFlowable,
        ListItem,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    fonts_register()
    ink, soft, muted = (colors.HexColor(c) for c in (INK, INK_SOFT, MUTED))
    line, wash = colors.HexColor(LINE), colors.HexColor(WASH)

    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=14, textColor=ink)
    small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=11.5)
    hint = ParagraphStyle("hint", parent=small, textColor=muted)
    eyebrow = ParagraphStyle("eyebrow", parent=hint, fontName=FONT_BOLD, spaceAfter=4)
    title = ParagraphStyle(
        "title",
        parent=base,
        fontName=FONT_BOLD,
        fontSize=22,
        leading=27,
        spaceAfter=6,
    )
    lead = ParagraphStyle("lead", parent=base, fontSize=11, leading=15.5)
    h2 = ParagraphStyle(
        "h2",
        parent=base,
        fontName=FONT_BOLD,
        fontSize=14,
        leading=18,
        spaceBefore=14,
        spaceAfter=4,
        keepWithNext=1,
    )
    h3 = ParagraphStyle(
        "h3",
        parent=base,
        fontName=FONT_BOLD,
        fontSize=10,
        leading=13,
        spaceBefore=6,
        spaceAfter=2,
        textColor=soft,
        keepWithNext=1,
    )
    cell = ParagraphStyle("cell", parent=small)
    cell_right = ParagraphStyle("cell_right", parent=small, alignment=TA_RIGHT)

    def link(url: str) -> str:
        quoted = escape(url, {'"': "&quot;"})
        return f'<link href="{quoted}" color="{BRAND}">{escape(url)}</link>'

    def badge(path: str, label: str) -> str:
        colour = PATH_COLOURS.get(path, (INK, WASH))[0]
        return f'<font color="{colour}"><b>{text(label)}</b></font>'

    def bullets(items: tuple[str, ...], *, numbered: bool) -> ListFlowable:
        return ListFlowable(
            [ListItem(Paragraph(text(item), base), leftIndent=14) for item in items],
            bulletType="1" if numbered else "bullet",
            start="1" if numbered else "•",
            bulletFontName=FONT,
            bulletFontSize=9 if numbered else 11,
            bulletOffsetY=0 if numbered else 1,
            bulletColor=soft,
            leftIndent=14,
            spaceBefore=0,
        )

    margin = 18 * mm
    # The text column: the page less its margins and the frame's 6 pt padding.
    width = A4[0] - 2 * margin - 12
    story: list = []
    company = summary.company or summary.contact_name
    story.append(
        Paragraph(
            "CONSULT · YOUR AI STACK SUMMARY"
            + (f" · {text(company.upper())}" if company else ""),
            eyebrow,
        )
    )
    stack_colour = PATH_COLOURS.get(summary.stack, (INK, WASH))[0]
    story.append(
        Paragraph(
            f'Your stack: <font color="{stack_colour}">{text(summary.stack_label)}</font>',
            title,
        )
    )
    prepared = "Prepared"
    if company:
        prepared += f" for {text(company)}"
    story.append(Paragraph(f"{prepared} on {long_date(summary.submitted_on)}.", hint))
    story.append(Spacer(1, 8))
    story.append(Paragraph(text(summary.summary), lead))
    story.append(Spacer(1, 10))

    overview_rows = [
        [
            Paragraph("<b>Use case</b>", cell),
            Paragraph("<b>Path</b>", cell),
            Paragraph("<b>Confidence</b>", cell_right),
            Paragraph("<b>A month, on this path</b>", cell_right),
        ]
    ]
    overview_rows.extend(
        [
            Paragraph(text(use_case.name), cell),
            Paragraph(badge(use_case.path, use_case.path_label), cell),
            Paragraph(f"{round(use_case.confidence * 100)}%", cell_right),
            Paragraph(usd(use_case.monthly_usd), cell_right),
        ]
        for use_case in summary.use_cases
    )
    overview = Table(
        overview_rows,
        colWidths=[None, 44 * mm, 22 * mm, 36 * mm],
        repeatRows=1,
    )
    overview.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), wash),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, line),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    story.append(overview)
    story.append(Spacer(1, 10))

    next_moves = []
    if summary.result_url:
        next_moves.append(
            Paragraph(
                "<b>Your result online</b> (your private link: keep it to yourself): "
                + link(summary.result_url),
                small,
            )
        )
    next_moves.append(
        Paragraph(
            "<b>Talk it through in a free 30-minute consultation:</b> "
            + link(summary.booking_url),
            small,
        )
    )
    links = Table([[item] for item in next_moves], colWidths=["100%"])
    links.setStyle(
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
    story.append(links)

    for use_case in summary.use_cases:
        story.append(Paragraph(text(use_case.name), h2))
        story.append(
            Paragraph(
                f"{badge(use_case.path, use_case.path_label)} · confidence "
                f"{round(use_case.confidence * 100)}% · {text(use_case.task_label)} · "
                f"{use_case.monthly_requests:,} requests a month",
                small,
            )
        )
        story.append(Paragraph("Why", h3))
        story.append(bullets(use_case.reasons, numbered=False))
        story.append(Paragraph("Costs", h3))
        story.append(
            _costs_block(
                use_case, width=width, cell=cell, cell_right=cell_right, body=base
            )
        )
        story.append(Paragraph("Next steps", h3))
        story.append(bullets(use_case.next_steps, numbered=True))
        story.append(Spacer(1, 4))
        story.append(Paragraph(f"<b>Effort:</b> {text(use_case.effort)}", base))

    story.append(
        KeepTogether(
            [
                Paragraph("About these figures", h2),
                Paragraph(
                    f"Costs use the price book “{text(summary.price_book_name)}”, "
                    f"prices as of {long_date(summary.price_book_as_of)}. "
                    f"Engine version {text(summary.engine_version)}. Monthly "
                    "figures are estimates in US dollars at the volumes you gave; a "
                    "consultant can check them against your own contracts.",
                    small,
                ),
            ]
        )
    )

    # A paragraph rather than drawString, so a CJK company name gets its font.
    footer = ParagraphStyle(
        "footer", parent=base, fontSize=8, leading=10, textColor=muted
    )
    footer_left = Paragraph(
        "Consult · AI stack summary" + (f" · {text(company[:60])}" if company else ""),
        footer,
    )

    class NumberedCanvas(Canvas):
        """Holds the pages back until the end, so each can say "of N"."""

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 -- ReportLab's name
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for state in self._held:
                self.__dict__.update(state)
                self.setFont(FONT, 8)
                self.setFillColor(muted)
                self.setStrokeColor(line)
                self.setLineWidth(0.5)
                self.line(margin + 6, 14 * mm, A4[0] - margin - 6, 14 * mm)
                footer_left.wrapOn(self, width - 30 * mm, 10)
                footer_left.drawOn(self, margin + 6, 10 * mm - 2)
                self.drawRightString(
                    A4[0] - margin - 6, 10 * mm, f"Page {self._pageNumber} of {total}"
                )
                super().showPage()
            super().save()

    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=16 * mm,
        bottomMargin=20 * mm,
        title=f"Your AI stack summary{f' for {company}' if company else ''}",
        author="Consult",
        subject=f"Recommended stack: {summary.stack_label}",
        creator="Consult",
        lang="en",
    )
    document.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()


def _costs_block(
    use_case: UseCaseSummary,
    *,
    width: float,
    cell: object,
    cell_right: object,
    body: object,
) -> object:
    """The costs table beside the cost-against-volume chart."""
    from reportlab.lib import colors  # noqa: PLC0415
    from reportlab.lib.units import mm  # noqa: PLC0415
    from reportlab.platypus import Paragraph, Table, TableStyle  # noqa: PLC0415

    if not use_case.has_costs:
        return Paragraph(escape(CLASSICAL_COSTS_NOTE), body)
    break_even = (
        f"{use_case.break_even_monthly_requests:,} a month"
        if use_case.break_even_monthly_requests
        else "None in range"
    )
    # Wide enough that "Self-hosted, a month" and a break-even volume keep to one line.
    label_width, value_width = 33 * mm, 30 * mm
    rows = [
        ("API, a month", usd(use_case.api_monthly_usd)),
        ("Self-hosted, a month", usd(use_case.self_hosted_monthly_usd)),
        ("Fine-tuning, once", usd(use_case.fine_tune_one_off_usd)),
        ("Break-even volume", break_even),
    ]
    costs = Table(
        [
            [Paragraph(label, cell), Paragraph(value, cell_right)]
            for label, value in rows
        ],
        colWidths=[label_width, value_width],
    )
    costs.setStyle(
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
    if use_case.chart is None:
        return costs
    chart_width = width - label_width - value_width - 6 * mm
    figure = Table(
        [
            [costs, chart_drawing(use_case.chart, width=chart_width)],
            ["", Paragraph(escape(use_case.chart.description), cell)],
        ],
        colWidths=[label_width + value_width + 6 * mm, chart_width],
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
