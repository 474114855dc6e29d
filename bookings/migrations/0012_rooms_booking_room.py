"""Each booking gets a call room of its own (``bookings.meetings``).

Existing bookings get theirs here, each a fresh random name, rather than lazily when a
link is first needed: the link is read on pages served to clients (GET requests) and in
calendar feeds, which should never write, and two renders racing to draw a first name
could send two different links for one call. A column default alone would give every
existing row the same name, so the column is added empty and filled row by row.
"""

import secrets

from django.db import migrations, models

import bookings.meetings

BATCH = 2000


def rooms_draw(apps, schema_editor):
    Booking = apps.get_model("bookings", "Booking")
    batch = []
    for booking in Booking.objects.filter(room="").only("pk").iterator(BATCH):
        booking.room = secrets.token_urlsafe(bookings.meetings.ROOM_BYTES)
        batch.append(booking)
        if len(batch) >= BATCH:
            Booking.objects.bulk_update(batch, ["room"])
            batch = []
    Booking.objects.bulk_update(batch, ["room"])


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0011_cal_busy_interval"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="room",
            field=models.CharField(default="", editable=False, max_length=40),
        ),
        migrations.RunPython(rooms_draw, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="booking",
            name="room",
            field=models.CharField(
                default=bookings.meetings.room_new, editable=False, max_length=40
            ),
        ),
    ]
