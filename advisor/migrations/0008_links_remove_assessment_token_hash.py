"""The assessment's own token column goes: links are looked up in their table.

Reversible: going back, the column returns and each assessment gets the hash of
its newest private link still active (or of a random token, a link nobody holds).
"""

import hashlib
import secrets

from django.db import migrations, models


def hashes_restored(apps, schema_editor):
    Assessment = apps.get_model("advisor", "Assessment")
    AssessmentLink = apps.get_model("advisor", "AssessmentLink")
    for assessment in Assessment.objects.filter(token_hash__isnull=True).only("pk"):
        link = (
            AssessmentLink.objects.filter(
                assessment_id=assessment.pk, kind="private", revoked_at__isnull=True
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        digest = (
            link.token_hash
            if link
            else hashlib.sha256(secrets.token_urlsafe(32).encode()).hexdigest()
        )
        Assessment.objects.filter(pk=assessment.pk).update(token_hash=digest)


class Migration(migrations.Migration):
    dependencies = [
        ("advisor", "0007_links_assessment_link_data"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assessment",
            name="token_hash",
            field=models.CharField(
                editable=False, max_length=64, null=True, unique=True
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, hashes_restored),
        migrations.RemoveField(model_name="assessment", name="token_hash"),
    ]
