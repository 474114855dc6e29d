from django.db import migrations, models

from consult.timezones import zone_prefers_12_hour


def guess_clocks(apps, schema_editor):
    # The browser that made these bookings is gone: the clock of the client's zone's
    # country (America/New_York 12-hour, Europe/Berlin 24-hour) is the best guess,
    # and is what a new client there would most likely have been shown.
    Booking = apps.get_model("bookings", "Booking")
    zones = Booking.objects.values_list("client_timezone", flat=True).distinct()
    twelve = [zone for zone in zones if zone_prefers_12_hour(zone)]
    Booking.objects.filter(client_timezone__in=twelve).update(hour12=True)


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0012_rooms_booking_room"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="hour12",
            field=models.BooleanField(default=False, verbose_name="12-hour clock"),
        ),
        migrations.RunPython(guess_clocks, migrations.RunPython.noop, elidable=True),
    ]
