"""Notes as signed entries, and the consultant an assessment is assigned to.

The free-text consultant notes each become the assessment's first entry, unsigned (nobody
recorded who wrote them) and dated when the assessment was last changed, before the
field goes (0007, in a transaction of its own: PostgreSQL will not alter a table
with the new rows' key checks still pending).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def notes_to_entries(apps, schema_editor):
    Assessment = apps.get_model("advisor", "Assessment")
    AssessmentNote = apps.get_model("advisor", "AssessmentNote")
    rows = (
        Assessment.objects.exclude(consultant_notes="")
        .values_list("pk", "consultant_notes", "updated_at")
        .iterator(chunk_size=500)
    )
    batch = []
    for pk, text, updated_at in rows:
        if text.strip():
            batch.append(
                AssessmentNote(
                    assessment_id=pk,
                    kind="note",
                    text=text.strip(),
                    created_at=updated_at,
                )
            )
        if len(batch) >= 500:
            AssessmentNote.objects.bulk_create(batch)
            batch = []
    AssessmentNote.objects.bulk_create(batch)


def entries_to_notes(apps, schema_editor):
    Assessment = apps.get_model("advisor", "Assessment")
    AssessmentNote = apps.get_model("advisor", "AssessmentNote")
    texts: dict[int, list[str]] = {}
    for note in AssessmentNote.objects.filter(kind="note").order_by("created_at", "pk"):
        texts.setdefault(note.assessment_id, []).append(note.text)
    for pk, parts in texts.items():
        Assessment.objects.filter(pk=pk).update(consultant_notes="\n\n".join(parts))


class Migration(migrations.Migration):
    dependencies = [
        ("advisor", "0008_links_remove_assessment_token_hash"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="assigned_to",
            field=models.ForeignKey(
                blank=True,
                limit_choices_to={"is_staff": True},
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="assigned consultant",
            ),
        ),
        migrations.CreateModel(
            name="AssessmentNote",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("note", "Note"), ("status", "Status change")],
                        default="note",
                        max_length=10,
                    ),
                ),
                ("text", models.TextField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("edited_at", models.DateTimeField(blank=True, null=True)),
                ("version", models.PositiveIntegerField(default=0)),
                ("revisions", models.JSONField(blank=True, default=list)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notes",
                        to="advisor.assessment",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty for notes written before notes were signed.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "assessment note",
                "ordering": ["created_at", "pk"],
                "abstract": False,
                "indexes": [
                    models.Index(
                        fields=["assessment", "created_at"],
                        name="advisor_ass_assessm_fafbec_idx",
                    )
                ],
            },
        ),
        migrations.RunPython(notes_to_entries, entries_to_notes),
    ]
