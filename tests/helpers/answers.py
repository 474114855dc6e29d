"""Stored engine answers of each version, for the pages, the PDF and the emails.

``answer_2026_2`` is a realistic engine 2026.2 answer for the three use cases of
``three_path_use_cases`` (its figures are illustrative, not the engine's);
``as_2026_1`` strips an answer down to what engine 2026.1 stored.
"""

import copy

from advisor.models import Recommendation

NEW_USE_CASE_KEYS = ("option", "flips", "warnings", "compliance")
NEW_COSTS_KEYS = ("options", "break_even_monthly_requests_range")

_SUPPORT = {
    "name": "Support summaries",
    "task": "summarization",
    "kind": "language",
    "path": "api",
    "option": "api_small",
    "confidence": 0.85,
    "reasons": [
        {
            "code": "api_default",
            "detail": "Nothing in your answers calls for more than a model API yet.",
        }
    ],
    "costs": {
        "api_monthly_usd": 570.0,
        "self_hosted_monthly_usd": 1175.3,
        "fine_tune_one_off_usd": 24032.28,
        "break_even_monthly_requests": 4363778,
        "break_even_monthly_requests_range": [1500000, 23000000],
        "options": [
            {"option": "api_small", "model": "GPT-5.4 nano", "monthly_usd": 570.0, "one_off_usd": 3800.0, "people_monthly_usd": 833.33, "tco_3y_usd": 54320.0, "ruled_out": None},
            {"option": "api_frontier", "model": "GPT-5.4", "monthly_usd": 7000.0, "one_off_usd": 3800.0, "people_monthly_usd": 833.33, "tco_3y_usd": 285800.0, "ruled_out": None},
            {"option": "hosted_open_weight", "model": "Qwen3-8B hosted by Fireworks", "monthly_usd": 360.0, "one_off_usd": 5800.0, "people_monthly_usd": 833.33, "tco_3y_usd": 48760.0, "ruled_out": {"code": "quality", "detail": "An untuned 8B model is not strong enough for this task."}},
            {"option": "hosted_fine_tune", "model": "Qwen3-8B with a LoRA adapter, serverless", "monthly_usd": 360.0, "one_off_usd": 24000.0, "people_monthly_usd": 2500.0, "tco_3y_usd": 127000.0, "ruled_out": None},
            {"option": "self_hosted_open_weight", "model": "Qwen3-8B on 2 NVIDIA L4 GPUs (one spare)", "monthly_usd": 1175.3, "one_off_usd": 15400.0, "people_monthly_usd": 4166.67, "tco_3y_usd": 207700.0, "ruled_out": None},
            {"option": "self_hosted_fine_tune", "model": "Qwen3-8B, LoRA-tuned, on 2 NVIDIA L4 GPUs (one spare)", "monthly_usd": 1175.3, "one_off_usd": 36000.0, "people_monthly_usd": 5833.33, "tco_3y_usd": 288300.0, "ruled_out": {"code": "context", "detail": "A 40,000-token prompt does not fit the model's 32,768-token context window."}},
        ],
    },
    "flips": [
        {"input": "use_cases[0].monthly_requests", "value": 9500000, "path": "fine_tune", "detail": "From about 9.5M requests a month, owning the model is clearly cheaper over three years."},
        {"input": "organization.ml_engineers", "value": 0, "path": "api", "detail": "With no one to run a model, an API stays the only sensible choice."},
    ],
    "warnings": [
        {"code": "latency_infeasible", "detail": "No option can write 250 tokens within 100 ms: allow at least 2 seconds."}
    ],
    "compliance": [
        {"code": "gdpr_dpa", "detail": "Sign a data processing agreement with the API provider (GDPR Art. 28, Regulation (EU) 2016/679)."}
    ],
    "next_steps": ["Prototype with the small model on 50 real tickets."],
    "effort": "A software engineer can ship this in days; no ML hire is needed.",
}  # fmt: skip

_INVOICES = {
    "name": "Invoice fields",
    "task": "extraction",
    "kind": "language",
    "path": "fine_tune",
    "option": "hosted_fine_tune",
    "confidence": 0.7,
    "reasons": [
        {
            "code": "format_critical",
            "detail": "Every answer must follow one exact structure.",
        }
    ],
    "costs": {
        "api_monthly_usd": 1450.0,
        "self_hosted_monthly_usd": 1964.2,
        "fine_tune_one_off_usd": 24032.28,
        "break_even_monthly_requests": 310000,
        "break_even_monthly_requests_range": [120000, 900000],
        "options": [
            {"option": "hosted_fine_tune", "model": "Qwen3-8B with a LoRA adapter, serverless", "monthly_usd": 420.0, "one_off_usd": 24000.0, "people_monthly_usd": 2500.0, "tco_3y_usd": 129120.0, "ruled_out": None},
            {"option": "api_frontier", "model": "GPT-5.4", "monthly_usd": 1450.0, "one_off_usd": 3800.0, "people_monthly_usd": 833.33, "tco_3y_usd": 85999.88, "ruled_out": {"code": "quality", "detail": "Prompting alone keeps to the format only 93% of the time."}},
            {"option": "self_hosted_fine_tune", "model": "Qwen3-8B, LoRA-tuned, on 2 NVIDIA L4 GPUs (one spare)", "monthly_usd": 1964.2, "one_off_usd": 36000.0, "people_monthly_usd": 5833.33, "tco_3y_usd": 316711.0, "ruled_out": None},
        ],
    },
    "flips": [
        {"input": "use_cases[1].format_consistency", "value": "flexible", "path": "api", "detail": "If wording may vary, a frontier model through an API is enough."},
    ],
    "warnings": [],
    "compliance": [
        {"code": "eu_residency", "detail": "Invoices name people: keep the data in an EU region."}
    ],
    "next_steps": ["Label 2,000 invoices for the fine-tune."],
    "effort": "One ML engineer for about six weeks.",
}  # fmt: skip

_FRAUD = {
    "name": "Card fraud",
    "task": "fraud_detection",
    "kind": "predictive",
    "path": "classical_ml",
    "option": "vendor_tool",
    "confidence": 0.6,
    "reasons": [
        {
            "code": "predictive_task",
            "detail": "Fraud scoring is a prediction from table data.",
        }
    ],
    "costs": {
        "api_monthly_usd": None,
        "self_hosted_monthly_usd": None,
        "fine_tune_one_off_usd": None,
        "break_even_monthly_requests": None,
        "break_even_monthly_requests_range": None,
        "options": [
            {"option": "vendor_tool", "model": "A fraud-screening service (per-transaction fee)", "monthly_usd": 30.0, "one_off_usd": 7700.0, "people_monthly_usd": 833.33, "tco_3y_usd": 38780.0, "ruled_out": None},
            {"option": "classical_in_house", "model": "Gradient-boosted trees on your own CPUs", "monthly_usd": 130.0, "one_off_usd": 58000.0, "people_monthly_usd": 6250.0, "tco_3y_usd": 287800.0, "ruled_out": None},
        ],
    },
    "flips": [],
    "warnings": [
        {"code": "low_volume_predictive", "detail": "At 1,500 transactions a month with no labelled history, a model has too little to learn from."}
    ],
    "compliance": [
        {"code": "pci_dss_scope", "detail": "Card numbers put the scoring service in PCI DSS scope."}
    ],
    "next_steps": ["Trial the vendor's service on last quarter's transactions."],
    "effort": "A software engineer can wire this up in a week.",
}  # fmt: skip

ANSWER_2026_2 = {
    "engine_version": "2026.2",
    "price_book": "default-2026-12",
    "stack": "hybrid",
    "summary": "A hybrid stack: 1 use case on a model API, 1 use case on a fine-tuned "
    "model and 1 use case on a classical ML model.",
    "totals": {"monthly_usd": 820.0, "one_off_usd": 35500.0, "tco_3y_usd": 222220.0},
    "use_cases": [_SUPPORT, _INVOICES, _FRAUD],
}


def answer_2026_2() -> dict:
    """A fresh copy: a test may change it."""
    return copy.deepcopy(ANSWER_2026_2)


def as_2026_1(output: dict) -> dict:
    """``output`` as engine 2026.1 stored it: none of the fields 2026.2 added."""
    old = copy.deepcopy(output)
    old["engine_version"] = "2026.1"
    old.pop("totals", None)
    for use_case in old["use_cases"]:
        for key in NEW_USE_CASE_KEYS:
            use_case.pop(key, None)
        for key in NEW_COSTS_KEYS:
            use_case["costs"].pop(key, None)
    return old


def store_answer(assessment, output: dict) -> Recommendation:
    """Replace the submitted assessment's stored answer with ``output``."""
    recommendation = Recommendation.objects.get(assessment=assessment)
    recommendation.output = output
    recommendation.engine_version = output["engine_version"]
    recommendation.save(update_fields=["output", "engine_version"])
    return recommendation
