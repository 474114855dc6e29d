from django.apps import AppConfig


class ConsultConfig(AppConfig):
    name = "consult"
    verbose_name = "Consult"

    def ready(self) -> None:
        # Imported for what it registers: the system checks.
        from consult import checks  # noqa: F401, PLC0415
        from consult.logs import (  # noqa: PLC0415
            celery_signals_connect,
            record_factory_install,
            request_signals_connect,
        )

        record_factory_install()
        request_signals_connect()
        celery_signals_connect()
