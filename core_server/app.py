"""Wires a running core together: the deployment's parts, the server, background tasks."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass

import grpc

from core_server.config import Config
from core_server.deployment import Deployment, open_deployment
from core_server.periodic import Periodic
from core_server.rpc.server import create_server, host_port

log = logging.getLogger(__name__)
SHUTDOWN_GRACE_SECONDS = 10.0


@dataclass
class Core:
    """A started core; `stop()` drains in-flight calls, then releases storage."""

    server: grpc.Server
    host: str
    port: int
    deployment: Deployment
    tasks: tuple[Periodic, ...]

    @property
    def address(self) -> str:
        return host_port(self.host, self.port)

    def stop(self, grace: float = SHUTDOWN_GRACE_SECONDS) -> None:
        """Drain for up to `grace` seconds; the whole stop takes at most a few more."""
        for task in self.tasks:
            task.request_stop()  # no new sweep or key poll while draining
        self.server.stop(grace).wait()
        for task in self.tasks:
            task.stop()
        self.deployment.close()


def start(config: Config) -> Core:
    """Open storage, load or create keys, and start serving and the background tasks."""
    deployment = open_deployment(config)
    try:
        server, port = create_server(config, deployment.service)
    except BaseException:
        deployment.close()
        raise
    tasks = (
        Periodic("sweep", deployment.operations.sweep, config.sweep_interval_seconds),
        # Picks up keys created, rotated or revoked by other processes, and creates the
        # next signing key when it is due.
        Periodic("key poll", deployment.keys.refresh, config.key_poll_interval_seconds),
    )
    server.start()
    for task in tasks:
        task.start()
    return Core(server, config.host, port, deployment, tasks)


def serve_until_signalled(config: Config, on_ready: Callable[[Core], None]) -> None:
    """Serve until SIGTERM or SIGINT, then shut down gracefully."""
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    core = start(config)
    on_ready(core)
    stopping.wait()
    log.info("shutting down")
    core.stop()
