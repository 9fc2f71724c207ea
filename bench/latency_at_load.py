"""RefreshSession p99 latency on PostgreSQL at an offered load of 50 % of its capacity.

Capacity is the closed-loop refresh rate of one core worker process (16 calls in
flight over 4 channels, median of the repeats; bench/throughput.py). The latency run is
open-loop: each of 4 client processes sends refreshes at fixed times (together,
`LOAD_SHARE` of the capacity, the processes' schedules offset so the sends interleave)
without waiting for earlier answers, and every latency counts from the *scheduled* send
time, so time spent queued behind a slow call counts too (a closed-loop client would
hide it by sending less). Each process refreshes a pool of its own sessions, one call
per session at a time, as real clients do. Target: p99 below 20 ms.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import tempfile
import threading
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path

import grpc

from bench import db_baselines
from bench.core_process import METADATA, started_core
from bench.figures import Below, Figure
from bench.settings import Settings
from bench.stats import Run, median_run
from bench.throughput import measure
from sessioncore.v1 import session_service_pb2 as pb
from sessioncore.v1 import session_service_pb2_grpc as pb_grpc

STORE = "postgres"
LOAD_SHARE = 0.5
P99_LIMIT_MS = 20.0
SESSIONS_PER_PROCESS = 32
CALL_TIMEOUT_SECONDS = 10.0


def figures(settings: Settings, url: str) -> list[Figure]:
    """The `refresh_p99_at_half_load` figure on PostgreSQL (a fresh database at `url`)."""
    db_baselines.prepare(url, settings.in_flight)
    with tempfile.TemporaryDirectory() as folder, started_core(STORE, url, Path(folder)) as core:
        job = (core.target, "refresh", url, settings.threads, settings.seconds)
        measure((*job[:4], settings.warmup_seconds), settings.processes)
        capacity = median_run(
            [Run(*measure(job, settings.processes)) for _ in range(settings.repeats)]
        )
        offered = capacity.rate * LOAD_SHARE
        runs = [open_loop(core.target, offered, settings) for _ in range(settings.repeats)]
    run = median_run(runs)
    return [
        Figure(
            "refresh_p99_at_half_load",
            STORE,
            run.p99_ms,
            "ms",
            target=Below(P99_LIMIT_MS),
            p50_ms=run.p50_ms,
            p99_ms=run.p99_ms,
            note=f"open loop at {LOAD_SHARE:.0%} of {capacity.rate:.0f} refreshes/s",
            extra={
                "capacity_per_s": capacity.rate,
                "offered_per_s": offered,
                "achieved_per_s": run.rate,
            },
        )
    ]


def open_loop(target: str, rate: float, settings: Settings) -> Run:
    """Refresh at `rate` per second for `seconds` from `processes` paced processes."""
    out: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    everyone = mp.Barrier(settings.processes)
    count = settings.processes
    procs = [
        mp.Process(
            target=paced_process,
            args=(target, rate / count, settings.seconds, index / rate, everyone, out),
        )
        for index in range(count)
    ]
    for proc in procs:
        proc.start()
    results = [out.get(timeout=settings.seconds + 120) for _ in procs]
    for proc in procs:
        proc.join()
    if errors := [error for _, error in results if error]:
        raise RuntimeError(f"open-loop refreshes failed: {errors[0]}")
    samples = sorted(value for latencies, _ in results for value in latencies)
    return Run(
        len(samples) / settings.seconds,
        samples[len(samples) // 2] * 1e3,
        samples[int(len(samples) * 0.99)] * 1e3,
    )


def paced_process(
    target: str,
    rate: float,
    seconds: float,
    offset: float,
    everyone: Barrier,
    out: mp.Queue,  # type: ignore[type-arg]
) -> None:
    """Send refreshes at `rate` per second, starting `offset` s after every process is ready."""
    with grpc.insecure_channel(target) as channel:
        stub = pb_grpc.SessionServiceStub(channel)  # type: ignore[no-untyped-call]
        pool: queue.Queue[str] = queue.Queue()
        for _ in range(SESSIONS_PER_PROCESS):
            created = stub.CreateSession(
                pb.CreateSessionRequest(user_id="bench-user"), metadata=METADATA, timeout=30
            )
            pool.put(created.tokens.refresh_token.token)
        latencies: list[float] = []
        errors: list[str] = []
        everyone.wait()
        start = time.monotonic() + offset
        calls = int(seconds * rate)
        pending = threading.Semaphore(0)
        for index in range(calls):
            scheduled = start + index / rate
            time.sleep(max(0.0, scheduled - time.monotonic()))
            send(stub, pool, scheduled, (latencies, errors), pending)
        for _ in range(calls):
            pending.acquire()
    out.put((latencies, errors[0] if errors else ""))


def send(
    stub: pb_grpc.SessionServiceStub,
    pool: queue.Queue[str],
    scheduled: float,
    records: tuple[list[float], list[str]],
    pending: threading.Semaphore,
) -> None:
    """Refresh one idle session of `pool` without waiting; on answer record its latency
    from `scheduled` (or the error) in `records` and release `pending` once."""
    request = pb.RefreshSessionRequest(refresh_token=pool.get())
    future = stub.RefreshSession.future(request, metadata=METADATA, timeout=CALL_TIMEOUT_SECONDS)

    def answered(done: grpc.Future) -> None:
        try:
            answer = done.result()
            records[0].append(time.monotonic() - scheduled)
            if answer.outcome != pb.OUTCOME_OK:
                raise RuntimeError(f"unexpected outcome {pb.Outcome.Name(answer.outcome)}")
            pool.put(answer.tokens.refresh_token.token)
        except Exception as exc:  # reported once the run ends
            records[1].append(repr(exc))
        finally:
            pending.release()

    future.add_done_callback(answered)
