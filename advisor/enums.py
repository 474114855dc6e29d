"""The advisor's domain labels, shared by its pages, emails, PDF and admin.

A leaf module: it imports nothing of the project, so any floor above may read it.
The models name their choices after these (``Assessment.Status`` is ``AssessmentStatus``).
"""

from django.db import models

# The engine's answer per use case and for the whole stack ("hybrid" is a stack only).
PATH_LABELS = {
    "api": "Buy an API",
    "fine_tune": "Fine-tune a small model",
    "classical_ml": "Classical ML",
    "hybrid": "Hybrid",
}

# What the model must do, in the wizard's words (the contract's task names).
TASK_LABELS = {
    "summarization": "Summarise documents or conversations",
    "text_classification": "Sort or label text",
    "extraction": "Pull fields out of documents",
    "document_extraction": "Read scanned documents (invoices, forms, IDs)",
    "question_answering": "Answer questions from your knowledge",
    "content_generation": "Write content or replies",
    "translation": "Translate text",
    "fraud_detection": "Detect fraud",
    "forecasting": "Forecast numbers over time",
    "recommendation": "Recommend products or content",
    "specialized_vision": "Inspect specialised images",
    "tabular_prediction": "Predict an outcome from table data",
    "anomaly_detection": "Spot anomalies in data or systems",
}

INDUSTRIES = [
    ("", "Choose an industry"),
    ("financial_services", "Banking, insurance and financial services"),
    ("healthcare", "Healthcare and life sciences"),
    ("retail", "Retail and e-commerce"),
    ("manufacturing", "Manufacturing and industry"),
    ("software", "Software and internet"),
    ("telecoms", "Telecoms and media"),
    ("public_sector", "Public sector and education"),
    ("professional_services", "Legal, consulting and professional services"),
    ("logistics", "Transport and logistics"),
    ("energy", "Energy and utilities"),
    ("other", "Something else"),
]
INDUSTRY_LABELS = dict(INDUSTRIES)

# Rules the company's data or product falls under (the contract's regulation codes).
REGULATION_LABELS = {
    "gdpr": "GDPR (EU/UK personal data)",
    "hipaa": "HIPAA (US health data)",
    "pci_dss": "PCI DSS (payment card data)",
    "eu_ai_act": "EU AI Act (AI used in the EU)",
    "ccpa": "CCPA/CPRA (California consumers)",
}

# Language tasks whose output people may read as it comes (a chatbot, an
# assistant); the wizard asks whether they do only for these. Labels and
# extracted fields feed other systems rather than people.
USER_FACING_TASKS = frozenset(
    {"summarization", "question_answering", "content_generation", "translation"}
)


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class ReviewStatus(models.TextChoices):
    NEW = "new", "New"
    REVIEWED = "reviewed", "Reviewed"
    CONTACTED = "contacted", "Contacted"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class ProprietaryData(models.TextChoices):
    NONE = "none", "None, or only public data"
    SOME = "some", "Some: hundreds of examples or a knowledge base"
    SUBSTANTIAL = (
        "substantial",
        "Substantial: thousands of labelled examples that change the right answer",
    )


class FormatConsistency(models.TextChoices):
    FLEXIBLE = "flexible", "Flexible: wording can vary"
    CRITICAL = "critical", "Critical: every answer must follow one exact structure"


class AccuracyLift(models.TextChoices):
    LOW = "low", "Nice to have: good enough is good enough"
    HIGH = "high", "A lot: a small gain in quality is a competitive edge"


# The engine's options (engine 2026.2 on), in plain words: what the client would
# buy or build. Each belongs to one path (api, fine_tune or classical_ml).
OPTION_LABELS = {
    "api_frontier": "A frontier model through an API",
    "api_small": "A small model through an API",
    "api_batch": "A model API's batch service",
    "hosted_open_weight": "An open-weight model, hosted for you",
    "hosted_fine_tune": "A fine-tuned open-weight model, hosted for you",
    "self_hosted_open_weight": "An open-weight model on your own GPUs",
    "self_hosted_fine_tune": "A fine-tuned model on your own GPUs",
    "classical_in_house": "A classical ML model built in-house",
    "vendor_tool": "A ready-made vendor tool",
}
# The same, short enough for a chart's bar label on a phone.
OPTION_SHORT_LABELS = {
    "api_frontier": "Frontier model API",
    "api_small": "Small model API",
    "api_batch": "Batch API",
    "hosted_open_weight": "Hosted open model",
    "hosted_fine_tune": "Hosted fine-tune",
    "self_hosted_open_weight": "Own GPUs, open model",
    "self_hosted_fine_tune": "Own GPUs, fine-tune",
    "classical_in_house": "In-house ML model",
    "vendor_tool": "Vendor tool",
}

# Why the engine ruled an option out, as a heading beside its own sentence.
RULED_OUT_HEADINGS = {
    "data_must_stay": "Your data must stay in-house",
    "latency": "Too slow for your answer time",
    "context": "Your prompts do not fit",
    "quality": "Not good enough for this task",
    "nothing_to_tune": "Nothing to fine-tune on",
}

# What the client must know before anything else, one heading per warning.
WARNING_HEADINGS = {
    "context_too_long": "Your prompts are longer than most models accept",
    "latency_infeasible": "No option meets the answer time you asked for",
    "low_volume_predictive": "Too little data to train a model yet",
}

# Rules to check with a lawyer: pointers, not legal advice.
COMPLIANCE_HEADINGS = {
    "gdpr_dpa": "GDPR: a data processing agreement",
    "eu_residency": "Keeping data in the EU",
    "hipaa_baa": "HIPAA: a business associate agreement",
    "pci_dss_scope": "PCI DSS: card data in scope",
    "eu_ai_act_transparency": "EU AI Act: telling people they deal with AI",
    "eu_ai_act_high_risk": "EU AI Act: a high-risk system",
}


class LinkKind(models.TextChoices):
    # A private link opens everything: the wizard, the result, the PDF, "delete my
    # data", the links page. A share link shows the result and nothing else.
    PRIVATE = "private", "Private link"
    SHARE = "share", "Read-only share link"


class LinkOrigin(models.TextChoices):
    """How a link came to exist, shown to the client on their links page."""

    STARTED = "started", "Made when you started the assessment"
    LOST_LINK = "lost_link", "Sent by “Lost your link?”"
    SUMMARY_PDF = "summary_pdf", "In your PDF summary"
    FORWARDED = "forwarded", "Sent to a colleague"
    MADE = "made", "Made on this page"
    MIGRATED = "migrated", "Made before links were listed here"
