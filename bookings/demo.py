"""Demo consultants in four time zones, their weekly hours and the default booking policy.

Idempotent: running it again updates the same rows and creates nothing new.
"""

from __future__ import annotations

from datetime import time

from django.contrib.auth import get_user_model

from bookings.models import BookingPolicy, Consultant, Expertise, WeeklyHours

WEEKDAYS = range(5)

CONSULTANTS = [
    {
        "username": "amelia",
        "display_name": "Amelia Hart",
        "timezone": "Europe/London",
        "expertise": [Expertise.API, Expertise.FINE_TUNE],
        "bio": (
            "Ten years shipping language products. Helps teams choose between a "
            "hosted model API and a fine-tuned open model, and budget for either."
        ),
        "hours": [(time(9, 0), time(12, 30)), (time(13, 30), time(17, 0))],
    },
    {
        "username": "marcus",
        "display_name": "Marcus Webb",
        "timezone": "America/New_York",
        "expertise": [Expertise.CLASSICAL_ML, Expertise.API],
        "bio": (
            "Former forecasting lead at a retailer. Knows when gradient boosting "
            "beats a large model, and how to run both in production."
        ),
        "hours": [(time(9, 0), time(13, 0)), (time(14, 0), time(17, 0))],
    },
    {
        "username": "priya",
        "display_name": "Priya Raman",
        "timezone": "Asia/Kolkata",
        "expertise": [Expertise.FINE_TUNE, Expertise.CLASSICAL_ML],
        "bio": (
            "Trains small open-weight models with LoRA on a single GPU, and "
            "builds the evaluation that shows whether it was worth it."
        ),
        "hours": [(time(10, 0), time(13, 0)), (time(14, 0), time(18, 30))],
    },
    {
        "username": "jonas",
        "display_name": "Jonas Richter",
        "timezone": "Europe/Berlin",
        "expertise": [Expertise.API, Expertise.FINE_TUNE, Expertise.CLASSICAL_ML],
        "bio": (
            "Architect for hybrid stacks: an API where it pays, a fine-tuned model "
            "where volume or privacy calls for it, classical ML for the rest."
        ),
        "hours": [(time(8, 30), time(12, 0)), (time(13, 0), time(16, 30))],
    },
]


def load() -> list[str]:
    user_model = get_user_model()
    policy, created = BookingPolicy.objects.get_or_create(pk=BookingPolicy.SINGLETON_ID)
    lines = [
        f"Booking policy: {policy.meeting_minutes}-minute calls, "
        f"{policy.minimum_notice_minutes // 60} h notice, "
        f"{policy.horizon_days} days ahead" + (" (created)" if created else "")
    ]
    for spec in CONSULTANTS:
        user, user_created = user_model.objects.get_or_create(
            username=spec["username"],
            defaults={
                "email": f"{spec['username']}@consult.localhost",
                "is_staff": True,
            },
        )
        if user_created:
            # They sign in only once an admin gives them a password.
            user.set_unusable_password()
            user.save(update_fields=["password"])
        consultant, _ = Consultant.objects.update_or_create(
            user=user,
            defaults={
                "display_name": spec["display_name"],
                "timezone": spec["timezone"],
                "expertise": [str(item) for item in spec["expertise"]],
                "bio": spec["bio"],
                "is_active": True,
            },
        )
        if not consultant.weekly_hours.exists():
            WeeklyHours.objects.bulk_create(
                WeeklyHours(consultant=consultant, weekday=day, start=start, end=end)
                for day in WEEKDAYS
                for start, end in spec["hours"]
            )
        lines.append(
            f"Consultant {consultant.display_name} ({consultant.timezone}), "
            "Monday to Friday"
        )
    return lines
