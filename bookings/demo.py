"""Demo consultants in four time zones, their weekly hours and the default booking policy,
and a managing partner.

The consultants are in the Consultants group, the partner in the Managers group; they
share one demo password, made once and kept next to the database, so the admin can be
tried as a consultant and as a manager sees it.

Idempotent: running it again updates the same rows and creates nothing new.
"""

from __future__ import annotations

import secrets
from datetime import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from bookings.enums import Expertise
from bookings.models import BookingPolicy, Consultant, WeeklyHours
from consult.staff import CONSULTANTS as CONSULTANTS_GROUP
from consult.staff import MANAGERS as MANAGERS_GROUP

PASSWORD_FILE = "demo-consultant-password.txt"  # noqa: S105 -- a file name
# Each demo consultant's own video room, so invites carry a link that opens.
MEETING_URL = "https://meet.jit.si/consult-demo-{username}"

WEEKDAYS = range(5)

# Sees the whole team's calls, conflicts and emails; takes no calls herself.
MANAGER = {
    "username": "morgan",
    "first_name": "Morgan",
    "last_name": "Ellis",
}

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


def _shared_password() -> str:
    path = settings.VAR_DIR / PASSWORD_FILE
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password


def load() -> list[str]:
    user_model = get_user_model()
    password = _shared_password()
    group = Group.objects.filter(name=CONSULTANTS_GROUP).first()
    policy, created = BookingPolicy.objects.get_or_create(pk=BookingPolicy.SINGLETON_ID)
    lines = [
        f"Booking policy: {policy.meeting_minutes}-minute calls, "
        f"{policy.minimum_notice_minutes // 60} h notice, "
        f"{policy.horizon_days} days ahead" + (" (created)" if created else "")
    ]
    for spec in CONSULTANTS:
        user, _ = user_model.objects.get_or_create(
            username=spec["username"],
            defaults={
                "email": f"{spec['username']}@consult.localhost",
                "is_staff": True,
            },
        )
        if not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        if group is not None:
            user.groups.add(group)
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
        if not consultant.meeting_url:
            # Set once: a link the consultant changed in the admin stays theirs.
            consultant.meeting_url = MEETING_URL.format(username=spec["username"])
            consultant.save(update_fields=["meeting_url"])
        if not consultant.weekly_hours.exists():
            WeeklyHours.objects.bulk_create(
                WeeklyHours(consultant=consultant, weekday=day, start=start, end=end)
                for day in WEEKDAYS
                for start, end in spec["hours"]
            )
        lines.append(
            f"Consultant {consultant.display_name} ({consultant.timezone}), "
            f"Monday to Friday, meeting at {consultant.meeting_url}"
        )
    manager, _ = user_model.objects.get_or_create(
        username=MANAGER["username"],
        defaults={
            "email": f"{MANAGER['username']}@consult.localhost",
            "first_name": MANAGER["first_name"],
            "last_name": MANAGER["last_name"],
            "is_staff": True,
        },
    )
    if not manager.check_password(password):
        manager.set_password(password)
        manager.save(update_fields=["password"])
    managers = Group.objects.filter(name=MANAGERS_GROUP).first()
    if managers is not None:
        manager.groups.add(managers)
    names = ", ".join(spec["username"] for spec in CONSULTANTS)
    lines.append(
        f"Consultants sign in to the admin as {names}, and the managing partner as "
        f"{MANAGER['username']}, with password {password!r} (kept in "
        f"var/{PASSWORD_FILE})"
    )
    return lines
