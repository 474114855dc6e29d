"""Migration 0005: assessments and use cases saved before it take the version 2
defaults (no rules, not user-facing, no batch) and keep every earlier answer."""

import pytest

BEFORE = [("advisor", "0004_price_book_2026_12")]
AFTER = [("advisor", "0005_regulations_user_facing_batch_ok")]


@pytest.mark.django_db(transaction=True)
def test_rows_saved_before_the_migration_take_the_defaults(migrate):
    old = migrate(BEFORE)
    assessment = old.get_model("advisor", "Assessment").objects.create(
        token_hash="f" * 64, company="Old Co", industry="healthcare"
    )
    old.get_model("advisor", "UseCase").objects.create(
        assessment_id=assessment.pk,
        position=1,
        name="Notes",
        task="summarization",
        monthly_requests=1_000,
        latency_budget_ms=None,
    )

    new = migrate(AFTER)

    migrated = new.get_model("advisor", "Assessment").objects.get(pk=assessment.pk)
    use_case = new.get_model("advisor", "UseCase").objects.get(
        assessment_id=assessment.pk
    )
    assert (migrated.company, migrated.industry, migrated.regulations) == (
        "Old Co",
        "healthcare",
        [],
    )
    assert (
        use_case.task,
        use_case.latency_budget_ms,
        use_case.user_facing,
        use_case.batch_ok,
    ) == ("summarization", None, False, False)
