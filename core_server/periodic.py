"""A background thread that runs one task at a fixed interval (the sweep, the key poll)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

# While a task keeps failing (storage down), say so at most this often, not every run.
FAILURE_LOG_INTERVAL_SECONDS = 60.0
# How long stop() waits for a run in progress; the thread is a daemon, and every task is
# safe to cut short (the next process's run redoes it), so shutdown never waits longer.
STOP_WAIT_SECONDS = 2.0


class Periodic:
    """Calls `task()` every `interval` seconds until stopped; failures are logged, not fatal.

    The first failure is logged with its traceback, repeats once a minute, and the
    recovery once, so an outage does not flood the log at the task's rate.
    """

    def __init__(self, name: str, task: Callable[[], object], interval: float) -> None:
        self._name = name
        self._task = task
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._failing_since: float | None = None
        self._last_report = 0.0

    def start(self) -> None:
        self._thread.start()

    def request_stop(self) -> None:
        """Start no further run (one in progress finishes on its own)."""
        self._stopped.set()

    def stop(self, wait: float = STOP_WAIT_SECONDS) -> None:
        """Start no further run and wait up to `wait` seconds for one in progress."""
        self._stopped.set()
        self._thread.join(timeout=wait)

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            try:
                self._task()
            except Exception:  # a database hiccup must not kill the thread
                self._failed()
            else:
                self._recovered()

    def _failed(self) -> None:
        now = time.monotonic()
        if self._failing_since is None:
            self._failing_since = self._last_report = now
            log.exception("%s failed; will retry", self._name)
        elif now - self._last_report >= FAILURE_LOG_INTERVAL_SECONDS:
            self._last_report = now
            log.warning(
                "%s still failing",
                self._name,
                extra={"for_seconds": round(now - self._failing_since)},
            )

    def _recovered(self) -> None:
        if self._failing_since is not None:
            log.info("%s recovered", self._name)
            self._failing_since = None
