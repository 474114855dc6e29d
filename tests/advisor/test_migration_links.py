"""Migrations 0006-0008 of both apps: each assessment's and booking's one token hash
becomes its first link, so every link already sent keeps working; and back."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consult.tokens import token_hash

BEFORE = [
    ("advisor", "0005_regulations_user_facing_batch_ok"),
    ("bookings", "0005_booking_manage_link_in_calendar"),
]
AFTER = [
    ("advisor", "0008_links_remove_assessment_token_hash"),
    ("bookings", "0008_links_remove_booking_manage_token_hash"),
]


def old_rows(apps) -> tuple[object, object]:
    assessment = apps.get_model("advisor", "Assessment").objects.create(
        token_hash=token_hash("old-assessment-link"), company="Old Co"
    )
    user = apps.get_model("auth", "User").objects.create(username="amelia")
    consultant = apps.get_model("bookings", "Consultant").objects.create(
        user=user, display_name="Amelia", timezone="UTC"
    )
    start = timezone.now() + timedelta(days=2)
    booking = apps.get_model("bookings", "Booking").objects.create(
        consultant=consultant,
        name="Grace",
        email="grace@example.com",
        start=start,
        end=start + timedelta(minutes=30),
        blocked_start=start,
        blocked_end=start + timedelta(minutes=30),
        manage_token_hash=token_hash("old-booking-link"),
    )
    return assessment, booking


@pytest.mark.django_db(transaction=True)
def test_each_old_hash_becomes_the_first_active_link(migrate):
    assessment, booking = old_rows(migrate(BEFORE))

    new = migrate(AFTER)

    assert list(
        new.get_model("advisor", "AssessmentLink").objects.values_list(
            "assessment_id", "kind", "origin", "token_hash", "revoked_at"
        )
    ) == [
        (assessment.pk, "private", "migrated", token_hash("old-assessment-link"), None)
    ]
    assert list(
        new.get_model("bookings", "BookingLink").objects.values_list(
            "booking_id", "origin", "token_hash", "revoked_at"
        )
    ) == [(booking.pk, "migrated", token_hash("old-booking-link"), None)]


@pytest.mark.django_db(transaction=True)
def test_going_back_restores_the_newest_active_link_as_the_hash(migrate):
    assessment, booking = old_rows(migrate(BEFORE))
    new = migrate(AFTER)
    new.get_model("bookings", "BookingLink").objects.create(
        booking_id=booking.pk,
        origin="lost_link",
        token_hash=token_hash("newer-booking-link"),
        created_at=timezone.now() + timedelta(seconds=1),
    )

    old = migrate(BEFORE)

    assert old.get_model("advisor", "Assessment").objects.get(
        pk=assessment.pk
    ).token_hash == token_hash("old-assessment-link")
    assert old.get_model("bookings", "Booking").objects.get(
        pk=booking.pk
    ).manage_token_hash == token_hash("newer-booking-link")
