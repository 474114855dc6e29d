"""Each assessment's one private link becomes its first row in the links table.

The hash moves as it is, so every link already sent keeps working.
"""

from django.db import migrations

BATCH = 2000


def links_from_hashes(apps, schema_editor):
    Assessment = apps.get_model("advisor", "Assessment")
    AssessmentLink = apps.get_model("advisor", "AssessmentLink")
    rows = Assessment.objects.order_by("pk").values_list(
        "pk", "token_hash", "created_at"
    )
    batch = []
    for pk, digest, created_at in rows.iterator(chunk_size=BATCH):
        batch.append(
            AssessmentLink(
                assessment_id=pk,
                kind="private",
                origin="migrated",
                token_hash=digest,
                created_at=created_at,
            )
        )
        if len(batch) >= BATCH:
            AssessmentLink.objects.bulk_create(batch)
            batch = []
    AssessmentLink.objects.bulk_create(batch)


def links_dropped(apps, schema_editor):
    # Going back: the hashes are still in the assessments' column (0008 restores
    # it before this runs), so the rows only have to go.
    apps.get_model("advisor", "AssessmentLink").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("advisor", "0006_links_assessment_link"),
    ]

    operations = [migrations.RunPython(links_from_hashes, links_dropped)]
