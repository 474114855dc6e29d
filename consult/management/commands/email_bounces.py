"""Read bounce reports and mark the emails they name as bounced (``consult.bounces``).

    manage.py email_bounces                   # the configured Maildir and IMAP mailbox
    manage.py email_bounces --maildir PATH    # a Maildir folder
    manage.py email_bounces FILE [FILE ...]   # messages in files; "-" reads one from stdin

Messages read from a mailbox are removed from it; files are left as they are.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from consult.bounces import (
    bounce_ingest,
    bounces_read_imap,
    bounces_read_maildir,
)


class Command(BaseCommand):
    help = "Read bounce reports and mark the emails they name as bounced."

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="*", help='message files ("-" for one on standard input)'
        )
        parser.add_argument(
            "--maildir",
            default=None,
            help="a Maildir folder (default: EMAIL_BOUNCE_MAILDIR)",
        )

    def handle(self, *args, files, maildir, **options):
        outcomes = []
        for name in files:
            raw = sys.stdin.buffer.read() if name == "-" else self._read(name)
            outcomes.append(bounce_ingest(raw=raw))
        if not files:
            path = maildir or settings.EMAIL_BOUNCE_MAILDIR
            url = settings.EMAIL_BOUNCE_IMAP_URL if maildir is None else ""
            if not path and not url:
                raise CommandError(
                    "Nothing to read: name files, pass --maildir, or set "
                    "EMAIL_BOUNCE_MAILDIR or EMAIL_BOUNCE_IMAP_URL."
                )
            if path:
                if not Path(path, "new").is_dir():
                    raise CommandError(f"{path} is not a Maildir folder (no new/).")
                outcomes += bounces_read_maildir(path=path)
            if url:
                outcomes += bounces_read_imap(url=url)
        for outcome in outcomes:
            self.stdout.write(str(outcome))
        bounced = sum(outcome.bounced for outcome in outcomes)
        self.stdout.write(f"{len(outcomes)} read, {bounced} bounced.")

    @staticmethod
    def _read(name: str) -> bytes:
        try:
            return Path(name).read_bytes()
        except OSError as error:
            raise CommandError(f"{name}: {error.strerror}") from None
