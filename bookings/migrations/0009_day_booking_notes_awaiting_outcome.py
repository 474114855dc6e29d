"""Notes as signed entries on a booking, and the "awaiting outcome" status a call
takes when its time has passed (``bookings.outcomes``)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0008_links_remove_booking_manage_token_hash"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="booking",
            name="status",
            field=models.CharField(
                choices=[
                    ("confirmed", "Confirmed"),
                    ("awaiting_outcome", "Awaiting outcome"),
                    ("cancelled", "Cancelled"),
                    ("completed", "Completed"),
                    ("no_show", "No-show"),
                ],
                default="confirmed",
                max_length=20,
            ),
        ),
        migrations.CreateModel(
            name="BookingNote",
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
                (
                    "booking",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notes",
                        to="bookings.booking",
                    ),
                ),
            ],
            options={
                "verbose_name": "booking note",
                "ordering": ["created_at", "pk"],
                "abstract": False,
                "indexes": [
                    models.Index(
                        fields=["booking", "created_at"],
                        name="bookings_bo_booking_6dc470_idx",
                    )
                ],
            },
        ),
    ]
