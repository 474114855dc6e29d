import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("advisor", "0005_regulations_user_facing_batch_ok"),
    ]

    operations = [
        migrations.CreateModel(
            name="AssessmentLink",
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
                        choices=[
                            ("private", "Private link"),
                            ("share", "Read-only share link"),
                        ],
                        default="private",
                        max_length=8,
                    ),
                ),
                (
                    "origin",
                    models.CharField(
                        choices=[
                            ("started", "Made when you started the assessment"),
                            ("lost_link", "Sent by “Lost your link?”"),
                            ("summary_pdf", "In your PDF summary"),
                            ("forwarded", "Sent to a colleague"),
                            ("made", "Made on this page"),
                            ("migrated", "Made before links were listed here"),
                        ],
                        max_length=12,
                    ),
                ),
                (
                    "token_hash",
                    models.CharField(editable=False, max_length=64, unique=True),
                ),
                ("note", models.CharField(blank=True, max_length=254)),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now),
                ),
                ("last_used_at", models.DateTimeField(blank=True, null=True)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="links",
                        to="advisor.assessment",
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "pk"],
                "indexes": [
                    models.Index(
                        fields=["assessment", "kind"],
                        name="advisor_link_assessment_kind",
                    )
                ],
            },
        ),
    ]
