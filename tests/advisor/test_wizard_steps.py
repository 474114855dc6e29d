"""The wizard's first steps: starting, then about you and your organisation,
saved, checked and shown again; htmx partials; a stale tab."""

import pytest

from advisor.models import Assessment
from consult.tokens import token_hash
from tests.factories.advisor import AssessmentFactory
from tests.helpers.wizard import HTMX, url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]


def test_start_creates_a_draft_and_redirects_to_its_private_link(client):
    response = client.post("/assess/")

    assessment = Assessment.objects.get()
    token = response["Location"].split("/")[2]
    assert response.status_code == 303
    assert response["Location"] == f"/assess/{token}/about/"
    assert len(token) == 43
    [link] = assessment.links.all()
    assert (link.kind, link.origin) == ("private", "started")
    assert link.token_hash == token_hash(token)
    assert token not in link.token_hash
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
