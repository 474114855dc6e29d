"""Private brokers a test may kill: a redis-server and a RabbitMQ node of its own.

Each runs as a child of the test in its own process group, on a free port, with
its data in the test's temporary folder, so killing it never touches the shared
Redis or RabbitMQ. ``kill()`` is SIGKILL (a crash, not a clean shutdown);
``start()`` brings the same server back on the same port with the data it had
written to disk.
"""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers.ports import free_port, port_open
from tests.helpers.realstack import wait_for
from tests.helpers.services import require_service

RABBITMQ_SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")


class PrivateBroker:
    """One server process; subclasses say how to start it and when it is ready."""

    name = "broker"
    start_timeout = 20.0

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.log = directory / "server.log"

    @property
    def url(self) -> str:
        raise NotImplementedError

    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str]:
        return dict(os.environ)

    def ready(self) -> bool:
        return port_open(self.port)

    def consumer_waiting(self) -> bool:
        """Whether a consumer is waiting on the broker for its next message."""
        return True

    def start(self) -> None:
        self.starts += 1
        with self.log.open("a") as output:
            self.process = subprocess.Popen(
                self.command(),
                cwd=self.directory,
                env=self.environment(),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = self.process
        wait_for(
            lambda: process.poll() is not None or self.ready(),
            what=f"the private {self.name} to start",
            timeout=self.start_timeout,
            logs=[self.log],
        )
        if process.poll() is not None:
            pytest.fail(
                f"the private {self.name} exited:\n{self.log.read_text()[-3000:]}"
            )

    def kill(self) -> None:
        """Crash the server: SIGKILL to its whole process group."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        wait_for(
            lambda: not port_open(self.port),
            what=f"the private {self.name}'s port to close",
            logs=[self.log],
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


class PrivateRedis(PrivateBroker):
    """redis-server with an fsync-always append-only file, like a broker should be.

    Without persistence a restart would simply lose the queue; with it, the
    messages a worker had not acknowledged are still in Redis afterwards.
    """

    name = "redis-server"
    start_timeout = 10.0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        return [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.directory),
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--maxmemory-policy",
            "noeviction",
        ]

    def ready(self) -> bool:
        import redis  # noqa: PLC0415 -- only these tests

        client = redis.Redis(port=self.port, socket_timeout=1)
        try:
            # PING answers LOADING while the append-only file is read back.
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def consumer_waiting(self) -> bool:
        # A worker with room for another task blocks in BRPOP on its queues.
        import redis  # noqa: PLC0415 -- only these tests

        client = redis.Redis(port=self.port, socket_timeout=1)
        try:
            return any(
                entry.get("cmd") == "brpop" and "b" in entry.get("flags", "")
                for entry in client.client_list()
            )
        finally:
            client.close()


class PrivateRabbitMQ(PrivateBroker):
    """A RabbitMQ node of its own: own name, ports, database, logs and cookie.

    The packaged ``rabbitmq-server`` wrapper switches to the ``rabbitmq`` user
    and drops the environment, so the node is started through the script it
    wraps. It registers its name with the machine's epmd (a name service, not
    the shared broker) and reads none of ``/etc/rabbitmq``.
    """

    name = "RabbitMQ node"
    start_timeout = 60.0

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.dist_port = free_port()
        self.node = f"consult-test-{os.getpid()}-{self.port}@localhost"
        (directory / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\n"
        )
        (directory / "enabled_plugins").write_text("[].\n")
        (directory / "rabbitmq-env.conf").write_text("")

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def command(self) -> list[str]:
        return [str(RABBITMQ_SERVER)]

    def environment(self) -> dict[str, str]:
        directory = str(self.directory)
        return {
            **os.environ,
            # The Erlang cookie is written to $HOME.
            "HOME": directory,
            "RABBITMQ_CONF_ENV_FILE": f"{directory}/rabbitmq-env.conf",
            "RABBITMQ_CONFIG_FILE": f"{directory}/rabbitmq.conf",
            "RABBITMQ_ENABLED_PLUGINS_FILE": f"{directory}/enabled_plugins",
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": f"{directory}/mnesia",
            "RABBITMQ_LOG_BASE": f"{directory}/log",
            "RABBITMQ_PLUGINS_EXPAND_DIR": f"{directory}/plugins",
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }

    def ready(self) -> bool:
        if not port_open(self.port):
            return False
        # The port opens before the node accepts logins; a connection that
        # completes the AMQP handshake is the real sign.
        import amqp  # noqa: PLC0415 -- only these tests

        connection = amqp.Connection(
            f"127.0.0.1:{self.port}", connect_timeout=1, read_timeout=2
        )
        try:
            connection.connect()
        except Exception:  # noqa: BLE001 -- any failure means "not yet"
            time.sleep(0.2)
            return False
        else:
            return True
        finally:
            connection.collect()


def private_redis(directory: Path) -> PrivateRedis:
    require_service(shutil.which("redis-server") is not None, "redis-server")
    return PrivateRedis(directory)


def private_rabbitmq(directory: Path) -> PrivateRabbitMQ:
    require_service(RABBITMQ_SERVER.exists(), f"RabbitMQ ({RABBITMQ_SERVER})")
    return PrivateRabbitMQ(directory)
