"""`session-core serve`: one process, or a parent that forks N workers sharing one port.

With `workers = 1` this process serves (and serves its own metrics). With N > 1 the
parent forks N children before any gRPC server, thread or storage connection exists
in it; each child runs `app.serve_until_signalled` on the same host:port with
SO_REUSEPORT, so the kernel spreads connections over them. The parent:

* picks the port first when `port = 0`, holding it with a bound, non-listening
  SO_REUSEPORT socket until every worker listens (so all workers share one port);
* prints `session-core listening on HOST:PORT` once, when every worker is ready;
* forwards SIGTERM and SIGINT to the workers and exits 0 once all stopped cleanly;
* when a worker dies on its own, stops the others and exits 1, so a supervisor
  restarts the whole set; a worker whose parent died stops itself;
* serves the metrics of all workers, aggregated from per-process files in a fresh
  temporary directory (prometheus-client's multiprocess mode), removed at exit.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from core_server import metrics, metrics_endpoint
from core_server.app import serve_until_signalled
from core_server.config import Config
from core_server.errors import ConfigError
from core_server.rpc.server import host_port
from core_server.storage.errors import StorageError
from core_server.worker_supervisor import Supervisor

log = logging.getLogger(__name__)
STOP_SIGNALS = frozenset({signal.SIGTERM, signal.SIGINT})


def serve(config: Config) -> int:
    """Serve until SIGTERM or SIGINT; returns the exit status (0: clean shutdown).

    Raises `ConfigError` or `StorageError` when this process cannot start serving.
    """
    if config.workers == 1:
        _serve_alone(config)
        return 0
    return _serve_workers(config)


def failure_message(exc: BaseException) -> str | None:
    """The one-line message for a start failure an operator can fix, else None."""
    if isinstance(exc, ConfigError):
        return f"session-core: configuration error: {exc}"
    if isinstance(exc, StorageError):
        return f"session-core: storage error: {exc}"
    return None


def announce_ready(address: str) -> None:
    print(f"session-core listening on {address}", flush=True)


def _announce_metrics(endpoint: metrics_endpoint.MetricsEndpoint) -> None:
    print(f"session-core: metrics on http://{endpoint.address}/metrics", flush=True)


def _serve_alone(config: Config) -> None:
    endpoint = None
    if config.metrics_port:
        registry = metrics.enable_in_process()
        endpoint = metrics_endpoint.serve(config.metrics_host, config.metrics_port, registry)
        _announce_metrics(endpoint)
    try:
        serve_until_signalled(config, lambda core: announce_ready(core.address))
    finally:
        if endpoint is not None:
            endpoint.stop()


def _serve_workers(config: Config) -> int:
    reservation = _reserve_port(config.host) if config.port == 0 else None
    port = reservation.getsockname()[1] if reservation is not None else config.port
    metrics_dir = _metrics_dir() if config.metrics_port else None
    try:
        supervisor = Supervisor(config.workers, metrics_dir, reservation)
        workers = dataclasses.replace(config, port=port)
        with _stop_signals_blocked():
            supervisor.start(
                lambda ready_fd, lifeline_fd: _worker(workers, metrics_dir, ready_fd, lifeline_fd)
            )
        return supervisor.run(
            on_ready=lambda: announce_ready(host_port(config.host, port)),
            start_metrics=lambda: _parent_metrics(config, metrics_dir),
        )
    finally:
        if reservation is not None:
            reservation.close()
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _metrics_dir() -> Path:
    """A fresh directory for the workers' metric files, named in their environment."""
    directory = Path(tempfile.mkdtemp(prefix="session-core-metrics-"))
    # Set before forking, so prometheus-client finds it in every worker; each worker
    # also installs the multiprocess value class explicitly (`enable_in_worker`).
    os.environ[metrics_endpoint.MULTIPROC_ENV] = str(directory)
    log.info("workers write their metrics into a directory", extra={"path": str(directory)})
    return directory


def _parent_metrics(
    config: Config, metrics_dir: Path | None
) -> metrics_endpoint.MetricsEndpoint | None:
    if metrics_dir is None:
        return None
    registry = metrics_endpoint.multiprocess_registry(metrics_dir)
    endpoint = metrics_endpoint.serve(config.metrics_host, config.metrics_port, registry)
    _announce_metrics(endpoint)
    return endpoint


def _reserve_port(host: str) -> socket.socket:
    """A free port on `host`, held by a bound (never listening) SO_REUSEPORT socket."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, 0, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        reservation = socket.socket(family, kind, proto)
        reservation.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        reservation.bind(address)
    except OSError as exc:
        raise ConfigError("port", f"cannot pick a free port on {host}: {exc.strerror}") from exc
    return reservation


@contextmanager
def _stop_signals_blocked() -> Iterator[None]:
    """Block SIGTERM/SIGINT while forking: a worker must not take one before it can stop."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _worker(config: Config, metrics_dir: Path | None, ready_fd: int, lifeline_fd: int) -> NoReturn:
    """A forked worker's whole life; never returns into the parent's code."""
    code = 1
    try:
        threading.Thread(target=_stop_when_orphaned, args=(lifeline_fd,), daemon=True).start()
        if metrics_dir is not None:
            metrics.enable_in_worker()
        serve_until_signalled(config, lambda core: _report_ready(ready_fd))
        code = 0
    except BaseException as exc:
        message = failure_message(exc)
        if message is None:
            log.exception("worker failed")
        else:
            print(message, file=sys.stderr)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _report_ready(ready_fd: int) -> None:
    os.write(ready_fd, f"{os.getpid()}\n".encode("ascii"))
    os.close(ready_fd)
    # Signals stayed blocked (pending) since the fork: only now can this worker stop
    # cleanly. The server's threads were started blocked, so the main thread takes them.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def _stop_when_orphaned(lifeline_fd: int) -> None:
    """Stop this worker when the parent is gone (its end of the lifeline pipe closed)."""
    while os.read(lifeline_fd, 1):
        pass
    log.warning("parent process exited; worker stopping")
    os.kill(os.getpid(), signal.SIGTERM)
