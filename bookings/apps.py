from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "Bookings"

    def ready(self) -> None:
        # Imported once the models are loaded, as Django requires; signals for what
        # it registers.
        from bookings import listing_cache, signals  # noqa: F401, PLC0415

        listing_cache.signals_connect()
