"""The settings of one benchmark run, built once from the command line.

Defaults follow the issue: each measurement runs `seconds` long, `repeats` times (the
median is reported), with 16 calls in flight over 4 channels (4 client processes of 4
threads each) against one core worker process. Quick mode shortens every run.
"""

from __future__ import annotations

from dataclasses import dataclass

FULL_SECONDS = 5.0
QUICK_SECONDS = 0.5
REPEATS = 3
PROCESSES = 4
THREADS = 4
ALL_STORES = ("sqlite", "postgres", "mongodb")
QUICK_STORES = ("sqlite",)


@dataclass(frozen=True)
class Settings:
    """How long and how often to measure, and on which stores."""

    quick: bool = False
    stores: tuple[str, ...] = ALL_STORES
    seconds: float = FULL_SECONDS
    repeats: int = REPEATS
    processes: int = PROCESSES
    threads: int = THREADS

    def __post_init__(self) -> None:
        if self.seconds <= 0 or self.repeats < 1:
            raise ValueError("seconds must be positive and repeats at least 1")
        if unknown := set(self.stores) - set(ALL_STORES):
            raise ValueError(f"unknown stores: {', '.join(sorted(unknown))}")

    @property
    def warmup_seconds(self) -> float:
        """How long each operation runs unmeasured first (caches, JIT-less Python paths)."""
        return min(1.0, self.seconds / 2)

    @property
    def in_flight(self) -> int:
        return self.processes * self.threads
