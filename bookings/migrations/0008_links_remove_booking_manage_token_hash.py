"""The booking's own token column goes: manage links are looked up in their table.

Reversible: going back, the column returns and each booking gets the hash of its
newest manage link still active (or of a random token, a link nobody holds).
"""

import hashlib
import secrets

from django.db import migrations, models


def hashes_restored(apps, schema_editor):
    Booking = apps.get_model("bookings", "Booking")
    BookingLink = apps.get_model("bookings", "BookingLink")
    for booking in Booking.objects.filter(manage_token_hash__isnull=True).only("pk"):
        link = (
            BookingLink.objects.filter(booking_id=booking.pk, revoked_at__isnull=True)
            .order_by("-created_at", "-pk")
            .first()
        )
        digest = (
            link.token_hash
            if link
            else hashlib.sha256(secrets.token_urlsafe(32).encode()).hexdigest()
        )
        Booking.objects.filter(pk=booking.pk).update(manage_token_hash=digest)


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0007_links_booking_link_data"),
    ]

    operations = [
        migrations.AlterField(
            model_name="booking",
            name="manage_token_hash",
            field=models.CharField(
                editable=False, max_length=64, null=True, unique=True
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, hashes_restored),
        migrations.RemoveField(model_name="booking", name="manage_token_hash"),
    ]
