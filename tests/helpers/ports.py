"""Ports on 127.0.0.1 for the servers the tests start: a free one, and waiting for one
to open."""

import socket
import time


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 0.5):
            return True
    except OSError:
        return False


def port_wait(port: int, *, what: str, timeout: float = 20.0) -> None:
    """Return once ``port`` takes connections; RuntimeError naming ``what`` if not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port):
            return
        time.sleep(0.1)
    msg = f"{what} did not start"
    raise RuntimeError(msg)
