"""A real IMAP server for the tests (pymap's in-memory backend), on a free port of
127.0.0.1, with one user whose INBOX starts empty."""

import imaplib
import subprocess
from pathlib import Path

from tests.helpers.ports import free_port, port_wait

USER, PASSWORD = "bounces", "imap-password-123"
PYMAP = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "pymap"


class ImapServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"imap://{USER}:{PASSWORD}@127.0.0.1:{self.port}/INBOX"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(PYMAP),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-tls",
                "dict",
                "--demo-user",
                USER,
                "--demo-password",
                PASSWORD,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_wait(self.port, what="the IMAP server")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def _client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(USER, PASSWORD)
        client.select("INBOX")
        return client

    def deliver(self, raw: bytes) -> None:
        client = self._client()
        try:
            client.append("INBOX", None, None, raw)
        finally:
            client.logout()

    def messages(self) -> list[tuple[bytes, bytes]]:
        """Each message left in the INBOX: its flags and its Subject header."""
        client = self._client()
        try:
            _, data = client.uid("SEARCH", "ALL")
            found = []
            for uid in data[0].split():
                _, fetched = client.uid(
                    "FETCH", uid, "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])"
                )
                found.append((fetched[0][0], fetched[0][1].strip()))
            return found
        finally:
            client.logout()
