"""Use cases for the engine's payloads: one builder, and one case per path."""


def use_case(name="Use case", task="summarization", monthly_requests=40_000, **fields):
    return {"name": name, "task": task, "monthly_requests": monthly_requests} | fields


API = use_case("Summaries")
FINE_TUNE = use_case("Invoices", "extraction", format_consistency="critical")
CLASSICAL = use_case("Fraud", "fraud_detection", 1_000_000)
