"""factory_boy factories for assessments and their use cases."""

import factory
from django.utils import timezone

from advisor.models import Assessment, AssessmentLink, UseCase
from consult.tokens import token_hash


class AssessmentFactory(factory.django.DjangoModelFactory):
    """A draft with both first steps answered. ``token`` holds its private token,
    the link made when it was started."""

    class Meta:
        model = Assessment
        skip_postgeneration_save = True

    # Not a model field: popped in _create and kept on the instance.
    token = factory.Sequence(lambda n: f"test-token-{n:04d}-abcdefghijklmnopqrstuvwxyz")

    contact_name = "Ada Lovelace"
    contact_email = factory.Sequence(lambda n: f"ada{n}@example.com")
    company = "Analytical Engines Ltd"
    role = "CTO"
    industry = "healthcare"
    ml_engineers = 2
    data_can_leave = True
    consent_contact = True
    consent_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        token = kwargs.pop("token", None)
        obj = super()._create(model_class, *args, **kwargs)
        if token:
            AssessmentLink.objects.create(
                assessment=obj,
                kind=AssessmentLink.Kind.PRIVATE,
                origin=AssessmentLink.Origin.STARTED,
                token_hash=token_hash(token),
                created_at=obj.created_at,
            )
        obj.token = token
        return obj


class UseCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UseCase

    assessment = factory.SubFactory(AssessmentFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Use case {n}")
    task = "summarization"
    monthly_requests = 40_000
    latency_budget_ms = 2_000


def three_path_use_cases(assessment) -> None:
    """One use case per path: API, fine-tune (format and data) and classical ML."""
    UseCaseFactory(
        assessment=assessment,
        name="Support summaries",
        task="summarization",
        monthly_requests=20_000,
    )
    UseCaseFactory(
        assessment=assessment,
        name="Invoice fields",
        task="extraction",
        monthly_requests=50_000,
        format_consistency="critical",
        proprietary_data="substantial",
    )
    UseCaseFactory(
        assessment=assessment,
        name="Card fraud",
        task="fraud_detection",
        monthly_requests=3_000_000,
    )
