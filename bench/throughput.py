"""Throughput of the core's main RPCs, per store, next to same-run baselines.

Run: python bench/throughput.py [--stores sqlite,postgres,mongodb] [--seconds 5] [--repeats 3]
                                [--processes 4] [--threads 4]

For each store it starts one core process (default settings, RS256), then runs each
operation from `processes` client processes (one gRPC channel or one database
connection per thread) with `threads` calls in flight per process, on loopback, for a
fixed time. Baselines, measured in the same run with the same concurrency:

- `empty`: a gRPC health check on the same server (the cheapest unary call it answers);
- `db_cas`: a bare single-row compare-and-set (`UPDATE ... RETURNING`; on MongoDB a
  `find_one_and_update` filtered on the current value) on the same database; `db_read`:
  a bare point read by primary key (on MongoDB a `find_one` by `_id`); `db_insert`: the
  insert of one new row (on MongoDB an `insert_one`).

The suite (`python -m bench.run`, bench/rpc_figures.py) measures the same operations
with this module's `measure` and judges them against their targets; this script prints
the raw table. Every figure is printed with its ratio to those baselines, since
absolute numbers on a shared 2-core machine mean little. Each measurement is
repeated; the median is shown.
PostgreSQL runs on a throwaway cluster the test tooling starts (tests/support/postgres.py),
MongoDB on a throwaway FerretDB server (tests/support/ferretdb.py; FerretDB keeps its
documents in SQLite, so its figures are FerretDB's, not a MongoDB server's).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.synchronize import Barrier
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import db_baselines
from bench.core_process import API_KEY as API_KEY  # re-exported for the other scripts
from bench.core_process import METADATA, started_core
from sessioncore.v1 import session_service_pb2 as pb
from sessioncore.v1 import session_service_pb2_grpc as pb_grpc

RPC_OPERATIONS = ("empty", "create", "verify", "verify_db", "refresh")
DB_OPERATIONS = ("db_cas", "db_read", "db_insert")

Call = Callable[[], None]


@contextmanager
def running_core(storage: str, url: str, folder: Path) -> Iterator[str]:
    """The address of a core running on `storage` until the block ends (see core_process)."""
    with started_core(storage, url, folder) as core:
        yield core.target


def rpc_call(operation: str, channel: grpc.Channel) -> Call:
    """A zero-argument function doing one call of `operation` (state kept per thread)."""
    core = pb_grpc.SessionServiceStub(channel)  # type: ignore[no-untyped-call]
    if operation == "empty":
        health = health_pb2_grpc.HealthStub(channel)
        return lambda: health.Check(health_pb2.HealthCheckRequest(), timeout=10)
    if operation == "create":
        request = pb.CreateSessionRequest(user_id="bench-user", access_token_claims_json='{"r":1}')
        return lambda: core.CreateSession(request, metadata=METADATA, timeout=10)
    created = core.CreateSession(
        pb.CreateSessionRequest(user_id="bench-user"), metadata=METADATA, timeout=10
    )
    if operation in ("verify", "verify_db"):
        request = pb.VerifySessionRequest(
            access_token=created.tokens.access_token.token,
            check_database=operation == "verify_db",
        )
        return lambda: expect_ok(core.VerifySession(request, metadata=METADATA, timeout=10))
    token = [created.tokens.refresh_token.token]

    def refresh() -> None:
        answer = core.RefreshSession(
            pb.RefreshSessionRequest(refresh_token=token[0]), metadata=METADATA, timeout=10
        )
        expect_ok(answer)
        token[0] = answer.tokens.refresh_token.token

    return refresh


def expect_ok(answer: pb.VerifySessionResponse | pb.RefreshSessionResponse) -> None:
    if answer.outcome != pb.OUTCOME_OK:
        raise RuntimeError(f"unexpected outcome {pb.Outcome.Name(answer.outcome)}")


def client_process(
    job: tuple[str, str, str, int, float],
    out: mp.Queue,  # type: ignore[type-arg]
    everyone: Barrier | None = None,
) -> None:
    """Run `threads` callers of one operation for `seconds`; put their latencies on `out`.

    With `everyone` (a barrier shared by all client processes), the callers start only
    when every process has set up, so the processes' timed windows overlap.
    """
    target, operation, db_url, threads, seconds = job
    channel = grpc.insecure_channel(target)
    if operation in DB_OPERATIONS:
        calls = [db_baselines.call(operation, db_url) for _ in range(threads)]
    else:
        calls = [rpc_call(operation, channel) for _ in range(threads)]

    def all_processes_ready() -> None:
        if everyone is not None:
            everyone.wait()

    start = threading.Barrier(threads, action=all_processes_ready)
    latencies: list[list[float]] = [[] for _ in range(threads)]

    def worker(index: int) -> None:
        start.wait()
        stop_at = time.perf_counter() + seconds
        while (begun := time.perf_counter()) < stop_at:
            calls[index]()
            latencies[index].append(time.perf_counter() - begun)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    channel.close()
    out.put([value for per_thread in latencies for value in per_thread])


def measure(job: tuple[str, str, str, int, float], processes: int) -> tuple[float, float, float]:
    """(calls per second, p50 ms, p99 ms) of one timed run."""
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    everyone = mp.Barrier(processes)
    procs = [
        mp.Process(target=client_process, args=(job, queue, everyone)) for _ in range(processes)
    ]
    for proc in procs:
        proc.start()
    samples = sorted(value for _ in procs for value in queue.get(timeout=job[4] + 120))
    for proc in procs:
        proc.join()
    rate = len(samples) / job[4]
    return rate, samples[len(samples) // 2] * 1e3, samples[int(len(samples) * 0.99)] * 1e3


def bench_store(storage: str, url: str, args: argparse.Namespace) -> dict[str, tuple[float, ...]]:
    db_baselines.prepare(url, args.processes * args.threads)
    results: dict[str, tuple[float, ...]] = {}
    with (
        tempfile.TemporaryDirectory() as folder,
        running_core(storage, url, Path(folder)) as target,
    ):
        for operation in RPC_OPERATIONS + DB_OPERATIONS:
            job = (target, operation, url, args.threads, args.seconds)
            runs = sorted(measure(job, args.processes) for _ in range(args.repeats))
            results[operation] = runs[len(runs) // 2]
    return results


# Which baseline each figure is compared with, besides the empty call.
DB_BASELINE = {"create": "db_insert", "refresh": "db_cas", "verify_db": "db_read"}


def report(storage: str, results: dict[str, tuple[float, ...]]) -> None:
    empty = results["empty"][0]
    print(f"\n{storage}")
    print(
        f"{'operation':<10} {'calls/s':>9} {'x empty':>8} {'x db':>6} {'p50 ms':>8} {'p99 ms':>8}"
    )
    for operation, (rate, p50, p99) in results.items():
        base = DB_BASELINE.get(operation)
        versus_db = f"{rate / results[base][0]:6.2f}" if base else f"{'':>6}"
        print(f"{operation:<10} {rate:9.0f} {rate / empty:8.2f} {versus_db} {p50:8.2f} {p99:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", default="sqlite,postgres,mongodb")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    print(
        f"{args.processes * args.threads} calls in flight over {args.processes} channels, "
        f"{args.seconds:g} s x {args.repeats} runs (median), RS256, one core process"
    )
    names = args.stores.split(",")
    with tempfile.TemporaryDirectory() as folder, db_baselines.stores(Path(folder), names) as urls:
        for storage in names:
            report(storage, bench_store(storage, urls[storage], args))


if __name__ == "__main__":
    main()
