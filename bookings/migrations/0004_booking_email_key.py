from django.db import migrations, models


def keys_fill(apps, schema_editor):
    """Existing bookings get the key their address reaches (bookings.models.email_key)."""
    from bookings.models import email_key  # noqa: PLC0415 -- a pure function

    booking = apps.get_model("bookings", "Booking")
    for row in booking.objects.only("pk", "email").iterator():
        booking.objects.filter(pk=row.pk).update(email_key=email_key(row.email))


class Migration(migrations.Migration):
    dependencies = [("bookings", "0003_booking_assessment")]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="email_key",
            field=models.CharField(default="", editable=False, max_length=254),
        ),
        migrations.RunPython(keys_fill, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="booking",
            name="booking_one_active_per_email",
        ),
        migrations.AddConstraint(
            model_name="booking",
            constraint=models.UniqueConstraint(
                models.F("email_key"),
                condition=models.Q(("status", "confirmed")),
                name="booking_one_active_per_mailbox",
                violation_error_message=(
                    "There is already an upcoming consultation for this email address."
                ),
            ),
        ),
    ]
