"""The organisation step's rules question: ticked, saved, shown again from the
private link, listed on the check page, and refused when a code is made up."""

import pytest
from django.core.exceptions import ValidationError

from advisor.models import Assessment
from advisor.selectors import assessment_contract
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.helpers.wizard import HTMX, url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]

ORGANISATION = {
    "version": "0",
    "industry": "healthcare",
    "ml_engineers": "1",
    "data_can_leave": "no",
}


def test_rules_ticked_are_saved_in_the_pages_order_and_shown_again(client):
    assessment = AssessmentFactory()

    response = client.post(
        url("organisation", assessment),
        {**ORGANISATION, "regulations": ["eu_ai_act", "hipaa", "gdpr"]},
    )
    # Resumed later from the private link: the page shows the boxes ticked.
    page = client.get(url("organisation", assessment)).content.decode()

    assessment.refresh_from_db()
    assert response.status_code == 303
    assert assessment.regulations == ["gdpr", "hipaa", "eu_ai_act"]
    ticked = {"gdpr": 0, "hipaa": 1, "eu_ai_act": 3}
    for value, index in ticked.items():
        assert (
            f'<input type="checkbox" name="regulations" value="{value}" '
            f'id="id_regulations_{index}" checked>'
        ) in page
    for value, index in {"pci_dss": 2, "ccpa": 4}.items():
        assert (
            f'<input type="checkbox" name="regulations" value="{value}" '
            f'id="id_regulations_{index}">'
        ) in page


def test_no_rule_ticked_saves_an_empty_list(client):
    assessment = AssessmentFactory(regulations=["gdpr"])

    response = client.post(url("organisation", assessment), ORGANISATION)

    assessment.refresh_from_db()
    assert response.status_code == 303
    assert assessment.regulations == []


def test_a_rule_ticked_twice_by_hand_is_kept_once(client):
    assessment = AssessmentFactory()

    client.post(
        url("organisation", assessment),
        {**ORGANISATION, "regulations": ["pci_dss", "pci_dss"]},
    )

    assessment.refresh_from_db()
    assert assessment.regulations == ["pci_dss"]


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_an_unknown_rule_is_an_error_beside_the_field_and_nothing_is_lost(
    client, headers
):
    assessment = AssessmentFactory(
        industry="retail", ml_engineers=3, data_can_leave=True, regulations=["ccpa"]
    )

    response = client.post(
        url("organisation", assessment),
        {**ORGANISATION, "regulations": ["gdpr", "sox"]},
        **headers,
    )

    html = response.content.decode()
    assessment.refresh_from_db()
    message = "Select a valid choice. sox is not one of the available choices."
    assert response.status_code == 422
    assert f'<a href="#id_regulations">{message}</a>' in html
    assert (
        '<span class="field-error" id="id_regulations_error">'
        f'<span class="visually-hidden">Error:</span> {message}</span>'
    ) in html
    assert 'aria-describedby="id_regulations_helptext id_regulations_error"' in html
    # Nothing saved: the earlier answers are all still there.
    assert (
        assessment.industry,
        assessment.ml_engineers,
        assessment.data_can_leave,
        assessment.regulations,
        assessment.version,
    ) == ("retail", 3, True, ["ccpa"], 0)


def test_the_check_page_lists_the_rules_with_a_change_link(client):
    with_rules = AssessmentFactory(regulations=["gdpr", "pci_dss"])
    without = AssessmentFactory(regulations=[])
    for assessment in (with_rules, without):
        UseCaseFactory(assessment=assessment)

    listed = client.get(url("check", with_rules)).content.decode()
    none = client.get(url("check", without)).content.decode()

    assert (
        "<dt>Rules that apply</dt>"
        "<dd>GDPR (EU/UK personal data), PCI DSS (payment card data)</dd>"
    ) in listed
    assert f'href="{url("organisation", with_rules)}?return=check#id_regulations"' in (
        listed
    )
    assert "<dt>Rules that apply</dt><dd>None</dd>" in none


def test_the_contract_always_carries_the_rules_as_a_list(client):
    ticked = AssessmentFactory(regulations=["hipaa", "ccpa"])
    unticked = AssessmentFactory(regulations=[])

    assert assessment_contract(ticked)["organization"]["regulations"] == [
        "hipaa",
        "ccpa",
    ]
    assert assessment_contract(unticked)["organization"]["regulations"] == []


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (["gdpr", "sox"], "invalid_choice"),
        (["gdpr", "gdpr"], "duplicate"),
        ("gdpr", "invalid"),
    ],
)
def test_the_model_refuses_unknown_or_repeated_rules(value, code):
    assessment = Assessment(regulations=value)

    with pytest.raises(ValidationError) as raised:
        assessment.full_clean()

    assert [error.code for error in raised.value.error_dict["regulations"]] == [code]


def test_the_model_accepts_every_known_rule_once():
    assessment = Assessment(
        regulations=["gdpr", "hipaa", "pci_dss", "eu_ai_act", "ccpa"],
    )

    assessment.full_clean()


def test_a_new_assessment_has_no_rules():
    assert Assessment().regulations == []
