"""A background thread that runs the service's sweep at a fixed interval."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable

from core_server.outcomes import SweepReport

log = logging.getLogger(__name__)


class Sweeper:
    """Calls `sweep()` every `interval` seconds until stopped; errors are logged, not fatal.

    A sweep deletes expired sessions and keeps the revocation feed in order (see
    `SessionService.sweep`); what it did is logged when it did anything.
    """

    def __init__(self, sweep: Callable[[], SweepReport], interval: float) -> None:
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
                report = self._sweep()
            except Exception:  # a database hiccup must not kill the sweeper
                log.exception("sweeping failed; will retry")
                continue
            counts = dataclasses.asdict(report)
            if any(counts.values()):
                log.info("swept", extra=counts)
