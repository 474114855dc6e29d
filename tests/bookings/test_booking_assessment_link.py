"""A booking keeps a link to the assessment it came from, and outlives it."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps

from bookings import services
from bookings.models import Booking
from bookings.services import AssessmentLink, Outcome
from tests.factories.advisor import AssessmentFactory
from tests.factories.bookings import BookingFactory, ConsultantFactory
from tests.helpers.booking_service import NOW

pytestmark = pytest.mark.django_db


def test_booking_create_links_the_assessment_it_came_from():
    assessment = AssessmentFactory()
    ConsultantFactory()

    result = services.booking_create(
        start=NOW + timedelta(days=2),
        name="Grace Hopper",
        email="grace@example.com",
        consent=True,
        assessment=AssessmentLink(reference=str(assessment.pk), stack="api"),
        now=NOW,
    )

    assert result.outcome == Outcome.CREATED
    assert result.booking.assessment == assessment
    assert result.booking.assessment_ref == str(assessment.pk)


@pytest.mark.parametrize("reference", ["999999", "not-a-number", ""])
def test_booking_create_with_an_unknown_assessment_books_without_a_link(reference):
    ConsultantFactory()

    result = services.booking_create(
        start=NOW + timedelta(days=2),
        name="Grace Hopper",
        email="grace@example.com",
        consent=True,
        assessment=AssessmentLink(reference=reference),
        now=NOW,
    )

    assert result.outcome == Outcome.CREATED
    assert result.booking.assessment is None
    assert result.booking.assessment_ref == reference


def test_migration_links_existing_bookings_by_their_reference():
    assessment = AssessmentFactory()
    linked = BookingFactory(assessment_ref=str(assessment.pk))
    gone = BookingFactory(assessment_ref="424242")
    odd = BookingFactory(assessment_ref="abc")
    migration = importlib.import_module("bookings.migrations.0003_booking_assessment")

    migration.link_assessments(apps, None)

    assert list(Booking.objects.order_by("pk").values_list("pk", "assessment_id")) == [
        (linked.pk, assessment.pk),
        (gone.pk, None),
        (odd.pk, None),
    ]


def test_deleting_an_assessment_keeps_its_bookings():
    assessment = AssessmentFactory()
    reference = str(assessment.pk)
    booking = BookingFactory(assessment=assessment, assessment_ref=reference)

    assessment.delete()

    booking.refresh_from_db()
    assert booking.assessment is None
    assert booking.assessment_ref == reference
