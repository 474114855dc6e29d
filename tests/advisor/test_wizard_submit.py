"""Checking the answers and submitting: one result however often it is sent, the
result page, and steps of a submitted assessment leading to it."""

import pytest

from advisor.models import Recommendation
from tests.factories.advisor import (
    AssessmentFactory,
    UseCaseFactory,
    three_path_use_cases,
)
from tests.helpers.wizard import HTMX, USE_CASE, url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]


@pytest.mark.parametrize("count", [1, 3])
def test_check_page_query_count_does_not_grow(client, django_assert_num_queries, count):
    assessment = AssessmentFactory()
    UseCaseFactory.create_batch(count, assessment=assessment)

    with django_assert_num_queries(2):
        response = client.get(url("check", assessment))

    assert response.status_code == 200


def test_change_from_the_check_page_returns_there(client):
    assessment = AssessmentFactory()
    use_case = UseCaseFactory(assessment=assessment)

    check = client.get(url("check", assessment)).content.decode()
    about = client.post(
        url("about", assessment) + "?return=check",
        {
            "version": "0",
            "contact_name": "New",
            "contact_email": "n@example.com",
            "company": "C",
        },
    )
    edited = client.post(
        url("use_case_edit", assessment, position=use_case.position) + "?return=check",
        {**USE_CASE, "version": "0"},
    )

    assert f'href="{url("about", assessment)}?return=check#id_contact_name"' in check
    assert about["Location"] == url("check", assessment)
    assert edited["Location"] == url("check", assessment)


def test_submit_twice_creates_one_result(client):
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment)

    first = client.post(url("check", assessment))
    second = client.post(url("check", assessment))

    assert first.status_code == 303
    assert second.status_code == 303
    assert first["Location"] == second["Location"] == url("result", assessment)
    assert Recommendation.objects.count() == 1


def test_submitted_assessment_steps_lead_to_the_result(client):
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment)
    client.post(url("check", assessment))

    response = client.post(
        url("about", assessment), {"version": "1", "contact_name": "Late"}
    )

    assessment.refresh_from_db()
    assert response.status_code == 303
    assert response["Location"] == url("result", assessment)
    assert assessment.contact_name == "Ada Lovelace"


@pytest.mark.parametrize(
    ("method", "name", "extra"),
    [
        ("post", "about", {}),
        ("post", "organisation", {}),
        ("get", "use_cases", {}),
        ("post", "use_cases", {}),
        ("get", "use_case_new", {}),
        ("get", "use_case_edit", {"position": 1}),
        ("post", "use_case_remove", {"position": 1}),
        ("post", "check", {}),
    ],
)
def test_htmx_step_of_a_submitted_assessment_sends_the_browser_to_the_result(
    client, method, name, extra
):
    # Submitted in another tab: the result is a whole page, not a wizard step.
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment)
    client.post(url("check", assessment))

    response = getattr(client, method)(
        url(name, assessment, **extra), {"version": "1"}, **HTMX
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == url("result", assessment)
    assert "Location" not in response
    assert response.content == b""


def test_result_shows_verdict_paths_costs_and_chart(client):
    assessment = AssessmentFactory(data_can_leave=True, ml_engineers=2)
    three_path_use_cases(assessment)
    client.post(url("check", assessment))

    response = client.get(url("result", assessment))

    html = response.content.decode()
    output = Recommendation.objects.get().output
    assert [use_case["path"] for use_case in output["use_cases"]] == [
        "api",
        "fine_tune",
        "classical_ml",
    ]
    assert output["stack"] == "hybrid"
    assert (
        'Your stack: <span class="badge badge--hybrid badge--large">Hybrid</span>'
        in html
    )
    assert html.count('<svg viewBox="0 0 640 340" role="img"') == 2
    assert f'href="/book/?assessment={assessment.token}"' in html
    assert response["Referrer-Policy"] == "same-origin"
