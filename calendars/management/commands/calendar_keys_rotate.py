"""Encrypt every stored calendar secret again under the first CALENDAR_ENCRYPTION_KEYS key."""

from django.core.management.base import BaseCommand

from calendars.services import secrets_rotate


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options) -> None:
        count = secrets_rotate()
        self.stdout.write(f"Encrypted {count} stored secret(s) under the first key.")
