"""Load the demo data for the embedded default and print how to get in.

Each app may offer ``<app>/demo.py`` with ``load() -> list[str]`` (lines to
report); running the command twice changes nothing the second time.
"""

import importlib
import importlib.util
import secrets

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = "Create the demo admin login and each app's demo data (idempotent)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            password = self._admin_password()
            lines = []
            for app_config in apps.get_app_configs():
                name = f"{app_config.name}.demo"
                if app_config.name.startswith("django") or not importlib.util.find_spec(
                    name
                ):
                    continue
                lines += importlib.import_module(name).load()
        for line in lines:
            self.stdout.write(f"  {line}")
        self.stdout.write(
            self.style.SUCCESS(
                f"\nConsult is ready at {settings.SITE_URL}/\n"
                f"Admin: {settings.SITE_URL}/admin/  "
                f"user {ADMIN_USERNAME!r}, password {password!r}\n"
                f"Emails go to {settings.MAILERS['default']['OPTIONS'].get('file_path', 'the configured mail server')}\n"
            )
        )

    def _admin_password(self) -> str:
        # The password is made once and kept next to the database, so the same
        # login works every time the demo starts.
        path = settings.VAR_DIR / "demo-admin-password.txt"
        if path.exists():
            password = path.read_text().strip()
        else:
            settings.VAR_DIR.mkdir(exist_ok=True)
            password = secrets.token_urlsafe(12)
            path.write_text(password + "\n")
            path.chmod(0o600)
        user_model = get_user_model()
        user, _ = user_model.objects.get_or_create(
            username=ADMIN_USERNAME,
            defaults={"email": "admin@consult.localhost"},
        )
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        return password
