"""gunicorn settings for the web process (docker-compose and production).

Threads let one process hold several requests while they wait on PostgreSQL,
and share that process's psycopg pool.
"""

import multiprocessing
import os

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# The views are CPU-bound Python: threads of one process take turns on its GIL,
# so the CPU comes from processes and two threads each cover the waits on
# PostgreSQL and Redis. On two cores, three processes of two threads served about
# twice the requests of two processes of four (the wizard, the slot listing, the
# booking POST) with lower p99s; one thread each left the submit's p99 twice as
# long, and 2xCPU+1 processes (the advice for sync workers) only added pools and
# backends contending for the same cores.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# The app is imported once, in the master, and every worker is forked from it:
# a worker recycled by max_requests serves again at once instead of importing
# Django anew for a second or more of CPU. Nothing connects at import (the
# psycopg pool opens in each worker on its first query). Code changes need a
# restart, not a HUP.
preload_app = True
# A safety net against slow leaks, not a routine: spread wide, so that under an
# even load the workers do not all restart in the same second.
max_requests = 5000
max_requests_jitter = 2500
accesslog = "-"
errorlog = "-"


class PrivateLinksMaskedLogger(Logger):
    """gunicorn's logs without the clients' private tokens.

    An access line holds the path, the Referer and the response's Location, each of
    which can carry a token; the error log names the path of a failed request.
    """

    def setup(self, cfg) -> None:
        from consult.tokens import PrivateLinkFilter  # noqa: PLC0415 -- the project's code

        super().setup(cfg)
        self.error_log.addFilter(PrivateLinkFilter())

    def atoms(self, resp, req, environ, request_time) -> dict:
        from consult.tokens import private_links_masked  # noqa: PLC0415

        return {
            key: private_links_masked(value) if isinstance(value, str) else value
            for key, value in super().atoms(resp, req, environ, request_time).items()
        }


logger_class = PrivateLinksMaskedLogger


def when_ready(server) -> None:
    # Django imports the URLconf, and with it every view, on the first request. Here,
    # in the master after preloading, it happens once and workers share it, rather
    # than in each new worker (recycled every few thousand requests) on a client's time.
    from django.urls import get_resolver  # noqa: PLC0415 -- Django is set up by now

    from consult.zone_names import zone_names_warm  # noqa: PLC0415

    get_resolver().url_patterns  # noqa: B018 -- the import is the point
    # The time zone names (cities, countries) the booking pages look names up in.
    zone_names_warm()
