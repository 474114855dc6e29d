"""The wizard's use cases: added, edited and removed, their size presets, the
limit of ten, and at least one to go on."""

import re

import pytest

from advisor.engine import validate
from advisor.models import UseCase
from advisor.selectors import assessment_contract
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.helpers.wizard import USE_CASE, url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]


def test_use_case_add_edit_remove(client):
    assessment = AssessmentFactory()

    added = client.post(url("use_case_new", assessment), USE_CASE)
    use_case = UseCase.objects.get()
    edited = client.post(
        url("use_case_edit", assessment, position=use_case.position),
        {
            **USE_CASE,
            "version": "0",
            "name": "Renamed",
            "size": "custom",
            "input_tokens": "900",
            "output_tokens": "5",
        },
    )
    use_case.refresh_from_db()
    confirm = client.get(url("use_case_remove", assessment, position=use_case.position))
    removed = client.post(
        url("use_case_remove", assessment, position=use_case.position)
    )

    assert added.status_code == 303
    assert edited.status_code == 303
    assert (use_case.name, use_case.input_tokens, use_case.output_tokens) == (
        "Renamed",
        900,
        5,
    )
    assert confirm.status_code == 200
    assert b"Yes, remove it" in confirm.content
    assert removed.status_code == 303
    assert UseCase.objects.count() == 0


def test_use_case_custom_size_needs_token_counts(client):
    assessment = AssessmentFactory()

    response = client.post(
        url("use_case_new", assessment), {**USE_CASE, "size": "custom"}
    )

    assert response.status_code == 422
    assert b"Enter a whole number of tokens, or pick a size above." in response.content
    assert UseCase.objects.count() == 0


def test_use_case_presets_map_to_tokens_and_latency(client):
    assessment = AssessmentFactory()

    client.post(
        url("use_case_new", assessment),
        {**USE_CASE, "size": "long", "latency": "batch"},
    )

    use_case = UseCase.objects.get()
    assert (
        use_case.input_tokens,
        use_case.output_tokens,
        use_case.latency_budget_ms,
    ) == (8000, 800, None)


def test_use_case_limit_is_ten(client):
    assessment = AssessmentFactory()
    UseCaseFactory.create_batch(10, assessment=assessment)

    response = client.post(url("use_case_new", assessment), USE_CASE)

    assert response.status_code == 303
    assert UseCase.objects.count() == 10


def test_use_cases_continue_needs_one(client):
    assessment = AssessmentFactory()

    response = client.post(url("use_cases", assessment))

    assert response.status_code == 422
    assert b"Add at least one use case to continue." in response.content


@pytest.mark.parametrize("count", [1, 3])
def test_use_cases_page_query_count_does_not_grow(
    client, django_assert_num_queries, count
):
    assessment = AssessmentFactory()
    UseCaseFactory.create_batch(count, assessment=assessment)
    # The first visit notes when the link was used (one write every few minutes).
    client.get(url("use_cases", assessment))

    with django_assert_num_queries(2):
        client.get(url("use_cases", assessment))


def test_reading_scanned_documents_is_a_language_task_after_text_extraction(client):
    assessment = AssessmentFactory()

    html = client.get(url("use_case_new", assessment)).content.decode()

    language = html.split('<optgroup label="Working with language">')[1]
    language = language.split("</optgroup>")[0]
    tasks = re.findall(r'<option value="(\w+)"', language)
    assert tasks[tasks.index("extraction") + 1] == "document_extraction"
    assert (
        '<option value="document_extraction">'
        "Read scanned documents (invoices, forms, IDs)</option>"
    ) in language
    assert "From scans or photos of paper" in html


def test_scanned_documents_of_typical_size_take_the_engines_default(client):
    assessment = AssessmentFactory()

    response = client.post(
        url("use_case_new", assessment),
        {**USE_CASE, "task": "document_extraction", "size": "typical"},
    )

    use_case = UseCase.objects.get()
    contract = assessment_contract(assessment)
    assert response.status_code == 303
    assert (use_case.task, use_case.input_tokens, use_case.output_tokens) == (
        "document_extraction",
        None,
        None,
    )
    assert "input_tokens" not in contract["use_cases"][0]
    read = validate(contract).use_cases[0]
    assert (read.input_tokens, read.output_tokens) == (1_500, 300)
