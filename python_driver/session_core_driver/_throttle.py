"""A thread-safe "at most once per period" gate, for warnings that could flood a log."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Throttle:
    """`allow()` is True at most once per `period` seconds (the first call always)."""

    def __init__(self, period: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._period = period
        self._clock = clock
        self._next = float("-inf")
        self._lock = threading.Lock()

    def allow(self) -> bool:
        now = self._clock()
        if now < self._next:  # the common case, without the lock
            return False
        # Non-blocking: a lock inherited held across fork() must not hang a caller.
        if not self._lock.acquire(blocking=False):
            return False
        try:
            if now < self._next:
                return False
            self._next = now + self._period
            return True
        finally:
            self._lock.release()
