"""Erasure deletes every link: private, shared and manage links, revoked or not."""

from datetime import timedelta

import pytest
from django.utils import timezone

from advisor import links as assessment_links
from advisor.models import AssessmentLink
from advisor.services import assessment_submit
from bookings import links as booking_links
from bookings.models import BookingLink
from privacy.services import booking_erase, privacy_purge
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.factories.bookings import BookingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]


def test_erasing_an_assessment_deletes_all_its_links_and_its_bookings_links(client):
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment)
    assessment_submit(assessment=assessment)
    fresh = assessment_links.assessment_link_create(
        assessment=assessment, kind="private", origin="lost_link"
    )
    share = assessment_links.assessment_link_create(
        assessment=assessment, kind="share", origin="forwarded", note="cfo@x.com"
    )
    AssessmentLink.objects.filter(origin="lost_link").update(revoked_at=timezone.now())
    booking = BookingFactory(assessment=assessment)
    other = booking_links.booking_link_create(booking=booking, origin="lost_link")
    untouched = AssessmentFactory()

    response = client.post(f"/assess/{assessment.token}/delete/")

    assert response.status_code == 200
    assert list(AssessmentLink.objects.values_list("assessment_id", flat=True)) == [
        untouched.pk
    ]
    assert not BookingLink.objects.filter(booking=booking).exists()
    assert not AssessmentLink.objects.filter(note="cfo@x.com").exists()
    for path in (
        f"/assess/{fresh}/about/",
        f"/assess/shared/{share}/",
        f"/book/manage/{booking.token}/",
        f"/book/manage/{other}/",
    ):
        assert client.get(path).status_code == 404, path


def test_erasing_a_booking_deletes_all_its_manage_links(client):
    booking = BookingFactory()
    other = booking_links.booking_link_create(booking=booking, origin="lost_link")
    kept = BookingFactory()

    response = client.post(f"/book/manage/{other}/delete/")

    assert response.status_code == 200
    assert list(BookingLink.objects.values_list("booking_id", flat=True)) == [kept.pk]
    assert client.get(f"/book/manage/{booking.token}/").status_code == 404
    assert client.get(f"/book/manage/{other}/links/").status_code == 404
    assert client.get(f"/book/manage/{kept.token}/").status_code == 200


def test_erasing_by_retention_deletes_the_links_too(settings):
    old = BookingFactory(
        start=timezone.now() - timedelta(days=settings.DATA_RETENTION_DAYS + 2)
    )

    privacy_purge()

    assert not BookingLink.objects.filter(booking=old).exists()


def test_erasing_a_booking_twice_finds_no_link_left():
    booking = BookingFactory()

    booking_erase(booking=booking)
    booking_erase(booking=booking)

    assert not BookingLink.objects.exists()
