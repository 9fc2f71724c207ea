"""The parent of `serve --workers N`: forks the workers, waits for them, stops them.

Event-driven, with no polling while all is well: the parent sleeps in `select` on the
workers' readiness pipe and on a wakeup pipe that every SIGTERM, SIGINT and SIGCHLD
writes to (`signal.set_wakeup_fd`), so no signal or worker exit can slip in between a
check and the wait. The only timed wait is the stop bound.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import NoReturn, Protocol

from core_server import metrics_endpoint
from core_server.app import SHUTDOWN_GRACE_SECONDS

log = logging.getLogger(__name__)
# Workers drain in-flight calls for up to the shutdown grace, then close storage.
STOP_BOUND_SECONDS = SHUTDOWN_GRACE_SECONDS + 5.0
Worker = Callable[[int, int], NoReturn]


class _Stoppable(Protocol):
    def stop(self) -> None: ...


class Supervisor:
    """Forks `count` workers (`start`), then supervises them until all exited (`run`)."""

    def __init__(
        self, count: int, metrics_dir: Path | None, reservation: socket.socket | None
    ) -> None:
        self._count = count
        self._metrics_dir = metrics_dir
        self._reservation = reservation
        self._pids: dict[int, int] = {}  # pid -> worker number
        self._ready: set[int] = set()
        self._announced = False
        self._signalled: int | None = None
        self._stopping = False
        self._stop_deadline: float | None = None  # None while stopping: wait unbounded
        self._failed = False
        self._ready_fd: int | None = None
        self._lifeline_fd: int | None = None

    def start(self, worker: Worker) -> None:
        """Fork the workers; call with SIGTERM and SIGINT blocked (workers inherit that).

        Each worker runs `worker(ready_fd, lifeline_fd)`: it writes its pid to ready_fd
        once it serves, and sees end-of-file on lifeline_fd when the parent is gone.
        """
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_stop_signal)
        ready_read, ready_write = os.pipe()
        lifeline_read, lifeline_write = os.pipe()
        self._ready_fd, self._lifeline_fd = ready_read, lifeline_write
        sys.stdout.flush()  # or a worker would print the parent's buffered output again
        sys.stderr.flush()
        for number in range(self._count):
            pid = os.fork()
            if pid == 0:
                self._in_worker(worker, ready_write, lifeline_read)
            self._pids[pid] = number
            log.info("worker started", extra={"worker": number, "worker_pid": pid})
        os.close(ready_write)
        os.close(lifeline_read)

    def run(
        self,
        on_ready: Callable[[], None],
        start_metrics: Callable[[], _Stoppable | None],
    ) -> int:
        """Supervise until every worker exited; 0 after a clean, requested stop, else 1."""
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_read, False)
        os.set_blocking(wake_write, False)
        signal.set_wakeup_fd(wake_write)
        # A Python handler, or the default (ignore) would never write the wakeup pipe.
        signal.signal(signal.SIGCHLD, lambda *_: None)
        endpoint = None
        try:
            endpoint = self._start_metrics(start_metrics, wake_read)
            self._supervise(wake_read, on_ready)
        finally:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            for fd in (wake_read, wake_write, self._ready_fd, self._lifeline_fd):
                if fd is not None:
                    os.close(fd)
            if endpoint is not None:
                endpoint.stop()
        return 1 if self._failed else 0

    def _in_worker(self, worker: Worker, ready_fd: int, lifeline_fd: int) -> NoReturn:
        try:
            for fd in (self._ready_fd, self._lifeline_fd):  # the parent's ends
                if fd is not None:
                    os.close(fd)
            if self._reservation is not None:
                self._reservation.close()
            worker(ready_fd, lifeline_fd)
        finally:
            # Whatever happened, never unwind into the parent's code (its cleanup would
            # remove the shared metrics directory, say): `worker` exits on its own.
            os._exit(1)

    def _start_metrics(
        self, start_metrics: Callable[[], _Stoppable | None], wake_read: int
    ) -> _Stoppable | None:
        try:
            return start_metrics()
        except BaseException:
            self._stop("the metrics endpoint could not start")
            self._supervise(wake_read, lambda: None)
            raise

    def _supervise(self, wake_read: int, on_ready: Callable[[], None]) -> None:
        while True:
            self._reap()
            if self._signalled is not None and not self._stopping:
                self._stop(f"received {signal.Signals(self._signalled).name}", self._signalled)
            self._announce_when_ready(on_ready)
            self._enforce_stop_bound()
            if not self._pids:
                return
            self._wait(wake_read)

    def _wait(self, wake_read: int) -> None:
        watched = [wake_read] if self._ready_fd is None else [wake_read, self._ready_fd]
        timeout = None
        if self._stop_deadline is not None:
            timeout = max(0.0, self._stop_deadline - time.monotonic())
        readable, _, _ = select.select(watched, [], [], timeout)
        if wake_read in readable:
            while _read_available(wake_read):
                pass
        if self._ready_fd is not None and self._ready_fd in readable:
            self._read_ready(self._ready_fd)

    def _read_ready(self, fd: int) -> None:
        data = os.read(fd, 4096)
        if not data:  # every worker closed its end: nothing more will be reported
            os.close(fd)
            self._ready_fd = None
            return
        self._ready.update(int(line) for line in data.split())

    def _announce_when_ready(self, on_ready: Callable[[], None]) -> None:
        if self._announced or self._stopping:
            return
        if len(self._ready & set(self._pids)) < self._count:
            return
        self._announced = True
        if self._reservation is not None:
            self._reservation.close()  # every worker listens now; the port is theirs
        log.info("all workers ready", extra={"workers": self._count})
        on_ready()

    def _reap(self) -> None:
        while self._pids:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self._pids.clear()
                return
            if pid == 0:
                return
            self._exited(pid, os.waitstatus_to_exitcode(status))

    def _exited(self, pid: int, code: int) -> None:
        number = self._pids.pop(pid, None)
        if number is None:
            return
        if self._metrics_dir is not None:
            metrics_endpoint.worker_exited(pid, self._metrics_dir)
        facts = {"worker": number, "worker_pid": pid, "exit_code": code}
        if not self._stopping:
            log.error("worker exited unexpectedly; stopping the others", extra=facts)
            self._failed = True
            self._stop("a worker exited unexpectedly")
        elif code != 0:
            log.error("worker did not stop cleanly", extra=facts)
            self._failed = True
        else:
            log.info("worker stopped", extra=facts)

    def _stop(self, reason: str, signum: int = signal.SIGTERM) -> None:
        log.info("stopping workers", extra={"reason": reason})
        self._stopping = True
        self._stop_deadline = time.monotonic() + STOP_BOUND_SECONDS
        self._signal_all(signum)

    def _enforce_stop_bound(self) -> None:
        deadline = self._stop_deadline
        if deadline is None or not self._pids or time.monotonic() < deadline:
            return
        log.error(
            "workers did not stop in time; killing them",
            extra={"bound_seconds": STOP_BOUND_SECONDS, "pids": sorted(self._pids)},
        )
        self._failed = True
        self._stop_deadline = None  # SIGKILL cannot be refused: wait for the exits
        self._signal_all(signal.SIGKILL)

    def _signal_all(self, signum: int) -> None:
        for pid in list(self._pids):
            with contextlib.suppress(ProcessLookupError):  # exited; reaped on the next pass
                os.kill(pid, signum)

    def _on_stop_signal(self, signum: int, frame: FrameType | None) -> None:
        self._signalled = signum


def _read_available(fd: int) -> bool:
    try:
        return bool(os.read(fd, 512))
    except BlockingIOError:
        return False
