"""A real key from a booking to the assessment it came from, filled from ``assessment_ref``.

The reference was the assessment's primary key as text; references that are not a number,
or whose assessment is gone, leave the key empty.
"""

import django.db.models.deletion
from django.db import migrations, models


def link_assessments(apps, schema_editor) -> None:
    Assessment = apps.get_model("advisor", "Assessment")
    Booking = apps.get_model("bookings", "Booking")
    refs = {
        int(ref)
        for ref in Booking.objects.exclude(assessment_ref="")
        .values_list("assessment_ref", flat=True)
        .distinct()
        if ref.isdigit()
    }
    existing = set(Assessment.objects.filter(pk__in=refs).values_list("pk", flat=True))
    for pk in existing:
        Booking.objects.filter(assessment_ref=str(pk)).update(assessment_id=pk)


class Migration(migrations.Migration):
    dependencies = [
        ("advisor", "0002_seed_price_book"),
        ("bookings", "0002_booking_no_overlap"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="assessment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="bookings",
                to="advisor.assessment",
            ),
        ),
        migrations.RunPython(link_assessments, migrations.RunPython.noop),
    ]
