"""The wizard's pages: their addresses, a valid use case, and an htmx request."""

from django.urls import reverse

HTMX = {"HTTP_HX_REQUEST": "true"}
USE_CASE = {
    "name": "Ticket triage",
    "task": "text_classification",
    "monthly_requests": "20000",
    "size": "typical",
    "latency": "interactive",
    "proprietary_data": "none",
    "format_consistency": "flexible",
    "sensitive_data": "no",
    "accuracy_lift_value": "low",
}


def url(name: str, assessment, **kwargs) -> str:
    return reverse(f"advisor:{name}", kwargs={"token": assessment.token, **kwargs})
