"""Real waiting with explicit bounds: the core runs in its own process and clock."""

from __future__ import annotations

import time
from collections.abc import Callable

# Margin past an expiry instant, covering whole-second `exp` values and scheduling.
EXPIRY_MARGIN_SECONDS = 1.1


def sleep_until(instant: float) -> None:
    """Sleep until the wall clock passes `instant` (seconds since the epoch)."""
    delay = instant - time.time()
    if delay > 0:
        time.sleep(delay)


def sleep_past(instant: float, margin: float = EXPIRY_MARGIN_SECONDS) -> None:
    """Sleep until `margin` seconds after `instant`, so anything expiring then has expired."""
    sleep_until(instant + margin)


def wait_for(condition: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass; return its last value."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return condition()
        time.sleep(interval)
    return True
