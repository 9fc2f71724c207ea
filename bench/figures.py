"""Figures and targets: what every benchmark of the suite hands to the report.

A `Figure` is one measured value beside the baseline it is judged against, both from the
same run (absolute numbers on a shared 2-core machine mean little; ratios travel). A
figure with a `target` passes or fails; one without is context (printed, never judged).

    Figure("verify_rpc", "sqlite", 5210.0, "calls/s",
           baseline="rpc", baseline_value=6100.0, target=AtLeast(0.8))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AtLeast:
    """Passes when value / baseline_value >= ratio."""

    ratio: float

    def passes(self, figure: Figure) -> bool:
        return figure.ratio is not None and figure.ratio >= self.ratio

    def describe(self) -> str:
        return f">= {self.ratio:g} x"


@dataclass(frozen=True)
class Below:
    """Passes when the value itself is below `limit` (in the figure's unit)."""

    limit: float

    def passes(self, figure: Figure) -> bool:
        return figure.value < self.limit

    def describe(self) -> str:
        return f"< {self.limit:g}"


@dataclass(frozen=True)
class AtMost:
    """Passes when the value itself is at most `limit` (in the figure's unit)."""

    limit: float

    def passes(self, figure: Figure) -> bool:
        return figure.value <= self.limit

    def describe(self) -> str:
        return f"<= {self.limit:g}"


Target = AtLeast | Below | AtMost


@dataclass(frozen=True)
class Figure:
    """One measured figure, its same-run baseline and its target (None: context only).

    `store` is the storage backend ("sqlite", "postgres", "mongodb") or "" where none is
    involved. `p50_ms` / `p99_ms` are set for throughput figures measured with latencies.
    """

    name: str
    store: str
    value: float
    unit: str
    baseline: str = ""
    baseline_value: float | None = None
    target: Target | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if not self.baseline_value:
            return None
        return self.value / self.baseline_value

    @property
    def passed(self) -> bool | None:
        return None if self.target is None else self.target.passes(self)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "store": self.store,
            "value": self.value,
            "unit": self.unit,
            "baseline": self.baseline or None,
            "baseline_value": self.baseline_value,
            "ratio": self.ratio,
            "target": self.target.describe() if self.target else None,
            "pass": self.passed,
            "p50_ms": self.p50_ms,
            "p99_ms": self.p99_ms,
            "note": self.note or None,
            **self.extra,
        }


def lowest_baseline(baselines: Mapping[str, float], names: Sequence[str]) -> tuple[str, float]:
    """(label, value) of the lowest of the named baselines, the one a figure is judged by.

    A figure bounded by several costs (an RPC, a database write, a signature) cannot be
    faster than the slowest of them, so its target is a share of that one. The label says
    which won: `min(rpc,db_cas,sign)=sign`. With one name, the label is that name.
    """
    name = min(names, key=lambda candidate: baselines[candidate])
    if len(names) == 1:
        return name, baselines[name]
    return f"min({','.join(names)})={name}", baselines[name]


def tally(figures: Iterable[Figure]) -> tuple[int, int]:
    """(targets met, figures with a target); context figures count in neither."""
    judged = [figure.passed for figure in figures if figure.passed is not None]
    return sum(judged), len(judged)
