"""Compliance pointers: which rules the recommended option brings into play.

Each note is a pointer a lawyer would accept as one, naming the official text;
none is legal advice. Notes come from the regulations the client named, whether
people talk to the model directly, the task, and who would handle the data
under the recommended option (a provider, or the client's own cloud account).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from advisor.engine.result import Reason

if TYPE_CHECKING:
    from advisor.engine.contract import Organization, UseCase

GDPR_DPA = "gdpr_dpa"
EU_RESIDENCY = "eu_residency"
HIPAA_BAA = "hipaa_baa"
PCI_DSS_SCOPE = "pci_dss_scope"
EU_AI_ACT_TRANSPARENCY = "eu_ai_act_transparency"
EU_AI_ACT_HIGH_RISK = "eu_ai_act_high_risk"
COMPLIANCE_CODES = (
    GDPR_DPA,
    EU_RESIDENCY,
    HIPAA_BAA,
    PCI_DSS_SCOPE,
    EU_AI_ACT_TRANSPARENCY,
    EU_AI_ACT_HIGH_RISK,
)

# Options where a provider, not the client, runs the model and sees the data.
PROVIDER_OPTIONS = frozenset(
    {
        "api_frontier",
        "api_small",
        "api_batch",
        "hosted_open_weight",
        "hosted_fine_tune",
        "vendor_tool",
    }
)

_GDPR = "GDPR, Regulation (EU) 2016/679"
_AI_ACT = "EU AI Act, Regulation (EU) 2024/1689"

# Decisions about people that Annex III of the AI Act lists as high-risk, by
# industry and task; and words in a use case's name that point to hiring.
_HIGH_RISK_BY_INDUSTRY = {
    "financial_services": (
        frozenset({"tabular_prediction", "text_classification"}),
        (
            "creditworthiness, credit scoring, or life and health insurance pricing "
            "(Annex III, point 5)"
        ),
    ),
    "public_sector": (
        frozenset({"tabular_prediction", "text_classification"}),
        (
            "access to public benefits or to education, or the assessment of students "
            "(Annex III, points 3 and 5)"
        ),
    ),
    "healthcare": (
        frozenset({"tabular_prediction", "text_classification", "specialized_vision"}),
        (
            "a medical purpose, which makes the software a medical device under "
            "Regulation (EU) 2017/745 (Art. 6(1) and Annex I)"
        ),
    ),
}
_HIRING = re.compile(
    r"\b(cv|cvs|r[eé]sum[eé]s?|recruit\w*|hiring|candidates?|applicants?|"
    r"job applications?|promotions?|employees? (?:evaluation|performance))\b",
    re.IGNORECASE,
)
_HIRING_TASKS = frozenset(
    {"tabular_prediction", "text_classification", "extraction", "document_extraction"}
)


def notes(
    use_case: UseCase, organization: Organization, option: str
) -> tuple[Reason, ...]:
    """The compliance pointers for one use case under its recommended option."""
    regulations = organization.regulations
    if not regulations and not use_case.user_facing:
        return ()
    provider = option in PROVIDER_OPTIONS
    found: list[Reason] = []
    if "gdpr" in regulations:
        found.append(Reason(GDPR_DPA, _gdpr_dpa(provider)))
        found.append(Reason(EU_RESIDENCY, _eu_residency(provider)))
    if "hipaa" in regulations:
        found.append(Reason(HIPAA_BAA, _hipaa(provider)))
    if "pci_dss" in regulations:
        found.append(Reason(PCI_DSS_SCOPE, _PCI))
    if "eu_ai_act" in regulations:
        if use_case.user_facing or use_case.task == "content_generation":
            found.append(Reason(EU_AI_ACT_TRANSPARENCY, _transparency(use_case)))
        high_risk = _high_risk(use_case, organization)
        if high_risk is not None:
            found.append(Reason(EU_AI_ACT_HIGH_RISK, high_risk))
    return tuple(found)


def _gdpr_dpa(provider: bool) -> str:
    who = (
        "the model provider processes it on your behalf"
        if provider
        else "the cloud that runs your model processes it on your behalf"
    )
    return (
        f"If this use case handles personal data, {who}: sign its data processing "
        f"agreement before launch, and record the processing ({_GDPR}, Art. 28 and 30)."
    )


def _eu_residency(provider: bool) -> str:
    where = (
        "choose the provider's EU data-residency region where it offers one"
        if provider
        else "run the GPUs or servers in an EU region"
    )
    return (
        f"Keep personal data in the EU where you can: {where}. Any transfer outside "
        "the EU needs a basis such as the EU-US Data Privacy Framework or standard "
        f"contractual clauses ({_GDPR}, Chapter V, Art. 44-49)."
    )


def _hipaa(provider: bool) -> str:
    who = (
        "the model provider must sign a business associate agreement before any "
        "protected health information reaches it, and only its covered services "
        "may be used"
        if provider
        else "the cloud hosting your model must sign a business associate agreement"
    )
    return (
        f"Under HIPAA, {who} (45 CFR 164.502(e) and 164.504(e)). Send only the "
        "minimum necessary information (45 CFR 164.502(b))."
    )


_PCI = (
    "Keep card numbers out of prompts, logs and training data: mask or tokenise "
    "them first. Every system that stores, processes or transmits cardholder data, "
    "a model provider included, is in scope of PCI DSS v4.0.1 (PCI Security "
    "Standards Council)."
)


def _transparency(use_case: UseCase) -> str:
    if use_case.user_facing:
        return (
            "People talking to this system must be told they are dealing with AI, "
            "unless it is obvious; generated text published to inform the public must "
            f"be disclosed as such. This applies from 2 August 2026 ({_AI_ACT}, Art. 50)."
        )
    return (
        "Text generated to inform the public on matters of public interest must be "
        "disclosed as AI-generated, and generating systems must mark their output as "
        f"such. This applies from 2 August 2026 ({_AI_ACT}, Art. 50)."
    )


def _high_risk(use_case: UseCase, organization: Organization) -> str | None:
    purpose = None
    if use_case.task in _HIRING_TASKS and _HIRING.search(use_case.name):
        purpose = "recruitment or decisions about workers (Annex III, point 4)"
    else:
        entry = _HIGH_RISK_BY_INDUSTRY.get(organization.industry or "")
        if entry is not None and use_case.task in entry[0]:
            purpose = entry[1]
    if purpose is None:
        return None
    return (
        f"If this system is used for {purpose}, it is high-risk: risk management, "
        "data governance, logging, human oversight and registration are required "
        f"before use ({_AI_ACT}, Art. 6 and Chapter III). Check the classification "
        "with counsel."
    )
