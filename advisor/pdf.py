"""The assessment summary as a PDF: a pure function from ``SummaryData`` to bytes.

No database and no Django here: ``advisor.selectors.assessment_summary_data``
gathers everything first, so this runs the same in a worker, a test or a
benchmark. This module is what the rest of the app uses: the data the PDF is
built from, its file name and the call that builds it. The document itself is
laid out in ``advisor.pdf_layout``, imported only when a PDF is built, because
only the PDF worker needs ReportLab and the web process should not pay for it
at start-up.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from advisor.charts import Chart
    from advisor.engine import UseCaseResult
    from advisor.engine.result import Totals


@dataclass(frozen=True, slots=True)
class Words:
    """The engine's codes in words. The labels live beside the models' choices
    (``advisor.enums``), which the PDF may not import, so the caller hands them in."""

    paths: Mapping[str, str]
    options: Mapping[str, str]
    ruled_out: Mapping[str, str]
    warnings: Mapping[str, str]
    compliance: Mapping[str, str]

    def path(self, code: str) -> str:
        return self.paths.get(code, code)

    def option(self, code: str) -> str:
        return self.options.get(code, code.replace("_", " ").capitalize())

    def ruled_out_heading(self, code: str) -> str:
        return self.ruled_out.get(code, "Ruled out")

    def warning(self, code: str) -> str:
        return self.warnings.get(code, "Please note")

    def compliance_heading(self, code: str) -> str:
        return self.compliance.get(code, "A rule to check")


@dataclass(frozen=True, slots=True)
class Note:
    """A warning, a compliance pointer or why an option was ruled out, headed."""

    heading: str
    detail: str


@dataclass(frozen=True, slots=True)
class OptionLine:
    """One option in the side-by-side table."""

    option: str
    label: str
    model: str
    monthly_usd: float | None
    one_off_usd: float | None
    people_monthly_usd: float | None
    tco_3y_usd: float | None
    chosen: bool
    ruled_out: Note | None


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
    # The options chart, where the answer priced options (engine 2026.2 on).
    chart: Chart | None
    # From engine 2026.2 on; an earlier answer has no option and empty tuples.
    option: str | None = None
    option_label: str = ""
    option_model: str = ""
    options: tuple[OptionLine, ...] = ()
    break_even_range: tuple[int, int] | None = None
    warnings: tuple[Note, ...] = ()
    compliance: tuple[Note, ...] = ()
    flips: tuple[str, ...] = ()

    @classmethod
    def from_answer(  # noqa: PLR0913 -- keyword-only, what the answer does not hold
        cls,
        answer: UseCaseResult,
        *,
        name: str,
        task_label: str,
        monthly_requests: int,
        words: Words,
        chart: Chart | None,
    ) -> UseCaseSummary:
        """The engine's answer for one use case, with what the PDF adds to it."""
        costs = answer.costs
        options = tuple(
            OptionLine(
                option=option.option,
                label=words.option(option.option),
                model=option.model,
                monthly_usd=option.monthly_usd,
                one_off_usd=option.one_off_usd,
                people_monthly_usd=option.people_monthly_usd,
                tco_3y_usd=option.tco_3y_usd,
                chosen=option.option == answer.option,
                ruled_out=Note(
                    words.ruled_out_heading(option.ruled_out.code),
                    option.ruled_out.detail,
                )
                if option.ruled_out
                else None,
            )
            for option in costs.options
        )
        return cls(
            name=name,
            task_label=task_label,
            monthly_requests=monthly_requests,
            path=answer.path,
            path_label=words.path(answer.path),
            confidence=answer.confidence,
            reasons=tuple(reason.detail for reason in answer.reasons),
            api_monthly_usd=costs.api_monthly_usd,
            self_hosted_monthly_usd=costs.self_hosted_monthly_usd,
            fine_tune_one_off_usd=costs.fine_tune_one_off_usd,
            break_even_monthly_requests=costs.break_even_monthly_requests,
            next_steps=answer.next_steps,
            effort=answer.effort,
            chart=chart,
            option=answer.option,
            option_label=words.option(answer.option) if answer.option else "",
            option_model=next((line.model for line in options if line.chosen), ""),
            options=options,
            break_even_range=costs.break_even_monthly_requests_range,
            warnings=tuple(
                Note(words.warning(note.code), note.detail) for note in answer.warnings
            ),
            compliance=tuple(
                Note(words.compliance_heading(note.code), note.detail)
                for note in answer.compliance
            ),
            flips=tuple(flip.detail for flip in answer.flips if flip.detail),
        )

    @property
    def chosen(self) -> OptionLine | None:
        """The recommended option's line, where the answer has options."""
        return next((line for line in self.options if line.chosen), None)

    @property
    def monthly_usd(self) -> float | None:
        """The running cost of the recommendation, where the engine has one."""
        if self.chosen is not None:
            return self.chosen.monthly_usd
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
    # Dates as the site writes them (consult.timezones.date_label): the PDF is drawn
    # from its data alone, so it gets them written.
    submitted_on: str
    stack: str
    stack_label: str
    summary: str
    use_cases: tuple[UseCaseSummary, ...]
    price_book_name: str
    price_book_as_of: str
    engine_version: str
    # The booking page, without the client's private link: the PDF gets forwarded.
    booking_url: str
    # The read-only share link of the result: what the PDF carries instead of the
    # client's private link, so forwarding it gives nobody the right to change,
    # delete or book anything. None in the staff copy.
    share_url: str | None
    # The recommended options added up (engine 2026.2 on); None before.
    totals: Totals | None = None


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


def assessment_summary_pdf(*, summary: SummaryData) -> bytes:
    """Render the summary on A4 and return the PDF's bytes."""
    from advisor import pdf_layout  # noqa: PLC0415 -- lazy, see the module docstring

    return pdf_layout.render(summary=summary)
