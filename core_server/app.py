"""Wires a running core together: store, keyring, service, server, sweeper."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass

import grpc

from core_server.config import Config
from core_server.domain.clock import SystemClock, SystemRandom
from core_server.keyring import load_keyring
from core_server.rpc.server import create_server, host_port
from core_server.service import SessionService
from core_server.storage.base import SessionStore
from core_server.storage.registry import open_store
from core_server.sweeper import Sweeper

log = logging.getLogger(__name__)
SHUTDOWN_GRACE_SECONDS = 10.0


@dataclass
class Core:
    """A started core; `stop()` drains in-flight calls, then releases storage."""

    server: grpc.Server
    host: str
    port: int
    store: SessionStore
    sweeper: Sweeper

    @property
    def address(self) -> str:
        return host_port(self.host, self.port)

    def stop(self, grace: float = SHUTDOWN_GRACE_SECONDS) -> None:
        self.server.stop(grace).wait()
        self.sweeper.stop()
        self.store.close()


def start(config: Config) -> Core:
    """Open storage, load or create keys, and start serving."""
    clock, rng = SystemClock(), SystemRandom()
    store = open_store(config.storage, config.effective_storage_url)
    try:
        keyring = load_keyring(store, config.master_secrets, config.signing_algorithm, clock, rng)
        service = SessionService(config, store, keyring, clock, rng)
        server, port = create_server(config, service)
    except BaseException:
        store.close()
        raise
    sweeper = Sweeper(service.sweep, config.sweep_interval_seconds)
    server.start()
    sweeper.start()
    return Core(server, config.host, port, store, sweeper)


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
