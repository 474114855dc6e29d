"""The use-case step's speed question (batch work merged into it) and "will people
talk to it directly?": saved, shown again, cleared where a task does not need
them, listed on the check page, and carried into the engine's contract."""

import re

import pytest

from advisor.engine import validate
from advisor.models import Recommendation, UseCase
from advisor.selectors import assessment_contract
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.helpers.wizard import USE_CASE, url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]


def post_new(client, assessment, **answers):
    return client.post(url("use_case_new", assessment), {**USE_CASE, **answers})


def checked_latency(html: str) -> list[str]:
    return re.findall(
        r'name="latency" value="(\w+)" id="id_latency_\d+" required checked', html
    )


# --- speed and batch: what each choice stores ----------------------------------------


@pytest.mark.parametrize(
    ("task", "latency", "stored"),
    [
        ("summarization", "instant", (200, False)),
        ("summarization", "fast", (500, False)),
        ("summarization", "interactive", (2_000, False)),
        ("summarization", "seconds", (5_000, False)),
        ("summarization", "no_limit", (None, False)),
        ("summarization", "batch", (None, True)),
        ("document_extraction", "batch", (None, True)),
        ("fraud_detection", "realtime", (100, False)),
        ("fraud_detection", "fast", (500, False)),
        ("fraud_detection", "patient", (10_000, False)),
        ("fraud_detection", "no_limit", (None, False)),
        # Posted without the script that hides it: batch prices are the language
        # models', so for a prediction "overnight" means no hard limit.
        ("fraud_detection", "batch", (None, False)),
    ],
)
def test_each_speed_choice_stores_a_budget_and_whether_batch_is_fine(
    client, task, latency, stored
):
    assessment = AssessmentFactory()

    response = post_new(
        client, assessment, task=task, latency=latency, user_facing="no"
    )

    use_case = UseCase.objects.get()
    assert response.status_code == 303
    assert (use_case.latency_budget_ms, use_case.batch_ok) == stored


@pytest.mark.parametrize(
    ("task", "stored", "shown"),
    [
        ("summarization", (200, False), "instant"),
        ("summarization", (500, False), "fast"),
        ("summarization", (2_000, False), "interactive"),
        ("summarization", (5_000, False), "seconds"),
        ("summarization", (None, False), "no_limit"),
        ("summarization", (None, True), "batch"),
        ("fraud_detection", (100, False), "realtime"),
        ("fraud_detection", (10_000, False), "patient"),
        ("fraud_detection", (None, False), "no_limit"),
    ],
)
def test_a_saved_speed_is_shown_checked_again(client, task, stored, shown):
    ms, batch_ok = stored
    use_case = UseCaseFactory(task=task, latency_budget_ms=ms, batch_ok=batch_ok)

    html = client.get(
        url("use_case_edit", use_case.assessment, position=use_case.position)
    ).content.decode()

    assert checked_latency(html) == [shown]
    assert 'value="kept"' not in html


@pytest.mark.parametrize(
    ("task", "ms", "words"),
    [
        # Set outside the wizard, or before its choices changed.
        ("question_answering", 1_500, "As you answered before: within 1.5 seconds"),
        ("summarization", 100, "As you answered before: within 100 ms"),
        ("translation", 10_000, "As you answered before: within 10 seconds"),
        ("forecasting", 5_000, "As you answered before: within 5 seconds"),
    ],
)
def test_a_saved_speed_that_is_no_choice_is_offered_back_and_kept(
    client, task, ms, words
):
    use_case = UseCaseFactory(task=task, latency_budget_ms=ms, user_facing=False)
    edit = url("use_case_edit", use_case.assessment, position=use_case.position)

    html = client.get(edit).content.decode()
    response = client.post(
        edit,
        {
            **USE_CASE,
            "version": "0",
            "task": task,
            "latency": "kept",
            "user_facing": "no",
        },
    )

    use_case.refresh_from_db()
    assert checked_latency(html) == ["kept"]
    assert f"<span>{words}</span>" in html
    assert response.status_code == 303
    assert (use_case.latency_budget_ms, use_case.batch_ok) == (ms, False)


def test_a_kept_speed_can_be_changed_for_a_choice(client):
    use_case = UseCaseFactory(task="summarization", latency_budget_ms=1_500)

    client.post(
        url("use_case_edit", use_case.assessment, position=use_case.position),
        {
            **USE_CASE,
            "version": "0",
            "task": "summarization",
            "latency": "batch",
            "user_facing": "no",
        },
    )

    use_case.refresh_from_db()
    assert (use_case.latency_budget_ms, use_case.batch_ok) == (None, True)


def test_kept_posted_for_a_new_use_case_is_an_error_beside_the_field(client):
    assessment = AssessmentFactory()

    response = post_new(client, assessment, latency="kept")

    assert response.status_code == 422
    assert (
        '<a href="#id_latency">Select a valid choice. kept is not one of the '
        "available choices.</a>"
    ) in response.content.decode()
    assert UseCase.objects.count() == 0


def test_the_speed_choices_say_which_tasks_they_are_for(client):
    assessment = AssessmentFactory()

    html = client.get(url("use_case_new", assessment)).content.decode()

    shown_for = {
        value: tasks
        for tasks, value in re.findall(
            r'<label class="choice" for="id_latency_\d+"(?: data-show-for-tasks="([^"]*)")?>'
            r'<input type="radio" name="latency" value="(\w+)"',
            html,
        )
    }
    language = shown_for["instant"].split()
    predictive = shown_for["realtime"].split()
    assert "document_extraction" in language
    assert "fraud_detection" in predictive
    assert not set(language) & set(predictive)
    assert shown_for == {
        "realtime": " ".join(predictive),
        "instant": " ".join(language),
        "fast": "",
        "interactive": "",
        "seconds": " ".join(language),
        "patient": " ".join(predictive),
        "no_limit": "",
        "batch": " ".join(language),
    }
    assert "hosted AI services take half a second to start answering" in html
    assert re.search(r"<form [^>]*data-task-questions>", html)


# --- will people talk to it directly? ------------------------------------------------


def test_user_facing_is_saved_and_shown_again_for_a_chat_task(client):
    assessment = AssessmentFactory()

    post_new(client, assessment, task="question_answering", user_facing="yes")
    use_case = UseCase.objects.get()
    html = client.get(
        url("use_case_edit", assessment, position=use_case.position)
    ).content.decode()

    assert use_case.user_facing is True
    assert (
        '<input type="radio" name="user_facing" value="yes" id="id_user_facing_0" checked>'
        in html
    )
    shows_for = re.search(
        r'<div data-show-for-tasks="([^"]*)">\s*<fieldset class="form-group" id="id_user_facing"',
        html,
    )
    assert shows_for is not None
    assert shows_for.group(1).split() == [
        "summarization",
        "question_answering",
        "content_generation",
        "translation",
    ]


@pytest.mark.parametrize(
    "task", ["fraud_detection", "text_classification", "document_extraction"]
)
def test_user_facing_is_not_kept_for_tasks_it_does_not_concern(client, task):
    assessment = AssessmentFactory()

    response = post_new(client, assessment, task=task, user_facing="yes")

    assert response.status_code == 303
    assert UseCase.objects.get().user_facing is False


def test_changing_to_a_predictive_task_clears_user_facing(client):
    use_case = UseCaseFactory(task="content_generation", user_facing=True)

    client.post(
        url("use_case_edit", use_case.assessment, position=use_case.position),
        {**USE_CASE, "version": "0", "task": "anomaly_detection", "user_facing": "yes"},
    )

    use_case.refresh_from_db()
    assert (use_case.task, use_case.user_facing) == ("anomaly_detection", False)


def test_user_facing_must_be_answered_for_a_chat_task(client):
    assessment = AssessmentFactory()
    answers = {**USE_CASE, "task": "translation"}
    answers.pop("user_facing", None)

    response = client.post(url("use_case_new", assessment), answers)

    assert response.status_code == 422
    assert (
        '<a href="#id_user_facing">Choose whether people talk to it directly.</a>'
        in response.content.decode()
    )
    assert UseCase.objects.count() == 0


def test_a_new_use_case_starts_with_no_to_user_facing(client):
    assessment = AssessmentFactory()

    html = client.get(url("use_case_new", assessment)).content.decode()

    assert (
        '<input type="radio" name="user_facing" value="no" id="id_user_facing_1" checked>'
        in html
    )


# --- the check page, the contract and the result ----------------------------------


def test_the_check_page_lists_speed_and_user_facing_in_words(client):
    assessment = AssessmentFactory()
    UseCaseFactory(
        assessment=assessment,
        name="Help bot",
        task="question_answering",
        user_facing=True,
        latency_budget_ms=2_000,
    )
    UseCaseFactory(
        assessment=assessment,
        name="Nightly invoices",
        task="document_extraction",
        latency_budget_ms=None,
        batch_ok=True,
    )
    UseCaseFactory(
        assessment=assessment,
        name="Card fraud",
        task="fraud_detection",
        latency_budget_ms=None,
    )

    html = client.get(url("check", assessment)).content.decode()
    help_bot, invoices, fraud = html.split('<h2 class="summary-heading">Use case')[1:]

    assert "<dt>People talk to it directly</dt><dd>Yes</dd>" in help_bot
    assert "#id_user_facing" in help_bot
    assert (
        "<dt>How fast each answer must arrive</dt><dd>Within 2 seconds</dd>" in help_bot
    )
    assert "People talk to it directly" not in invoices
    assert (
        "<dt>How fast each answer must arrive</dt>"
        "<dd>It can wait hours (an overnight job)</dd>"
    ) in invoices
    assert "<dd>Read scanned documents (invoices, forms, IDs)</dd>" in invoices
    assert "People talk to it directly" not in fraud
    assert "<dt>How fast each answer must arrive</dt><dd>No hard limit</dd>" in fraud


def test_the_contract_carries_user_facing_and_batch_on_every_use_case():
    assessment = AssessmentFactory(regulations=["eu_ai_act"])
    UseCaseFactory(assessment=assessment, task="question_answering", user_facing=True)
    UseCaseFactory(
        assessment=assessment,
        task="document_extraction",
        latency_budget_ms=None,
        batch_ok=True,
    )
    UseCaseFactory(assessment=assessment, task="fraud_detection", latency_budget_ms=100)

    contract = assessment_contract(assessment)

    chat, nightly, fraud = contract["use_cases"]
    assert contract["organization"]["regulations"] == ["eu_ai_act"]
    assert (chat["user_facing"], chat["batch_ok"], chat["latency_budget_ms"]) == (
        True,
        False,
        2_000,
    )
    assert (nightly["user_facing"], nightly["batch_ok"]) == (False, True)
    # A batch job has no latency budget.
    assert "latency_budget_ms" not in nightly
    assert (fraud["user_facing"], fraud["batch_ok"], fraud["latency_budget_ms"]) == (
        False,
        False,
        100,
    )
    # The engine reads every new answer as it was given.
    checked = validate(contract)
    assert checked.organization.regulations == ("eu_ai_act",)
    assert [(u.task, u.user_facing, u.batch_ok) for u in checked.use_cases] == [
        ("question_answering", True, False),
        ("document_extraction", False, True),
        ("fraud_detection", False, False),
    ]


def test_a_batch_use_case_keeps_no_budget_even_if_one_was_stored():
    use_case = UseCaseFactory(latency_budget_ms=2_000, batch_ok=True)

    assert "latency_budget_ms" not in use_case.contract()


def test_submitting_gives_the_engine_every_new_answer(client):
    assessment = AssessmentFactory(regulations=["gdpr", "eu_ai_act"])
    client.post(
        url("use_case_new", assessment),
        {
            **USE_CASE,
            "name": "Help bot",
            "task": "question_answering",
            "user_facing": "yes",
        },
    )
    client.post(
        url("use_case_new", assessment),
        {
            **USE_CASE,
            "name": "Nightly scans",
            "task": "document_extraction",
            "latency": "batch",
        },
    )

    response = client.post(url("check", assessment))

    recommendation = Recommendation.objects.get()
    assert response.status_code == 303
    assert recommendation.input["organization"]["regulations"] == ["gdpr", "eu_ai_act"]
    assert [
        (u["task"], u["user_facing"], u["batch_ok"], u.get("latency_budget_ms"))
        for u in recommendation.input["use_cases"]
    ] == [
        ("question_answering", True, False, 2_000),
        ("document_extraction", False, True, None),
    ]
