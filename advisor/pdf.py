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
    from datetime import date

    from advisor.charts import Chart
    from advisor.engine import UseCaseResult


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

    @classmethod
    def from_answer(  # noqa: PLR0913 -- keyword-only, what the answer does not hold
        cls,
        answer: UseCaseResult,
        *,
        name: str,
        task_label: str,
        monthly_requests: int,
        path_label: str,
        chart: Chart | None,
    ) -> UseCaseSummary:
        """The engine's answer for one use case, with what the PDF adds to it."""
        costs = answer.costs
        return cls(
            name=name,
            task_label=task_label,
            monthly_requests=monthly_requests,
            path=answer.path,
            path_label=path_label,
            confidence=answer.confidence,
            reasons=tuple(reason.detail for reason in answer.reasons),
            api_monthly_usd=costs.api_monthly_usd,
            self_hosted_monthly_usd=costs.self_hosted_monthly_usd,
            fine_tune_one_off_usd=costs.fine_tune_one_off_usd,
            break_even_monthly_requests=costs.break_even_monthly_requests,
            next_steps=answer.next_steps,
            effort=answer.effort,
            chart=chart,
        )

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
