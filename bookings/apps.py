from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "Bookings"

    def ready(self) -> None:
        # Imported once the models are loaded, as Django requires; signals for what
        # it registers.
        from bookings import services, signals  # noqa: F401, PLC0415

        # Saves and deletes, from the admin or the services, change what the slot
        # listing shows; updates through querysets call availability_changed themselves.
        for name in (
            "Booking",
            "BookingPolicy",
            "Consultant",
            "DateOverride",
            "TimeOff",
            "WeeklyHours",
        ):
            model = self.get_model(name)
            for event, signal in (("saved", post_save), ("deleted", post_delete)):
                signal.connect(
                    services.availability_changed,
                    sender=model,
                    dispatch_uid=f"availability-changed-{event}-{name}",
                )
