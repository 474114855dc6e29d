"""The assessments admin: its addresses, and submitted assessments to show in it."""

from datetime import UTC, datetime

from advisor.models import Assessment
from advisor.services import assessment_submit
from tests.factories.advisor import AssessmentFactory, UseCaseFactory

CHANGELIST = "/admin/advisor/assessment/"
SUBMITTED = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)


def change_url(assessment) -> str:
    return f"/admin/advisor/assessment/{assessment.pk}/change/"


def submitted(*cases, submitted_at=SUBMITTED, **kwargs):
    """A submitted assessment; ``cases`` are (name, task) pairs."""
    assessment = AssessmentFactory(**kwargs)
    for name, task in cases or [("Support summaries", "summarization")]:
        UseCaseFactory(assessment=assessment, name=name, task=task)
    assessment_submit(assessment=assessment)
    Assessment.objects.filter(pk=assessment.pk).update(submitted_at=submitted_at)
    assessment.refresh_from_db()
    return assessment


def hybrid(**kwargs):
    return submitted(
        ("Support summaries", "summarization"),
        ("Card fraud", "fraud_detection"),
        **kwargs,
    )
