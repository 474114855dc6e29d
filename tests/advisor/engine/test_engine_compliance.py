"""Compliance pointers: which rules the recommended option brings into play.

Each note names the official text it points to, so a lawyer can check it; the notes
depend on the regulations the client named, on whether people talk to the model,
on the task, and on who handles the data under the recommended option.
"""

import pytest

from advisor.engine.compliance import COMPLIANCE_CODES, PROVIDER_OPTIONS
from advisor.engine.contract import REGULATIONS
from tests.advisor.engine.cases import codes, decide_one

SOURCES = {
    "gdpr_dpa": "Regulation (EU) 2016/679",
    "eu_residency": "Regulation (EU) 2016/679",
    "hipaa_baa": "45 CFR",
    "pci_dss_scope": "PCI DSS",
    "eu_ai_act_transparency": "Regulation (EU) 2024/1689",
    "eu_ai_act_high_risk": "Regulation (EU) 2024/1689",
}


def notes_for(regulations, organization=None, **fields):
    return decide_one({"regulations": regulations} | (organization or {}), **fields)[
        "compliance"
    ]


def test_the_codes_are_the_contracts_six():
    assert tuple(SOURCES) == COMPLIANCE_CODES


@pytest.mark.parametrize(
    ("organization", "fields"),
    [
        ({}, {}),
        ({"industry": "financial_services"}, {"task": "tabular_prediction"}),
        ({}, {"name": "CV screening", "task": "text_classification"}),
        ({}, {"sensitive_data": True, "task": "content_generation"}),
    ],
)
def test_no_regulations_no_compliance_notes(organization, fields):
    assert decide_one(organization, **fields)["compliance"] == []


def test_a_user_facing_system_without_regulations_gets_no_notes():
    assert decide_one(user_facing=True)["compliance"] == []


@pytest.mark.parametrize(
    ("regulations", "expected"),
    [
        (["gdpr"], ["gdpr_dpa", "eu_residency"]),
        (["hipaa"], ["hipaa_baa"]),
        (["pci_dss"], ["pci_dss_scope"]),
        # The AI Act's duties hang on what the system does: a summariser nobody talks
        # to directly, in no listed high-risk use, has none.
        (["eu_ai_act"], []),
        # The CCPA has no pointer of its own among the contract's codes.
        (["ccpa"], []),
        (
            ["gdpr", "hipaa", "pci_dss"],
            ["gdpr_dpa", "eu_residency", "hipaa_baa", "pci_dss_scope"],
        ),
    ],
)
def test_each_regulation_brings_its_notes(regulations, expected):
    assert codes(notes_for(regulations)) == expected


def test_the_ai_act_asks_a_user_facing_system_to_say_it_is_ai():
    notes = notes_for(["eu_ai_act"], user_facing=True)

    assert codes(notes) == ["eu_ai_act_transparency"]
    assert "Art. 50" in notes[0]["detail"]


def test_the_ai_act_asks_generated_content_to_be_marked():
    assert codes(notes_for(["eu_ai_act"], task="content_generation")) == [
        "eu_ai_act_transparency"
    ]


def test_credit_scoring_at_a_financial_company_is_high_risk_under_the_ai_act():
    notes = notes_for(
        ["eu_ai_act"],
        {"industry": "financial_services"},
        name="Credit scoring",
        task="tabular_prediction",
    )

    assert codes(notes) == ["eu_ai_act_high_risk"]
    assert "Annex III, point 5" in notes[0]["detail"]


@pytest.mark.parametrize(
    "name", ["CV screening", "Rank job applications", "Recruiting"]
)
def test_screening_candidates_is_high_risk_under_the_ai_act(name):
    notes = notes_for(["eu_ai_act"], name=name, task="text_classification")

    assert codes(notes) == ["eu_ai_act_high_risk"]
    assert "Annex III, point 4" in notes[0]["detail"]


@pytest.mark.parametrize(
    ("organization", "fields"),
    [
        # Hiring words in a use case that decides nothing about people.
        ({}, {"name": "CV screening", "task": "summarization"}),
        # A financial company's summaries are not credit decisions.
        ({"industry": "financial_services"}, {"task": "summarization"}),
        # Predictions from tables at a retailer serve no listed purpose.
        ({"industry": "retail"}, {"task": "tabular_prediction"}),
    ],
)
def test_high_risk_needs_both_a_listed_purpose_and_a_deciding_task(
    organization, fields
):
    assert "eu_ai_act_high_risk" not in codes(
        notes_for(["eu_ai_act"], organization, **fields)
    )


def test_high_risk_needs_the_ai_act_to_apply():
    notes = notes_for(
        ["gdpr"],
        {"industry": "financial_services"},
        name="Credit scoring",
        task="tabular_prediction",
    )

    assert "eu_ai_act_high_risk" not in codes(notes)


def test_a_user_facing_high_risk_system_gets_both_ai_act_notes():
    notes = notes_for(
        ["eu_ai_act"], name="CV screening", task="text_classification", user_facing=True
    )

    assert codes(notes) == ["eu_ai_act_transparency", "eu_ai_act_high_risk"]


@pytest.mark.parametrize(
    ("regulations", "organization", "fields"),
    [
        (list(REGULATIONS), {}, {"user_facing": True}),
        (
            ["eu_ai_act"],
            {"industry": "financial_services"},
            {"task": "tabular_prediction"},
        ),
        (["eu_ai_act"], {}, {"name": "CV screening", "task": "text_classification"}),
    ],
)
def test_every_note_names_its_official_source(regulations, organization, fields):
    notes = notes_for(regulations, organization, **fields)

    assert notes != []
    for note in notes:
        assert SOURCES[note["code"]] in note["detail"], note


def test_who_handles_the_data_follows_the_recommended_option():
    # On an API the provider signs the agreements; in-house, the client's own cloud.
    bought = decide_one({"regulations": ["gdpr", "hipaa"]})
    owned = decide_one({"regulations": ["gdpr", "hipaa"]}, sensitive_data=True)

    assert bought["option"] in PROVIDER_OPTIONS
    assert owned["option"] not in PROVIDER_OPTIONS
    assert [note["detail"] for note in bought["compliance"]] != [
        note["detail"] for note in owned["compliance"]
    ]
    assert "model provider" in bought["compliance"][0]["detail"]
    assert "cloud that runs your model" in owned["compliance"][0]["detail"]
    assert "EU region" in owned["compliance"][1]["detail"]


def test_compliance_notes_reach_classical_use_cases_too():
    result = decide_one({"regulations": ["pci_dss"]}, task="fraud_detection")

    assert codes(result["compliance"]) == ["pci_dss_scope"]
