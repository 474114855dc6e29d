import pytest
from django.urls import reverse

from advisor.models import Assessment, Recommendation, UseCase
from tests.factories.advisor import (
    AssessmentFactory,
    UseCaseFactory,
    three_path_use_cases,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]

HTMX = {"HTTP_HX_REQUEST": "true"}
USE_CASE = {
    "name": "Ticket triage",
    "task": "text_classification",
    "monthly_requests": "20000",
    "size": "typical",
    "latency": "interactive",
    "proprietary_data": "none",
    "format_consistency": "flexible",
    "sensitive_data": "no",
    "accuracy_lift_value": "low",
}


def url(name: str, assessment, **kwargs) -> str:
    return reverse(f"advisor:{name}", kwargs={"token": assessment.token, **kwargs})


def test_start_creates_a_draft_and_redirects_to_its_private_link(client):
    response = client.post("/assess/")

    assessment = Assessment.objects.get()
    token = response["Location"].split("/")[2]
    assert response.status_code == 303
    assert response["Location"] == f"/assess/{token}/about/"
    assert len(token) == 43
    assert token not in assessment.token_hash
    assert assessment.status == Assessment.Status.DRAFT


def test_start_get_shows_the_introduction(client):
    response = client.get("/assess/")

    assert response.status_code == 200
    assert b"Start the assessment" in response.content


def test_about_valid_saves_and_moves_on(client):
    assessment = AssessmentFactory(contact_name="", contact_email="", company="")

    response = client.post(
        url("about", assessment),
        {
            "version": "0",
            "contact_name": "Grace Hopper",
            "contact_email": "Grace@Example.COM",
            "company": "Compilers Inc",
            "consent_contact": "on",
        },
    )

    assessment.refresh_from_db()
    assert response.status_code == 303
    assert response["Location"] == url("organisation", assessment)
    assert (assessment.contact_name, assessment.contact_email, assessment.company) == (
        "Grace Hopper",
        "grace@example.com",
        "Compilers Inc",
    )
    assert assessment.version == 1
    assert assessment.consent_contact is True
    assert assessment.consent_at is not None


def test_about_invalid_shows_errors_beside_fields_and_keeps_saved_answers(client):
    assessment = AssessmentFactory()

    response = client.post(
        url("about", assessment),
        {
            "version": "0",
            "contact_name": "",
            "contact_email": "not-an-email",
            "company": "New",
        },
    )

    html = response.content.decode()
    assessment.refresh_from_db()
    assert response.status_code == 422
    assert '<div class="error-summary" role="alert"' in html
    assert '<a href="#id_contact_email">Enter a valid email address.</a>' in html
    assert 'id="id_contact_name_error"' in html
    assert assessment.company == "Analytical Engines Ltd"
    assert assessment.version == 0


def test_about_too_long_email_is_an_error_beside_the_field(client):
    assessment = AssessmentFactory()
    # A valid address of 312 characters: longer than the column's 254.
    email = "a" * 64 + "@" + ("b" * 60 + ".") * 4 + "com"

    response = client.post(
        url("about", assessment),
        {
            "version": "0",
            "contact_name": "Ada Lovelace",
            "contact_email": email,
            "company": "Analytical Engines Ltd",
        },
    )

    html = response.content.decode()
    assessment.refresh_from_db()
    assert response.status_code == 422
    assert (
        '<a href="#id_contact_email">Ensure this value has at most 254 characters'
        in html
    )
    assert 'maxlength="254"' in html
    assert assessment.version == 0


def test_about_htmx_gets_the_partial_and_plain_request_the_page(client):
    assessment = AssessmentFactory()

    partial = client.get(url("about", assessment), **HTMX)
    page = client.get(url("about", assessment))

    # htmx updates the tab title only from a <title> at the top level of a partial.
    title = "<title>About you (step 1 of 4) · Assessment · Consult</title>"
    before, found, after = partial.content.decode().partition(title)
    assert found
    assert not before.strip()
    assert after.lstrip().startswith('<div id="wizard"')
    assert b"<html" not in partial.content
    assert page.content.decode().startswith("<!doctype html>")
    assert page.content.decode().count("<title>") == 1
    assert partial["Vary"] == page["Vary"]
    assert "HX-Request" in page["Vary"]


def test_htmx_history_restore_gets_the_full_page(client):
    assessment = AssessmentFactory()

    response = client.get(
        url("organisation", assessment),
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )

    assert response.content.decode().startswith("<!doctype html>")


def test_htmx_invalid_post_keeps_the_address_bar(client):
    assessment = AssessmentFactory()

    response = client.post(url("organisation", assessment), {"version": "0"}, **HTMX)

    assert response.status_code == 422
    assert response["HX-Push-Url"] == "false"
    assert b'<div id="wizard"' in response.content


def test_organisation_valid_saves_and_moves_on(client):
    assessment = AssessmentFactory(industry="", data_can_leave=None, ml_engineers=None)

    response = client.post(
        url("organisation", assessment),
        {
            "version": "0",
            "industry": "retail",
            "ml_engineers": "0",
            "data_can_leave": "no",
        },
    )

    assessment.refresh_from_db()
    assert response.status_code == 303
    assert response["Location"] == url("use_cases", assessment)
    assert (
        assessment.industry,
        assessment.ml_engineers,
        assessment.data_can_leave,
    ) == (
        "retail",
        0,
        False,
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ml_engineers", "-1", "Ensure this value is greater than or equal to 0."),
        ("ml_engineers", "lots", "Enter a whole number."),
        (
            "ml_engineers",
            "100001",
            "Ensure this value is less than or equal to 100000.",
        ),
        (
            "industry",
            "spaceships",
            "Select a valid choice. spaceships is not one of the available choices.",
        ),
        (
            "data_can_leave",
            "maybe",
            "Select a valid choice. maybe is not one of the available choices.",
        ),
    ],
)
def test_organisation_invalid_names_the_field(client, field, value, message):
    assessment = AssessmentFactory()
    data = {
        "version": "0",
        "industry": "retail",
        "ml_engineers": "1",
        "data_can_leave": "yes",
    }
    data[field] = value

    response = client.post(url("organisation", assessment), data)

    assert response.status_code == 422
    assert f'<a href="#id_{field}">{message}</a>' in response.content.decode()


def test_organisation_before_about_redirects_back(client):
    assessment = AssessmentFactory(contact_name="", contact_email="", company="")

    response = client.get(url("organisation", assessment))

    assert response.status_code == 303
    assert response["Location"] == url("about", assessment)


def test_back_navigation_shows_saved_answers(client):
    assessment = AssessmentFactory(
        industry="energy", ml_engineers=7, data_can_leave=False
    )

    response = client.get(url("organisation", assessment))

    html = response.content.decode()
    assert '<option value="energy" selected>' in html
    assert 'value="7"' in html
    assert (
        '<input type="radio" name="data_can_leave" value="no" '
        'id="id_data_can_leave_1" required checked>'
    ) in html


def test_stale_tab_cannot_overwrite_newer_answers(client):
    assessment = AssessmentFactory()
    first = {
        "version": "0",
        "contact_name": "Tab One",
        "contact_email": "one@example.com",
        "company": "One",
    }
    second = {
        "version": "0",
        "contact_name": "Tab Two",
        "contact_email": "two@example.com",
        "company": "Two",
    }

    client.post(url("about", assessment), first)
    response = client.post(url("about", assessment), second)

    assessment.refresh_from_db()
    assert response.status_code == 409
    assert assessment.contact_name == "Tab One"
    assert b"changed in another tab or window" in response.content
    assert b'value="Tab One"' in response.content


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
def test_check_page_query_count_does_not_grow(client, django_assert_num_queries, count):
    assessment = AssessmentFactory()
    UseCaseFactory.create_batch(count, assessment=assessment)

    with django_assert_num_queries(2):
        response = client.get(url("check", assessment))

    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 3])
def test_use_cases_page_query_count_does_not_grow(
    client, django_assert_num_queries, count
):
    assessment = AssessmentFactory()
    UseCaseFactory.create_batch(count, assessment=assessment)

    with django_assert_num_queries(2):
        client.get(url("use_cases", assessment))


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


@pytest.mark.parametrize(
    "name", ["about", "organisation", "use_cases", "check", "result"]
)
def test_wrong_token_is_404_and_leaks_nothing(client, name):
    AssessmentFactory(company="Secret Corp")

    response = client.get(reverse(f"advisor:{name}", kwargs={"token": "x" * 43}))

    assert response.status_code == 404
    assert b"Secret Corp" not in response.content


def test_resume_by_token_in_a_new_browser(client):
    assessment = AssessmentFactory(contact_name="Resumed Person")

    response = client.get(url("about", assessment))

    assert response.status_code == 200
    assert b'value="Resumed Person"' in response.content


def test_email_link_sends_the_private_link(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    assessment = AssessmentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("email_link", assessment))

    assert response.status_code == 303
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [assessment.contact_email]
    assert f"http://testserver/assess/{assessment.token}/about/" in mailoutbox[0].body


@pytest.mark.parametrize(
    ("step", "back_to"),
    [
        ("use_cases", "use-cases"),
        ("organisation", "organisation"),
        ("result", "about"),
        ("../../admin", "about"),
    ],
)
def test_email_link_brings_the_client_back_to_their_step(client, step, back_to):
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment)
    page = client.get(url("use_cases", assessment)).content.decode()

    response = client.post(url("email_link", assessment), {"step": step})

    assert '<input type="hidden" name="step" value="use_cases">' in page
    assert response["Location"] == f"/assess/{assessment.token}/{back_to}/"


def test_organisation_blank_says_what_to_do_for_each_field(client):
    assessment = AssessmentFactory()

    response = client.post(url("organisation", assessment), {"version": "0"})

    html = response.content.decode()
    assert '<a href="#id_industry">Choose your industry.</a>' in html
    assert (
        '<a href="#id_ml_engineers">Enter how many people can train and run models: 0 is fine.</a>'
        in html
    )
    assert (
        '<a href="#id_data_can_leave">Choose whether your data may be sent to a third-party API.</a>'
        in html
    )


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
