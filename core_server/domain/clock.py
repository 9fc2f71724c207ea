"""Time and randomness as inputs, so the domain stays deterministic under test."""

from __future__ import annotations

import secrets
import time
from typing import Protocol


class Clock(Protocol):
    """Wall-clock time in seconds since the Unix epoch."""

    def now(self) -> float: ...


class Random(Protocol):
    """A source of unpredictable bytes."""

    def bytes(self, n: int) -> bytes: ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class SystemRandom:
    def bytes(self, n: int) -> bytes:
        return secrets.token_bytes(n)


class FrozenClock:
    """A clock that moves only when told to; for tests and simulations."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.current = start

    def now(self) -> float:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += seconds
