"""Benchmark: the assessment summary PDF for a 5-use-case assessment.

Run with ``python bench/bench_pdf.py`` (or ``make bench``) (``--out FILE`` also
writes one copy of the PDF). Prints one JSON line; ``ok`` says whether the
targets were met on this machine. The summary is built in memory from the
engine's answer, as the selector would build it from the database, so only
the PDF rendering is timed. ``peak_mb`` is what tracemalloc saw allocated on
top of what was live before the first build, ReportLab's import included;
``rss_added_mb`` is how far the process's peak resident memory rose.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")
# Nothing is served or stored: development settings are enough (no secret key).
os.environ.setdefault("DJANGO_DEBUG", "true")

import django

django.setup()

# Django must be set up before the app modules are imported.
from advisor.engine import (  # noqa: E402 -- after django.setup()
    DEFAULT_PRICES,
    decide,
    result_from_dict,
    validate,
)
from advisor.enums import TASK_LABELS  # noqa: E402 -- after django.setup()
from advisor.pdf import SummaryData, UseCaseSummary, assessment_summary_pdf  # noqa: E402
from advisor.selectors import WORDS, answer_chart  # noqa: E402 -- after django.setup()
from consult.timezones import date_label  # noqa: E402 -- after django.setup()

TARGET_MEDIAN_MS = 150
TARGET_PEAK_MB = 60
RUNS = 30
LINK_KEY = "bench-token-abcdefghijklmnopqrstuvwxyz0123456789ab"

ASSESSMENT = {
    "organization": {
        "name": "Acme Health",
        "industry": "healthcare",
        "ml_engineers": 2,
        "data_can_leave": True,
    },
    "use_cases": [
        {
            "name": "Triage note summaries",
            "task": "summarization",
            "monthly_requests": 40_000,
            "input_tokens": 1_800,
            "output_tokens": 250,
            "proprietary_data": "some",
            "sensitive_data": True,
        },
        {
            "name": "Ticket routing",
            "task": "text_classification",
            "monthly_requests": 8_000_000,
        },
        {
            "name": "Invoice fields",
            "task": "extraction",
            "monthly_requests": 120_000,
            "format_consistency": "critical",
            "proprietary_data": "substantial",
        },
        {
            "name": "Policy questions",
            "task": "question_answering",
            "monthly_requests": 30_000,
        },
        {
            "name": "Claims fraud",
            "task": "fraud_detection",
            "monthly_requests": 2_000_000,
        },
    ],
}


def summary_data() -> SummaryData:
    """What ``advisor.selectors.assessment_summary_data`` returns, without a database."""
    # Through its stored form, as the app reads it.
    output = result_from_dict(decide(validate(ASSESSMENT), DEFAULT_PRICES).to_dict())
    use_cases = []
    for contract, answer in zip(ASSESSMENT["use_cases"], output.use_cases, strict=True):
        volume = contract["monthly_requests"]
        use_cases.append(
            UseCaseSummary.from_answer(
                answer,
                name=answer.name,
                task_label=TASK_LABELS[answer.task],
                monthly_requests=volume,
                words=WORDS,
                chart=answer_chart(answer, monthly_requests=volume),
            )
        )
    site = "https://consult.example"
    return SummaryData(
        company="Acme Health",
        contact_name="Ada Lovelace",
        submitted_on="30 November 2026",
        stack=output.stack,
        stack_label=WORDS.path(output.stack),
        summary=output.summary,
        use_cases=tuple(use_cases),
        price_book_name=DEFAULT_PRICES.name,
        price_book_as_of=date_label(DEFAULT_PRICES.as_of),
        engine_version=output.engine_version,
        totals=output.totals,
        booking_url=f"{site}/book/",
        share_url=f"{site}/assess/shared/{LINK_KEY}/",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, help="also write one PDF here")
    args = parser.parse_args()
    summary = summary_data()

    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    first = assessment_summary_pdf(summary=summary)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        assessment_summary_pdf(summary=summary)
        timings.append((time.perf_counter() - started) * 1000)

    # Peak of a warm build too: what a long-lived worker adds per task.
    gc.collect()
    tracemalloc.start()
    assessment_summary_pdf(summary=summary)
    _, warm_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    # The process's high-water mark (KiB on Linux), tracing overhead included.
    rss_added = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    if args.out:
        args.out.write_bytes(first)
    median_ms = statistics.median(timings)
    peak_mb = peak / 2**20
    print(
        json.dumps(
            {
                "name": "pdf: 5-use-case summary",
                "median_ms": round(median_ms, 1),
                "p95_ms": round(statistics.quantiles(timings, n=20)[-1], 1),
                "peak_mb": round(peak_mb, 1),
                "warm_peak_mb": round(warm_peak / 2**20, 1),
                "rss_added_mb": round(rss_added / 1024, 1),
                "bytes": len(first),
                "runs": RUNS,
                "target": f"median < {TARGET_MEDIAN_MS} ms, < {TARGET_PEAK_MB} MB added",
                "ok": median_ms < TARGET_MEDIAN_MS and peak_mb < TARGET_PEAK_MB,
            }
        )
    )


if __name__ == "__main__":
    main()
