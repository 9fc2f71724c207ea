"""Timed runs and how repeats of one are summarised."""

from __future__ import annotations

import statistics
from typing import NamedTuple


class Run(NamedTuple):
    """One timed run: calls per second, p50 and p99 latency in ms."""

    rate: float
    p50_ms: float
    p99_ms: float


def median_run(runs: list[Run]) -> Run:
    """The median rate, the median p50 and the median p99 of the runs (each on its own).

    Each is a median of its own: one run slowed by a neighbour on a shared machine moves
    none of them, and a p99 is not tied to whichever run had the median rate.
    """
    return Run(*(statistics.median(values) for values in zip(*runs, strict=True)))
