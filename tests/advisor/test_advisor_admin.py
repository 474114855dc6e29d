"""The advisor admin: who may open it, the assessments' list and page, and the
price books."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from advisor.models import PriceBook
from advisor.services import assessment_submit
from tests.factories.advisor import AssessmentFactory, UseCaseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]


def submitted(**kwargs):
    assessment = AssessmentFactory(**kwargs)
    UseCaseFactory(assessment=assessment, name="Support summaries")
    UseCaseFactory(assessment=assessment, name="Card fraud", task="fraud_detection")
    assessment_submit(assessment=assessment)
    return assessment


@pytest.mark.parametrize("count", [1, 3])
def test_assessment_changelist_query_count_does_not_grow(
    admin_client, django_assert_num_queries, count
):
    for index in range(count):
        submitted(company=f"Company {index}")

    with django_assert_num_queries(8):
        response = admin_client.get(reverse("admin:advisor_assessment_changelist"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Hybrid") >= count
    assert "Company 0" in html


def test_assessment_detail_reads_like_a_prep_sheet(admin_client):
    assessment = submitted(company="Prep Co")

    response = admin_client.get(
        reverse("admin:advisor_assessment_change", args=[assessment.pk])
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert '<span class="path-tag path-hybrid">Hybrid</span>' in html
    assert "Support summaries" in html
    assert "Engine 2026.2, price book <a href=" in html
    assert "default-2026-12 (as of" in html
    assert 'name="review_status"' in html
    assert 'id="notes"' in html
    assert 'name="company"' not in html


def test_assessment_cannot_be_added_by_staff(admin_client):
    response = admin_client.get(reverse("admin:advisor_assessment_add"))

    assert response.status_code == 403


def test_price_book_activate_switches_the_active_one(admin_client, active_price_book):
    newer = PriceBook.objects.create(
        name="prices-2027-01", as_of="2027-01-05", data=active_price_book.data
    )

    response = admin_client.post(
        reverse("admin:advisor_pricebook_changelist"),
        {"action": "activate", "_selected_action": [newer.pk]},
    )

    assert response.status_code == 302
    assert list(
        PriceBook.objects.filter(is_active=True).values_list("name", flat=True)
    ) == ["prices-2027-01"]


def test_price_book_used_by_a_result_is_read_only(admin_client, active_price_book):
    submitted()

    response = admin_client.get(
        reverse("admin:advisor_pricebook_change", args=[active_price_book.pk])
    )

    assert response.status_code == 200
    assert 'name="data"' not in response.content.decode()


def test_price_book_activation_is_logged(admin_client, active_price_book):
    newer = PriceBook.objects.create(
        name="prices-2027-01", as_of="2027-01-05", data=active_price_book.data
    )

    admin_client.post(
        "/admin/advisor/pricebook/",
        {"action": "activate", "_selected_action": [newer.pk], "index": "0"},
    )

    entry = LogEntry.objects.get()
    assert (entry.object_id, entry.get_change_message()) == (
        str(newer.pk),
        "Made the active price book.",
    )


def test_admin_is_for_staff_only(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor"))

    response = client.get(reverse("admin:advisor_assessment_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_prep_sheet_says_when_the_data_will_be_erased(admin_client, settings):
    settings.DATA_RETENTION_DAYS = 730
    assessment = submitted(company="Kept Co")
    erase_on = assessment.submitted_at + timedelta(days=730)

    response = admin_client.get(
        reverse("admin:advisor_assessment_change", args=[assessment.pk])
    )

    assert (
        f"data erased on {erase_on:%a %d %b %Y} unless the client deletes it sooner"
        in (response.content.decode())
    )
