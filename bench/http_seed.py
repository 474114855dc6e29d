"""The HTTP benchmark's data: consultants, bookings and assessments, seeded in bulk.

Import after Django is set up: the models are imported where they are used.
"""

from __future__ import annotations

from datetime import time as clock
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    import random

CONSULTANTS = 20
BOOKINGS = 2_000
SMALL_CONSULTANTS = 5
SMALL_BOOKINGS = 500
MAX_USE_CASES = 10
# Enough drafts that no user runs out within a phase at several hundred requests/s.
USE_CASE_DRAFTS_EACH = 40
SUBMIT_DRAFTS_EACH = 400

ZONES = (
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "Europe/Berlin",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Los_Angeles",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Europe/Lisbon",
)
USE_CASES = (
    {
        "name": "Support ticket triage",
        "task": "text_classification",
        "monthly_requests": 50_000,
        "input_tokens": 300,
        "output_tokens": 50,
        "latency_budget_ms": 2_000,
    },
    {
        "name": "Contract summaries",
        "task": "summarization",
        "monthly_requests": 5_000,
        "input_tokens": 8_000,
        "output_tokens": 800,
        "proprietary_data": "some",
    },
    {
        "name": "Card fraud scoring",
        "task": "fraud_detection",
        "monthly_requests": 2_000_000,
        "latency_budget_ms": 100,
        "proprietary_data": "substantial",
        "sensitive_data": True,
    },
)


def seed_consultants(first: int, count: int):
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    from bookings.models import BookingPolicy, Consultant, WeeklyHours  # noqa: PLC0415

    BookingPolicy.objects.get_or_create(pk=BookingPolicy.SINGLETON_ID)
    user_model = get_user_model()
    numbers = range(first, first + count)
    users = user_model.objects.bulk_create(
        user_model(username=f"bench{n}", is_staff=True) for n in numbers
    )
    expertise = (["api"], ["fine_tune"], ["classical_ml"], ["api", "fine_tune"])
    consultants = Consultant.objects.bulk_create(
        Consultant(
            user=user,
            display_name=f"Consultant {n:02d}",
            timezone=ZONES[n % len(ZONES)],
            expertise=expertise[n % len(expertise)],
        )
        for n, user in zip(numbers, users, strict=True)
    )
    split_day = ((clock(9), clock(12, 30)), (clock(13, 30), clock(17, 30)))
    long_day = ((clock(8), clock(16)),)
    WeeklyHours.objects.bulk_create(
        WeeklyHours(consultant=c, weekday=day, start=start, end=end)
        for c in consultants
        for day in range(5)
        for start, end in (split_day if c.pk % 2 else long_day)
    )
    return consultants


def seed_bookings(consultants, count: int, first: int, rng: random.Random) -> None:
    from django.utils import timezone  # noqa: PLC0415

    from bench.seed import booking_row  # noqa: PLC0415 -- after Django is set up
    from bookings.models import Booking  # noqa: PLC0415

    each = count // len(consultants)
    base = timezone.now().replace(minute=0, second=0, microsecond=0)
    # Distinct half hours per consultant over 28 days, so none overlap; many land in
    # working hours, where they take slots away.
    starts = [base + timedelta(days=1, minutes=30 * k) for k in range(28 * 48)]
    rows = []
    for index, consultant in enumerate(consultants):
        for k, start in enumerate(rng.sample(starts, each)):
            n = first + index * each + k
            rows.append(booking_row(consultant=consultant, start=start, n=n))
    Booking.objects.bulk_create(rows, batch_size=1000)


def seed_drafts(count: int, *, use_cases: int) -> list[str]:
    """Drafts with the first two steps answered and ``use_cases`` use cases; tokens."""
    from advisor.models import Assessment, AssessmentLink, UseCase  # noqa: PLC0415
    from consult.tokens import token_new  # noqa: PLC0415

    tokens = [token_new() for _ in range(count)]
    drafts = Assessment.objects.bulk_create(
        (
            Assessment(
                contact_name=f"Lead {n}",
                contact_email=f"lead{n}@example.com",
                company="Acme",
                role="CTO",
                industry="retail",
                ml_engineers=2,
                data_can_leave=True,
            )
            for n in range(count)
        ),
        batch_size=1000,
    )
    AssessmentLink.objects.bulk_create(
        (
            AssessmentLink(
                assessment=draft,
                kind=AssessmentLink.Kind.PRIVATE,
                origin=AssessmentLink.Origin.STARTED,
                token_hash=digest,
            )
            for draft, (_, digest) in zip(drafts, tokens, strict=True)
        ),
        batch_size=1000,
    )
    UseCase.objects.bulk_create(
        (
            UseCase(
                assessment=draft,
                position=position,
                **{
                    **USE_CASES[(position - 1) % len(USE_CASES)],
                    "name": f"{USE_CASES[(position - 1) % len(USE_CASES)]['name']} {position}",
                },
            )
            for draft in drafts
            for position in range(1, use_cases + 1)
        ),
        batch_size=2000,
    )
    return [token for token, _ in tokens]


def seed_submitted(*, use_cases: int) -> str:
    from advisor import services  # noqa: PLC0415
    from advisor.models import Assessment  # noqa: PLC0415
    from consult.tokens import token_hash  # noqa: PLC0415

    token = seed_drafts(1, use_cases=use_cases)[0]
    assessment = Assessment.objects.get(links__token_hash=token_hash(token))
    services.assessment_submit(assessment=assessment, token=token)
    return token


def user_fixtures(users: int) -> dict[str, list]:
    """Each locust user's own assessments, so no request waits on another's row."""
    tokens = {
        "step": seed_drafts(users, use_cases=3),
        "result": [seed_submitted(use_cases=3) for _ in range(users)],
    }
    use_case_drafts = seed_drafts(users * USE_CASE_DRAFTS_EACH, use_cases=0)
    submit_drafts = seed_drafts(users * SUBMIT_DRAFTS_EACH, use_cases=3)
    tokens["use_case_drafts"] = [use_case_drafts[n::users] for n in range(users)]
    tokens["submit_drafts"] = [submit_drafts[n::users] for n in range(users)]
    return tokens


def free_slots_by_consultant() -> dict[int, list[str]]:
    from bookings import selectors  # noqa: PLC0415
    from bookings.forms import format_start  # noqa: PLC0415

    by_consultant: dict[int, list[str]] = {}
    for slot in selectors.availability_get().slots:
        for key in slot.consultant_keys:
            by_consultant.setdefault(key, []).append(format_start(slot.start))
    return by_consultant


def details_path(start: str, consultant: object = "any") -> str:
    return "/book/details/?" + urlencode(
        {"start": start, "consultant": consultant, "tz": "Europe/London"}
    )
