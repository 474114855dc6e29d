"""A real IMAP server for the tests (pymap's in-memory backend), on a free port of
127.0.0.1, with one user whose INBOX starts empty."""

import imaplib
import socket
import subprocess
import time
from pathlib import Path

USER, PASSWORD = "bounces", "imap-password-123"
PYMAP = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "pymap"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ImapServer:
    def __init__(self) -> None:
        self.port = _free_port()
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
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            except OSError:
                time.sleep(0.1)
            else:
                return
        msg = "the IMAP server did not start"
        raise RuntimeError(msg)

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
