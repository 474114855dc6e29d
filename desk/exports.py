"""The assessments list as CSV, as a spreadsheet can open it safely."""

from __future__ import annotations

import csv
from datetime import UTC
from typing import TYPE_CHECKING

from advisor.enums import INDUSTRY_LABELS
from advisor.selectors import path_label

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from advisor.models import Assessment

CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = [
    "Reference",
    "Submitted (UTC)",
    "Company",
    "Contact",
    "Email",
    "Role",
    "Industry",
    "Verdict",
    "Use cases",
    "API spend per month (USD)",
    "Booked",
    "Review status",
]


def csv_cell(value: object) -> object:
    """Text as a spreadsheet will not run it: a leading = + - @ (or tab, CR) is quoted."""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_row(assessment: Assessment) -> list[object]:
    recommendation = getattr(assessment, "recommendation", None)
    return [
        assessment.pk,
        f"{assessment.submitted_at.astimezone(UTC):%Y-%m-%d %H:%M}"
        if assessment.submitted_at
        else "",
        assessment.company,
        assessment.contact_name,
        assessment.contact_email,
        assessment.role,
        INDUSTRY_LABELS.get(assessment.industry, assessment.industry),
        path_label(recommendation.stack) if recommendation else "",
        assessment.use_case_total,
        recommendation.api_monthly_usd
        if recommendation and recommendation.api_monthly_usd is not None
        else "",
        "yes" if assessment.booked else "no",
        assessment.get_review_status_display(),
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(assessments: Iterable[Assessment]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for assessment in assessments:
        yield writer.writerow([csv_cell(cell) for cell in _csv_row(assessment)])
