"""The core's RPCs per store, each judged against same-run baselines.

For one store: start one core worker process on it, warm every operation up, then
measure each `repeats` times, interleaved (one run of every operation per round, so a
busy machine slows baselines and candidates alike), and keep the median rate, p50 and p99.
Every run has 16 calls in flight over 4 channels (4 client processes; see
bench/throughput.py). The baselines of the same run are the empty gRPC call on the same
server (`rpc`) and bare single-row database operations beside the core's tables
(`db_read`, `db_cas`, `db_insert`; bench/db_baselines.py); `sign` comes from
bench/crypto_baselines.py.

Figures: VerifySession without (`verify_rpc`, first store only: it never touches the
store) and with the database check (`verify_db`), RefreshSession (`refresh`),
CreateSession (`create`), the core's peak RSS per process during those loads
(`core_rss`) and, as context, refreshes per CPU-second of the core (`refresh_per_core`:
how many refreshes one fully busy core would do). In full mode, with SQLite, the
same refresh and create on a core signing with EdDSA (`refresh_eddsa`, `create_eddsa`,
context beside the RS256 figures on SQLite): how much of their cost is the signature.
"""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Mapping
from pathlib import Path

from bench import db_baselines
from bench.core_process import Core, started_core
from bench.core_sampler import CoreSampler
from bench.figures import AtLeast, AtMost, Figure, lowest_baseline
from bench.settings import Settings
from bench.stats import Run, median_run
from bench.throughput import measure

BASELINES = ("empty", "db_read", "db_cas", "db_insert")
# Operation: (figure name, target ratio, baselines it is bounded by).
CANDIDATES: dict[str, tuple[str, float, tuple[str, ...]]] = {
    "verify": ("verify_rpc", 0.8, ("rpc",)),
    "verify_db": ("verify_db", 0.6, ("rpc", "db_read")),
    "refresh": ("refresh", 0.4, ("rpc", "db_cas", "sign")),
    "create": ("create", 0.4, ("rpc", "db_insert", "sign")),
}
BASELINE_NAMES = {
    "empty": "rpc",
    "db_read": "db_read",
    "db_cas": "db_cas",
    "db_insert": "db_insert",
}
RSS_LIMIT_MB = 150.0


def figures(
    settings: Settings, store: str, url: str, sign_rate: float, with_verify: bool
) -> list[Figure]:
    """Baselines and RPC figures on `store` (a fresh database at `url`)."""
    operations = [*BASELINES, *(op for op in CANDIDATES if with_verify or op != "verify")]
    db_baselines.prepare(url, settings.in_flight)
    with tempfile.TemporaryDirectory() as folder, started_core(store, url, Path(folder)) as core:
        runs, samplers = _measure_all(settings, core, url, operations)
    medians = {op: median_run(values) for op, values in runs.items()}
    baselines = {BASELINE_NAMES[op]: medians[op].rate for op in BASELINES}
    baselines["sign"] = sign_rate
    result = [_context(BASELINE_NAMES[op], store, medians[op]) for op in BASELINES]
    result += [_judged(op, store, medians[op], baselines) for op in operations if op in CANDIDATES]
    result += _core_figures(store, settings.seconds, runs["refresh"], samplers)
    if store == "sqlite" and not settings.quick:
        result += _algorithm_figures(settings, medians)
    return result


ALGORITHM_CONTEXT = "EdDSA"


def _algorithm_figures(settings: Settings, rs256: Mapping[str, Run]) -> list[Figure]:
    """Refresh and create on a core that signs with EdDSA, beside the RS256 runs on SQLite.

    A fresh database: every core start here generates its own master secret.
    """
    operations = ["refresh", "create"]
    algorithm = {"SESSION_CORE_SIGNING_ALGORITHM": ALGORITHM_CONTEXT}
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'eddsa.sqlite3'}"
        with started_core("sqlite", url, Path(folder), settings=algorithm) as core:
            runs, _ = _measure_all(settings, core, url, operations)
    store = "sqlite"
    return [
        Figure(
            f"{op}_eddsa",
            store,
            median_run(runs[op]).rate,
            "calls/s",
            baseline=f"{op} (RS256)",
            baseline_value=rs256[op].rate,
            p50_ms=median_run(runs[op]).p50_ms,
            p99_ms=median_run(runs[op]).p99_ms,
            note="context: the same calls on a core signing with EdDSA",
        )
        for op in operations
    ]


def _measure_all(
    settings: Settings, core: Core, url: str, operations: list[str]
) -> tuple[dict[str, list[Run]], dict[str, list[CoreSampler]]]:
    def job(operation: str, seconds: float) -> tuple[str, str, str, int, float]:
        return (core.target, operation, url, settings.threads, seconds)

    for operation in operations:
        measure(job(operation, settings.warmup_seconds), settings.processes)
    runs: dict[str, list[Run]] = {op: [] for op in operations}
    samplers: dict[str, list[CoreSampler]] = {op: [] for op in operations}
    for _ in range(settings.repeats):
        for operation in operations:
            with CoreSampler(core.pid) as sampler:
                runs[operation].append(
                    Run(*measure(job(operation, settings.seconds), settings.processes))
                )
            samplers[operation].append(sampler)
    return runs, samplers


def _context(name: str, store: str, run: Run) -> Figure:
    return Figure(name, store, run.rate, "calls/s", p50_ms=run.p50_ms, p99_ms=run.p99_ms)


def _judged(operation: str, store: str, run: Run, baselines: Mapping[str, float]) -> Figure:
    name, ratio, bounds = CANDIDATES[operation]
    label, value = lowest_baseline(baselines, bounds)
    return Figure(
        name,
        "" if operation == "verify" else store,
        run.rate,
        "calls/s",
        baseline=label,
        baseline_value=value,
        target=AtLeast(ratio),
        p50_ms=run.p50_ms,
        p99_ms=run.p99_ms,
        note=f"core on {store}" if operation == "verify" else "",
    )


def _core_figures(
    store: str, seconds: float, refreshes: list[Run], samplers: Mapping[str, list[CoreSampler]]
) -> list[Figure]:
    loaded = [s for op in CANDIDATES for s in samplers.get(op, [])]
    peak = max(s.peak_rss_mb for s in loaded)
    # Refreshes done over the core's CPU seconds: what one core kept fully busy would do.
    per_core = statistics.median(
        run.rate * seconds / max(sampler.cpu_seconds, 1e-9)
        for run, sampler in zip(refreshes, samplers["refresh"], strict=True)
    )
    return [
        Figure(
            "core_rss",
            store,
            peak,
            "MB",
            target=AtMost(RSS_LIMIT_MB),
            note="peak RSS per core process during the RPC loads",
        ),
        Figure(
            "refresh_per_core",
            store,
            per_core,
            "refreshes/CPU-s",
            note="refreshes per second of one fully busy core (core CPU time)",
        ),
    ]
