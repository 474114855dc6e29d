"""Each booking's one manage link becomes its first row in the links table.

The hash moves as it is, so every link already sent (emails, calendar invites)
keeps working.
"""

from django.db import migrations

BATCH = 2000


def links_from_hashes(apps, schema_editor):
    Booking = apps.get_model("bookings", "Booking")
    BookingLink = apps.get_model("bookings", "BookingLink")
    rows = Booking.objects.order_by("pk").values_list(
        "pk", "manage_token_hash", "created_at"
    )
    batch = []
    for pk, digest, created_at in rows.iterator(chunk_size=BATCH):
        batch.append(
            BookingLink(
                booking_id=pk,
                origin="migrated",
                token_hash=digest,
                created_at=created_at,
            )
        )
        if len(batch) >= BATCH:
            BookingLink.objects.bulk_create(batch)
            batch = []
    BookingLink.objects.bulk_create(batch)


def links_dropped(apps, schema_editor):
    # Going back: 0008 has restored the bookings' column before this runs.
    apps.get_model("bookings", "BookingLink").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0006_links_booking_link"),
    ]

    operations = [migrations.RunPython(links_from_hashes, links_dropped)]
