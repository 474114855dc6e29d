"""Each page's SQL queries, counted through Django's test client at two data sizes.

The load test reports a page's count and fails it when the count grows with the data:
5 consultants and 500 bookings with 1-use-case assessments, then 20 and 2,000 with 10.
"""

from __future__ import annotations

import secrets
import sys
from typing import TYPE_CHECKING

from bench.http_seed import (
    BOOKINGS,
    CONSULTANTS,
    MAX_USE_CASES,
    SMALL_BOOKINGS,
    SMALL_CONSULTANTS,
    details_path,
    free_slots_by_consultant,
    seed_bookings,
    seed_consultants,
    seed_drafts,
    seed_submitted,
)

if TYPE_CHECKING:
    import random


def query_counts_at_two_sizes(rng: random.Random) -> tuple[dict, dict]:
    """(small, large): seeds the small data, counts, grows it to full size, counts."""
    consultants = seed_consultants(0, SMALL_CONSULTANTS)
    seed_bookings(consultants, SMALL_BOOKINGS, 0, rng)
    query_counts(use_cases=1)  # warms what is loaded once per process
    small = query_counts(use_cases=1)
    seed_bookings(
        seed_consultants(SMALL_CONSULTANTS, CONSULTANTS - SMALL_CONSULTANTS),
        BOOKINGS - SMALL_BOOKINGS,
        SMALL_BOOKINGS,
        rng,
    )
    large = query_counts(use_cases=MAX_USE_CASES)
    return small, large


def query_counts(*, use_cases: int) -> dict[str, int]:
    """Each page's queries through the test client, its fixtures at this size."""
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    step = seed_drafts(1, use_cases=min(use_cases, MAX_USE_CASES - 1))[0]
    use_case_draft = seed_drafts(1, use_cases=min(use_cases, MAX_USE_CASES - 1))[0]
    submit = seed_drafts(1, use_cases=use_cases)[0]
    result = seed_submitted(use_cases=use_cases)
    # Fresh for every call: a key seen before books nothing (it is the same form).
    form_key = secrets.token_urlsafe(24)
    slots = free_slots_by_consultant()
    consultant, free = max(slots.items(), key=lambda item: len(item[1]))
    client = Client()
    requests = {
        "ping": ("get", "/ping", None, 200),
        "landing": ("get", "/", None, 200),
        "start_get": ("get", "/assess/", None, 200),
        "start_post": ("post", "/assess/", {}, 303),
        "about_get": ("get", f"/assess/{step}/about/", None, 200),
        "about_post": (
            "post",
            f"/assess/{step}/about/",
            {
                "version": 0,
                "contact_name": "Ana",
                "contact_email": "ana@example.com",
                "company": "Acme",
                "consent_contact": "on",
            },
            303,
        ),
        "organisation_get": ("get", f"/assess/{step}/organisation/", None, 200),
        "organisation_post": (
            "post",
            f"/assess/{step}/organisation/",
            {
                "version": 1,
                "industry": "retail",
                "ml_engineers": 3,
                "data_can_leave": "yes",
            },
            303,
        ),
        "use_case_new_get": ("get", f"/assess/{step}/use-cases/new/", None, 200),
        "use_case_new_post": (
            "post",
            f"/assess/{use_case_draft}/use-cases/new/",
            {
                "name": "Ticket triage",
                "task": "text_classification",
                "monthly_requests": 50_000,
                "size": "medium",
                "latency": "interactive",
                "proprietary_data": "some",
                "format_consistency": "flexible",
                "sensitive_data": "no",
                "accuracy_lift_value": "low",
            },
            303,
        ),
        "use_cases_get": ("get", f"/assess/{step}/use-cases/", None, 200),
        "use_cases_post": ("post", f"/assess/{step}/use-cases/", {}, 303),
        "check_get": ("get", f"/assess/{step}/check/", None, 200),
        "submit_post": ("post", f"/assess/{submit}/check/", {}, 303),
        "result_get": ("get", f"/assess/{result}/result/", None, 200),
        "slots_get": ("get", "/book/?tz=Europe/London", None, 200),
        "details_get": ("get", details_path(free[-1]), None, 200),
        "book_post": (
            "post",
            "/book/details/",
            {
                "name": "Ana Client",
                "email": f"count-{form_key[:8]}@example.com",
                "timezone": "Europe/London",
                "consent": "on",
                "start": free[len(free) // 2],
                "consultant": consultant,
                "key": form_key,
            },
            302,
        ),
    }
    counts = {}
    for action, (method, path, data, expect) in requests.items():
        with CaptureQueriesContext(connection) as captured:
            response = getattr(client, method)(path, data or {})
        if response.status_code != expect:
            sys.exit(
                f"{action}: {method.upper()} {path} answered {response.status_code}, "
                f"expected {expect}"
            )
        counts[action] = len(captured)
    return counts
