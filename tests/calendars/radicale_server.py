"""A real Radicale CalDAV server for the tests, on a free port of 127.0.0.1, with one user
(htpasswd, plain) and its collections in a temporary folder."""

import subprocess
import sys
from pathlib import Path

import caldav

from tests.helpers.ports import free_port, port_wait

USER, PASSWORD = "ada", "app-password-123"


class Radicale:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        users = self.folder / "users"
        users.write_text(f"{USER}:{PASSWORD}\n")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "radicale",
                "--config",
                "",
                "--server-hosts",
                f"127.0.0.1:{self.port}",
                "--storage-filesystem-folder",
                str(self.folder / "collections"),
                "--auth-type",
                "htpasswd",
                "--auth-htpasswd-filename",
                str(users),
                "--auth-htpasswd-encryption",
                "plain",
                "--rights-type",
                "owner_only",
                "--logging-level",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_wait(self.port, what="Radicale")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def client(self) -> caldav.DAVClient:
        """The tests' own view of the server (a consultant's calendar app)."""
        return caldav.DAVClient(url=self.url, username=USER, password=PASSWORD)

    def calendar_make(self, name: str) -> caldav.Calendar:
        return self.client().principal().make_calendar(name=name)
