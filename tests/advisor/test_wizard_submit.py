"""Checking the answers and submitting: one result however often it is sent, the
result page, and steps of a submitted assessment leading to it."""

import pytest

from advisor.engine import ENGINE_VERSION
from advisor.models import Recommendation
from tests.factories.advisor import (
    AssessmentFactory,
    UseCaseFactory,
    three_path_use_cases,
)
from tests.helpers.answers import answer_2026_2, as_2026_1, store_answer
from tests.helpers.wizard import HTMX, USE_CASE, url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]


@pytest.mark.parametrize("count", [1, 3])
def test_check_page_query_count_does_not_grow(client, django_assert_num_queries, count):
    assessment = AssessmentFactory()
    UseCaseFactory.create_batch(count, assessment=assessment)
    # The first visit notes when the link was used (one write every few minutes).
    client.get(url("check", assessment))

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


def test_result_shows_verdict_totals_options_and_charts(client):
    assessment = AssessmentFactory(data_can_leave=True, ml_engineers=2)
    three_path_use_cases(assessment)
    client.post(url("check", assessment))

    response = client.get(url("result", assessment))

    html = response.content.decode()
    output = Recommendation.objects.get().output
    assert output["engine_version"] == ENGINE_VERSION
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
    assert "What it costs, all 3 use cases together" in html
    assert html.count('<dl class="totals"') == 1
    assert html.count('class="recommended-option"') == 3
    assert html.count("options-table__row--chosen") == 3
    assert html.count('<svg viewBox="0 0 640 ') == 3  # one chart per priced use case
    assert html.count('class="chart__band"') == 2  # fraud scoring has no break-even
    assert f"Engine version {ENGINE_VERSION}." in html
    assert "Made by engine version" not in html
    assert f'href="/book/?assessment={assessment.token}"' in html
    assert response["Referrer-Policy"] == "same-origin"


def submitted_with(client, output):
    assessment = AssessmentFactory()
    three_path_use_cases(assessment)
    client.post(url("check", assessment))
    store_answer(assessment, output)
    return assessment


def test_result_of_a_2026_2_answer_reads_in_words(client):
    assessment = submitted_with(client, answer_2026_2())

    response = client.get(url("result", assessment))

    html = " ".join(response.content.decode().split())
    assert (
        "<div><dt>A month, to run</dt><dd>$820</dd></div> "
        "<div><dt>Once, to set up</dt><dd>$36,000</dd></div> "
        "<div><dt>Over three years, people included</dt><dd>$220,000</dd></div>"
    ) in html
    assert (
        "Recommended: <strong>A small model through an API</strong> "
        '<span class="recommended-option__model">(GPT-5.4 nano)</span>, about $570 '
        "a month to run and $54,000 over three years with the people it needs."
    ) in html
    # Warnings before the reasons, with their headings.
    assert html.index("No option meets the answer time you asked for") < html.index(
        "Nothing in your answers calls for more than a model API yet."
    )
    assert html.count('class="warning"') == 2
    # Every option, whole dollars; ruled out ones with their reason.
    assert html.count('<tr class="options-table__row') == 11
    assert html.count("options-table__row--out") == 3
    assert (
        '<span class="options-table__why"><strong>Not good enough for this task.'
        "</strong> An untuned 8B model is not strong enough for this task.</span>"
    ) in html
    assert '<td data-label="Three years" role="cell">$54,320</td>' in html
    assert (
        "Running a model yourself becomes cheaper than the API between about 1.5M "
        "and 23M requests a month. You expect about 20k."
    ) in html
    assert "From about 9.5M requests a month, owning the model is clearly" in html
    assert html.count("not legal advice") == 3
    assert "<strong>PCI DSS: card data in scope.</strong>" in html
    # The chart's words, for those who cannot see it.
    assert (
        "Cost over three years, cheapest first: Hosted open model about $49,000 "
        "(ruled out); Small model API about $54,000 (recommended);"
    ) in html
    # Prose never carries figures to the cent or the unit.
    for exact in ("4,363,778", "24,032.28", "$833.33", "$570.00"):
        assert exact not in html


def test_result_of_a_2026_1_answer_names_its_engine_and_draws_no_chart(client):
    assessment = submitted_with(client, as_2026_1(answer_2026_2()))

    response = client.get(url("result", assessment))

    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert (
        "Made by engine version 2026.1, which did not yet compare options side by side"
    ) in html
    assert "Engine version 2026.1." in html
    assert "chart__svg" not in html
    assert 'class="totals"' not in html
    assert "Recommended:" not in html
    assert '<th scope="row">API, a month</th><td>$570</td>' in html
    assert "about 4.4M requests a month" in html
    assert "Token prices don't apply" in html
