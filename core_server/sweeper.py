"""A background thread that deletes expired sessions at a fixed interval."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Sweeper:
    """Calls `sweep()` every `interval` seconds until stopped; errors are logged, not fatal."""

    def __init__(self, sweep: Callable[[], int], interval: float) -> None:
        self._sweep = sweep
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sweeper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            try:
                deleted = self._sweep()
            except Exception:  # a database hiccup must not kill the sweeper
                log.exception("sweeping expired sessions failed; will retry")
                continue
            if deleted:
                log.info("expired sessions deleted", extra={"count": deleted})
