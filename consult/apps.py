from django.apps import AppConfig


class ConsultConfig(AppConfig):
    name = "consult"
    verbose_name = "Consult"

    def ready(self) -> None:
        # Imported for what they register: the sign-in receiver, the system checks.
        from consult import checks, staff  # noqa: F401, PLC0415
