"""The assessment page in the admin reads like a prep sheet: the client's answers in
plain words, and what the advisor recommended and why, use case by use case; and, above
it all, any email to the client that bounced or failed (``email_problems``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse

from advisor.engine import UseCaseResult, result_from_dict
from advisor.engine.text import usd, usd_approx
from advisor.selectors import (
    compliance_heading,
    option_label,
    path_label,
    warning_heading,
)
from consult.admin_delivery import delivery_problems
from consult.templatetags.humanize_consult import duration_ms

if TYPE_CHECKING:
    from collections.abc import Callable

    from advisor.models import Assessment, UseCase
    from bookings.models import Booking


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str


@dataclass(frozen=True)
class UseCaseSheet:
    position: int
    name: str
    answers: list[Answer]
    advice: dict[str, Any] | None


def _use_case_answers(use_case: UseCase) -> list[Answer]:
    answers = [
        Answer("What the model must do", use_case.get_task_display()),
        Answer("Requests a month", f"{use_case.monthly_requests:,}"),
    ]
    if use_case.is_language:
        size = (
            f"{use_case.input_tokens:,} tokens in, {use_case.output_tokens or 0:,} out"
            if use_case.input_tokens
            else "Typical for the task"
        )
        answers.append(Answer("Size of each request", size))
    if use_case.may_be_user_facing:
        answers.append(
            Answer(
                "People talk to it directly", "Yes" if use_case.user_facing else "No"
            )
        )
    if use_case.batch_ok:
        speed = "Hours: an overnight job (batch)"
    else:
        speed = duration_ms(use_case.latency_budget_ms) or "No hard limit"
    answers += [
        Answer("Answer needed within", speed),
        Answer(
            "Value of one request",
            # As the client typed it, every digit: this is their answer, not a cost.
            f"${use_case.value_per_request_usd.normalize():f}"
            if use_case.value_per_request_usd is not None
            else "Not given",
        ),
        Answer("Their own labelled data", use_case.get_proprietary_data_display()),
        Answer("Output format", use_case.get_format_consistency_display()),
        Answer("Data must stay in-house", "Yes" if use_case.sensitive_data else "No"),
        Answer(
            "Worth of a small quality gain", use_case.get_accuracy_lift_value_display()
        ),
    ]
    return answers


def _advice(answer: UseCaseResult) -> dict[str, Any]:
    costs = answer.costs
    breakeven = costs.break_even_monthly_requests
    cost_rows = [
        ("Model API, a month", costs.api_monthly_usd),
        ("Self-hosted model, a month", costs.self_hosted_monthly_usd),
        ("Fine-tuning, once", costs.fine_tune_one_off_usd),
    ]
    return {
        "path": answer.path,
        "path_label": path_label(answer.path),
        "confidence": round(answer.confidence * 100),
        "reasons": [reason.detail for reason in answer.reasons],
        "costs": [
            (label, usd(value, cents=True))
            for label, value in cost_rows
            if value is not None
        ],
        "break_even": f"{breakeven:,} requests a month" if breakeven else "",
        "next_steps": list(answer.next_steps),
        "effort": answer.effort,
        # Engine 2026.2 on: the option it picked, and the codes a consultant
        # looks up or filters by, beside their words.
        "option": answer.option or "",
        "option_label": option_label(answer.option) if answer.option else "",
        "warnings": [(code, warning_heading(code)) for code, _ in answer.warnings],
        "compliance": [
            (code, compliance_heading(code)) for code, _ in answer.compliance
        ],
    }


def advice_totals(assessment: Assessment) -> list[tuple[str, str]]:
    """The recommended options added up, in words; empty before engine 2026.2."""
    recommendation = getattr(assessment, "recommendation", None)
    totals = result_from_dict(recommendation.output).totals if recommendation else None
    if totals is None:
        return []
    return [
        ("A month, to run", usd_approx(totals.monthly_usd)),
        ("Once, to set up", usd_approx(totals.one_off_usd)),
        ("Three years, people included", usd_approx(totals.tco_3y_usd)),
    ]


def prep_sheet(assessment: Assessment) -> list[UseCaseSheet]:
    recommendation = getattr(assessment, "recommendation", None)
    output = result_from_dict(recommendation.output).use_cases if recommendation else ()
    use_cases = list(assessment.use_cases.all())
    # The engine answers in the order of the use cases it was given.
    advice = [_advice(answer) for answer in output]
    advice += [None] * (len(use_cases) - len(advice))
    return [
        UseCaseSheet(
            position=index,
            name=use_case.name,
            answers=_use_case_answers(use_case),
            advice=advice[index - 1],
        )
        for index, use_case in enumerate(use_cases, start=1)
    ]


def email_problems(
    assessment: Assessment,
    bookings: list[Booking],
    *,
    deliveries: list[dict[str, object]],
    may_correct: Callable[[object], bool],
) -> list[dict[str, object]]:
    """The client's emails that bounced or failed: the assessment's, then each call's.

    Read from ``deliveries`` (the page's ``delivery_rows``), each as
    ``delivery_problems`` gives it, with ``correct_url``, the page that corrects
    that address (empty where ``may_correct`` says this member of staff may not).
    """
    rows: list[tuple[Assessment | Booking, str, str]] = [
        (assessment, assessment.contact_email, "admin:advisor_assessment_email"),
        *((b, b.email, "admin:bookings_booking_email") for b in bookings),
    ]
    found = delivery_problems(deliveries, [(row, address) for row, address, _ in rows])
    problems = []
    for (row, _, correct_view), problem in zip(rows, found, strict=True):
        if problem is not None:
            problem["correct_url"] = (
                reverse(correct_view, args=[row.pk]) if may_correct(row) else ""
            )
            problems.append(problem)
    return problems
