"""Per-process state: values a forked child must build again instead of inheriting.

gRPC channels and background threads do not survive `fork()` (a pre-fork server such
as Gunicorn forks after the app, and the driver, were imported), so everything of that
kind is built lazily and tagged with the process generation that built it (a counter
bumped in every child by `os.register_at_fork`, cheaper to read on the hot path than
`os.getpid()`). A child that touches it first builds its own; the parent's copies are
left alone (closing them from the child could disturb the parent's connections).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


def _new_lock() -> threading.Lock:
    return threading.Lock()


# A lock held by another thread at fork time would stay held for ever in the child, so
# the child gets a fresh one.
_lock = _new_lock()
_generation = 0


def _reset_after_fork() -> None:
    global _lock, _generation
    _lock = _new_lock()
    _generation += 1


os.register_at_fork(after_in_child=_reset_after_fork)


class PerProcess(Generic[T]):
    """A value built by `factory` once per process, on first use.

    `get()` is thread-safe and never calls `factory` twice in one process (unless the
    value was `discard()`ed). After a fork, the child's first `get()` builds a new value.
    """

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._state: tuple[int, T] | None = None

    def get(self) -> T:
        state = self._state
        if state is not None and state[0] == _generation:
            return state[1]
        with _lock:
            state = self._state
            if state is None or state[0] != _generation:
                state = (_generation, self._factory())
                self._state = state
            return state[1]

    def current(self) -> T | None:
        """The value built in this process, or None (never builds one)."""
        state = self._state
        return state[1] if state is not None and state[0] == _generation else None

    def discard(self) -> T | None:
        """Forget this process's value and return it (None if there was none)."""
        with _lock:
            state, self._state = self._state, None
        return state[1] if state is not None and state[0] == _generation else None
