"""A private ``redis-server`` a test can stop and start, never the shared one."""

from __future__ import annotations

import shutil
import subprocess
import time
from typing import TYPE_CHECKING

import redis

from tests.helpers.realstack import free_port, wait_for
from tests.helpers.services import require_service

if TYPE_CHECKING:
    from pathlib import Path


class RedisServer:
    """One redis-server on a free port, keeping nothing on disk."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        require_service(
            binary is not None, "redis-server (Debian package redis-server)"
        )
        self.binary = binary or "redis-server"
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, what=f"redis-server on port {self.port}", timeout=10)

    def answers(self) -> bool:
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        try:
            return bool(client.ping())
        except redis.exceptions.RedisError:
            return False
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.kill()
        self.process.wait(timeout=10)
        self.process = None
        deadline = time.monotonic() + 5
        while self.answers() and time.monotonic() < deadline:
            time.sleep(0.05)
