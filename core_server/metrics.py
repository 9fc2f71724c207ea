"""Prometheus metrics of a core process: the instruments and the functions that record.

Every `record_*` function may be called from any thread at any time: until `enable_*`
ran in this process they do nothing, so code paths that record need no flag and tests
that never serve metrics pay nothing. Label values are fixed sets (checked here), so no
input can create an unbounded number of series; no label ever holds a token, a user id
or a session handle.

Two modes, chosen explicitly rather than by prometheus_client's import-time look at
the environment:

* one process (`enable_in_process`): values live in memory; the returned registry is
  served by `core_server.metrics_endpoint` from this process;
* a worker of `serve --workers N` (`enable_in_worker`): values live in per-process
  files of a directory the parent created; the parent aggregates them.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, values
from prometheus_client import disable_created_metrics as _disable_created_metrics

RefreshResult = Literal["rotated", "replayed", "theft", "unauthorised"]
RevocationKind = Literal["session", "key"]
REFRESH_RESULTS: tuple[RefreshResult, ...] = ("rotated", "replayed", "theft", "unauthorised")
REVOCATION_KINDS: tuple[RevocationKind, ...] = ("session", "key")
KEY_STATES = ("published", "signing", "revoked")
# From a cache-hot verify (~1 ms) to the longest default deadline (10 s).
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# How often a worker rewrites its time-derived gauges (one process computes them at scrape).
GAUGE_TICK_SECONDS = 1.0


@dataclass(frozen=True)
class _Instruments:
    rpc_requests: Counter
    rpc_duration: Histogram
    refreshes: Counter
    thefts: Counter
    revocations: Counter
    feed_append_failures: Counter
    feed_lag: Gauge
    signing_key_age: Gauge
    signing_keys: Gauge


class _KeyView:
    """When this process last refreshed its key view, and since when its signer signs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._refreshed_at = time.time()  # until the first refresh: since metrics started
        self._signing_since: float | None = None

    def update(self, refreshed_at: float, signing_since: float | None) -> None:
        with self._lock:
            self._refreshed_at, self._signing_since = refreshed_at, signing_since

    def lag(self) -> float:
        with self._lock:
            return max(0.0, time.time() - self._refreshed_at)

    def signing_key_age(self) -> float:
        """Seconds since the signing key started signing; 0 while no key signs."""
        with self._lock:
            since = self._signing_since
        return 0.0 if since is None else max(0.0, time.time() - since)


_instruments: _Instruments | None = None
_view = _KeyView()


def enable_in_process() -> CollectorRegistry:
    """Record into memory; returns the registry to serve from this process."""
    values.ValueClass = values.MutexValue
    registry = CollectorRegistry(auto_describe=True)
    instruments = _build(registry)
    instruments.feed_lag.set_function(_view.lag)
    instruments.signing_key_age.set_function(_view.signing_key_age)
    _install(instruments)
    return registry


def enable_in_worker() -> None:
    """Record into this process's files in `PROMETHEUS_MULTIPROC_DIR` (set by the parent).

    Must run in the worker after the fork and before any other metric is created.
    """
    values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]
    _install(_build(None))
    threading.Thread(target=_tick_gauges, name="metrics-gauges", daemon=True).start()


def recording() -> bool:
    """Whether this process records metrics (a metrics port is configured)."""
    return _instruments is not None


def record_rpc(method: str, outcome: str, seconds: float) -> None:
    """One finished RPC; `method` and `outcome` come from fixed tables in the interceptor."""
    if (instruments := _instruments) is not None:
        instruments.rpc_requests.labels(method, outcome).inc()
        instruments.rpc_duration.labels(method, outcome).observe(seconds)


def record_refresh(result: RefreshResult) -> None:
    """One RefreshSession answered: rotated, replayed (grace window), theft or unauthorised."""
    _check(result, REFRESH_RESULTS, "refresh result")
    if (instruments := _instruments) is not None:
        instruments.refreshes.labels(result).inc()


def record_theft() -> None:
    """One refresh-token theft detected (the session it belongs to is revoked)."""
    if (instruments := _instruments) is not None:
        instruments.thefts.inc()


def record_revocations(kind: RevocationKind, count: int = 1) -> None:
    """`count` sessions or signing keys revoked (0 is allowed and records nothing)."""
    _check(kind, REVOCATION_KINDS, "revocation kind")
    if count < 0:
        raise ValueError("a revocation count cannot be negative")
    if (instruments := _instruments) is not None and count:
        instruments.revocations.labels(kind).inc(count)


def record_feed_append_failure() -> None:
    """One revocation-feed entry that could not be written (the sweeper reconciles it)."""
    if (instruments := _instruments) is not None:
        instruments.feed_append_failures.inc()


def record_key_view(
    refreshed_at: float, signing_since: float | None, counts: Mapping[str, int]
) -> None:
    """This process re-read its signing keys and key revocations from storage.

    `refreshed_at` and `signing_since` are Unix times (`signing_since` is None when no
    key signs); `counts` maps states in `KEY_STATES` to how many keys are in each, a
    missing state counting 0.
    """
    for state in counts:
        _check(state, KEY_STATES, "signing-key state")
    if not math.isfinite(refreshed_at):
        raise ValueError("refreshed_at must be a finite time")
    _view.update(refreshed_at, signing_since)
    if (instruments := _instruments) is not None:
        for state in KEY_STATES:
            instruments.signing_keys.labels(state).set(counts.get(state, 0))


def _check(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; one of {allowed}")


def _install(instruments: _Instruments) -> None:
    global _instruments
    # Series of fixed, small label sets exist from the start, at 0: a rate over them
    # works before the first event, and an absent series means "not running".
    for result in REFRESH_RESULTS:
        instruments.refreshes.labels(result)
    for kind in REVOCATION_KINDS:
        instruments.revocations.labels(kind)
    for state in KEY_STATES:
        instruments.signing_keys.labels(state)
    _instruments = instruments


def _tick_gauges() -> None:
    """Keep a worker's time-derived gauges current: its files are read at any time."""
    while (instruments := _instruments) is not None:
        instruments.feed_lag.set(_view.lag())
        instruments.signing_key_age.set(_view.signing_key_age())
        time.sleep(GAUGE_TICK_SECONDS)


def _build(registry: CollectorRegistry | None) -> _Instruments:
    _disable_created_metrics()  # type: ignore[no-untyped-call]
    rpc_labels = ("method", "outcome")
    return _Instruments(
        rpc_requests=Counter(
            "session_core_rpc_requests",
            "RPCs answered, by method and outcome (or gRPC status code when the call failed).",
            rpc_labels,
            registry=registry,
        ),
        rpc_duration=Histogram(
            "session_core_rpc_duration_seconds",
            "Time to answer an RPC, by method and outcome.",
            rpc_labels,
            registry=registry,
            buckets=DURATION_BUCKETS,
        ),
        refreshes=Counter(
            "session_core_refreshes",
            "RefreshSession answers: rotated, replayed, theft, unauthorised.",
            ("result",),
            registry=registry,
        ),
        thefts=Counter("session_core_thefts", "Refresh-token thefts detected.", registry=registry),
        revocations=Counter(
            "session_core_revocations",
            "Sessions and signing keys revoked, by kind.",
            ("kind",),
            registry=registry,
        ),
        feed_append_failures=Counter(
            "session_core_feed_append_failures",
            "Revocation-feed entries that could not be written.",
            registry=registry,
        ),
        **_gauges(registry),
    )


def _gauges(registry: CollectorRegistry | None) -> dict[str, Gauge]:
    # Across workers the worst value is the one to alert on: the largest lag or age.
    return {
        "feed_lag": Gauge(
            "session_core_feed_lag_seconds",
            "Seconds since this process last refreshed its signing keys and key revocations.",
            registry=registry,
            multiprocess_mode="livemax",
        ),
        "signing_key_age": Gauge(
            "session_core_signing_key_age_seconds",
            "Seconds since the key signing access tokens now started signing (0: none signs).",
            registry=registry,
            multiprocess_mode="livemax",
        ),
        "signing_keys": Gauge(
            "session_core_signing_keys",
            "Signing keys by state: published (not signing yet), signing, revoked.",
            ("state",),
            registry=registry,
            multiprocess_mode="livemax",
        ),
    }
