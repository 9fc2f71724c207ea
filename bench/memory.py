"""Growth of the core's resident memory over 100,000 refreshes (full mode only).

Starts one core worker process on the store, runs `WARMUP_REFRESHES` refreshes (pools,
caches and the allocator reach their working size), reads its RSS, runs `REFRESHES`
more with 16 calls in flight over 4 channels, and reads it again. A leak of a few
hundred bytes per refresh shows as growth here long before it shows in production.
Target: under 10 % growth. (The RSS under load itself is `core_rss`, measured during
the RPC figures: bench/rpc_figures.py.)
"""

from __future__ import annotations

import multiprocessing as mp
import tempfile
import threading
from pathlib import Path

import grpc

from bench.core_process import started_core
from bench.core_sampler import rss_mb
from bench.figures import Below, Figure
from bench.settings import Settings
from bench.throughput import rpc_call

REFRESHES = 100_000
WARMUP_REFRESHES = 10_000
GROWTH_LIMIT_PERCENT = 10.0


def figures(settings: Settings, store: str, url: str) -> list[Figure]:
    """The `rss_growth` figure: percent RSS growth of the core over `REFRESHES` refreshes."""
    with tempfile.TemporaryDirectory() as folder, started_core(store, url, Path(folder)) as core:
        refresh_many(core.target, WARMUP_REFRESHES, settings)
        before = rss_mb(core.pid)
        refresh_many(core.target, REFRESHES, settings)
        after = rss_mb(core.pid)
    return [
        Figure(
            "rss_growth",
            store,
            (after - before) / before * 100,
            "%",
            target=Below(GROWTH_LIMIT_PERCENT),
            note=f"{before:.0f} MB after warm-up, {after:.0f} MB after {REFRESHES:,} refreshes",
            extra={"rss_before_mb": before, "rss_after_mb": after},
        )
    ]


def refresh_many(target: str, total: int, settings: Settings) -> None:
    """`total` refreshes from `processes` client processes of `threads` callers each."""
    callers = settings.processes * settings.threads
    procs = [
        mp.Process(target=refreshing_process, args=(target, total // callers, settings.threads))
        for _ in range(settings.processes)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    if failed := [proc.exitcode for proc in procs if proc.exitcode]:
        raise RuntimeError(f"refreshing client processes failed: exit codes {failed}")


def refreshing_process(target: str, per_thread: int, threads: int) -> None:
    """`threads` callers, each refreshing its own session `per_thread` times."""
    with grpc.insecure_channel(target) as channel:
        calls = [rpc_call("refresh", channel) for _ in range(threads)]
        errors: list[BaseException] = []

        def worker(index: int) -> None:
            try:
                for _ in range(per_thread):
                    calls[index]()
            except Exception as exc:  # re-raised below, so the process exits non-zero
                errors.append(exc)

        pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
    if errors:
        raise errors[0]
