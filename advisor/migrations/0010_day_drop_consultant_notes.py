"""The free-text notes, now entries (0006), go."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("advisor", "0009_day_assessment_notes")]

    operations = [
        migrations.RemoveField(model_name="assessment", name="consultant_notes"),
    ]
