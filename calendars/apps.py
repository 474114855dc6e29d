from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "calendars"
    verbose_name = "Calendars"

    def ready(self) -> None:
        # Receivers of the bookings' domain events write the write-back outbox.
        from calendars import receivers  # noqa: PLC0415

        receivers.connect()
