"""What the booking benchmarks share: Django set up on a database of their own, the
consultants' zones, and the rows they seed, built one way."""

import os
from datetime import datetime, timedelta

MEETING = timedelta(minutes=30)
# Ten zones a consultant team spans: half-hour and 45-minute offsets, both DST
# hemispheres.
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


def django_setup(*, database_suffix: str) -> None:
    """Django with the project's settings, on PostgreSQL a test database of its own
    (the name with ``database_suffix``), never the development data."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")
    os.environ.setdefault(
        "DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghij"
    )
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import warnings  # noqa: PLC0415

    import django  # noqa: PLC0415 -- after the environment is set

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings  # noqa: PLC0415

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        database["TEST"]["NAME"] = f"{database['NAME']}_{database_suffix}"
        database["OPTIONS"].pop("pool", None)
    settings.ALLOWED_HOSTS = ["testserver"]
    # Static files from their sources, as in the tests: no collectstatic manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


def consultants_seed(*, count: int, prefix: str) -> list:
    """``count`` consultants across ``ZONES``, each Monday to Friday 08:00-12:00 and
    13:00-18:00 in their own zone (import after Django is set up)."""
    from datetime import time  # noqa: PLC0415

    from django.contrib.auth import get_user_model  # noqa: PLC0415

    from bookings.models import Consultant, WeeklyHours  # noqa: PLC0415 -- needs Django

    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        user_model(username=f"{prefix}{n}", is_staff=True) for n in range(count)
    )
    consultants = Consultant.objects.bulk_create(
        Consultant(
            user=user,
            display_name=f"Consultant {n:0{len(str(count - 1))}d}",
            timezone=ZONES[n % len(ZONES)],
            expertise=["api"],
        )
        for n, user in enumerate(users)
    )
    WeeklyHours.objects.bulk_create(
        WeeklyHours(consultant=c, weekday=day, start=start, end=end)
        for c in consultants
        for day in range(5)
        for start, end in ((time(8), time(12)), (time(13), time(18)))
    )
    return consultants


def booking_row(*, consultant, start: datetime, n: int, status: str = "confirmed"):
    """An unsaved booking for bulk_create, with no buffers (import after Django is set
    up)."""
    from bookings.models import Booking, email_key  # noqa: PLC0415 -- needs Django

    email = f"client{n}@example.com"
    return Booking(
        consultant=consultant,
        name=f"Client {n}",
        email=email,
        # bulk_create skips save(), which keeps the key with the address; the
        # one-upcoming-call-per-mailbox index needs it.
        email_key=email_key(email),
        client_timezone="UTC",
        consent=True,
        start=start,
        end=start + MEETING,
        blocked_start=start,
        blocked_end=start + MEETING,
        status=status,
    )
