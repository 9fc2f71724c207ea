"""The HTTP endpoint that serves a core's Prometheus metrics, and multi-worker upkeep.

The endpoint answers `GET /metrics` (any path, as prometheus_client does) in the
Prometheus text format, or OpenMetrics when the scraper asks for it. It carries no
authentication: bind it to loopback or a private interface (the default is loopback).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from threading import Thread
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from core_server.errors import ConfigError
from core_server.rpc.server import host_port

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


@dataclass
class MetricsEndpoint:
    """A started endpoint; `stop()` closes its socket and ends its thread."""

    server: WSGIServer
    thread: Thread
    address: str

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve(host: str, port: int, registry: CollectorRegistry) -> MetricsEndpoint:
    """Serve `registry` on host:port from a daemon thread; ConfigError if it cannot bind."""
    try:
        server, thread = start_http_server(port, addr=host, registry=registry)
    except OSError as exc:
        raise ConfigError(
            "metrics_port", f"cannot serve metrics on {host_port(host, port)}: {exc.strerror}"
        ) from exc
    return MetricsEndpoint(server, thread, host_port(host, server.server_port))


def multiprocess_registry(directory: Path) -> CollectorRegistry:
    """A registry that aggregates the files every worker writes into `directory`."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))  # type: ignore[no-untyped-call]
    return registry


def worker_exited(pid: int, directory: Path) -> None:
    """Drop an exited worker's live gauges; its counters keep counting in the totals."""
    mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]
