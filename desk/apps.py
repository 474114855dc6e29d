from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "desk"
    verbose_name = "Consultants' desk"

    def ready(self) -> None:
        from desk import receivers  # noqa: PLC0415 -- once the apps are loaded
        from privacy.events import client_erased  # noqa: PLC0415

        client_erased.connect(
            receivers.client_notes_erase, dispatch_uid="desk.client_notes_erase"
        )
