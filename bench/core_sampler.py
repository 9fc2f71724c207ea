"""Sample a core's resident memory and CPU time while a load runs against it.

`CoreSampler(pid)` is a context manager: a thread reads the RSS of the core process and
of its worker children (psutil) every `interval` seconds, keeping the largest seen per
process, and the CPU time (user + system) the process tree used inside the block.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType

import psutil  # type: ignore[import-untyped, unused-ignore]

INTERVAL_SECONDS = 0.05
MB = 1024 * 1024


class CoreSampler:
    """Peak RSS per process (MB) and CPU seconds of a core's process tree during a block."""

    def __init__(self, pid: int, interval: float = INTERVAL_SECONDS) -> None:
        self._root = psutil.Process(pid)
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.peak_rss_mb = 0.0
        self.cpu_seconds = 0.0
        self.wall_seconds = 0.0

    def __enter__(self) -> CoreSampler:
        self._cpu_start = self._cpu()
        self._wall_start = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        self.cpu_seconds = self._cpu() - self._cpu_start
        self.wall_seconds = time.perf_counter() - self._wall_start

    def _processes(self) -> list[psutil.Process]:
        return [self._root, *self._root.children(recursive=True)]

    def _cpu(self) -> float:
        total = 0.0
        for process in self._processes():
            times = process.cpu_times()
            total += times.user + times.system
        return total

    def _sample(self) -> None:
        for process in self._processes():
            try:
                rss = process.memory_info().rss / MB
            except psutil.NoSuchProcess:
                continue  # a worker that just exited has nothing left to measure
            self.peak_rss_mb = max(self.peak_rss_mb, rss)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()


def rss_mb(pid: int) -> float:
    """The current resident set size of one process, in MB."""
    return float(psutil.Process(pid).memory_info().rss) / MB
