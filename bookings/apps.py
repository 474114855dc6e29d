from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "Bookings"

    def ready(self) -> None:
        from bookings import listing_cache  # noqa: PLC0415 -- models must be loaded first

        listing_cache.signals_connect()
