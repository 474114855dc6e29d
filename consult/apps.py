from django.apps import AppConfig


class ConsultConfig(AppConfig):
    name = "consult"
    verbose_name = "Consult"

    def ready(self) -> None:
        from consult import staff  # noqa: F401, PLC0415 -- connects its sign-in receiver
