from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "calendars"
    verbose_name = "Calendars"

    def ready(self) -> None:
        # The deploy check registers itself; receivers of the bookings' domain events
        # write the write-back outbox.
        from calendars import checks, receivers  # noqa: F401, PLC0415

        receivers.connect()
