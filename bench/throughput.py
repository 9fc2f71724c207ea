"""Throughput of the core's main RPCs next to an empty gRPC call on the same server.

Run: python bench/throughput.py [--seconds 5] [--repeats 3] [--processes 4] [--threads 4]

Starts one core process (SQLite in a temporary folder, default settings), then for
each operation runs `processes` client processes (one channel each) with `threads`
calls in flight per process, on loopback, for a fixed time. Every figure is printed as
a ratio to the empty call (a health check on the same server) measured in the same
run, because absolute numbers on a shared 2-core machine mean little. Each operation
is repeated and the median run is reported.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from sessioncore.v1 import session_service_pb2 as pb
from sessioncore.v1 import session_service_pb2_grpc as pb_grpc

API_KEY = "bench-" + secrets.token_urlsafe(24)
METADATA = (("x-api-key", API_KEY),)
OPERATIONS = ("empty", "create", "verify", "verify_db", "refresh")
READY = re.compile(r"listening on (\S+)")

Call = Callable[[], None]


def start_core(folder: Path) -> tuple[subprocess.Popen[str], str]:
    env = dict(os.environ)
    env["SESSION_CORE_API_KEYS"] = API_KEY
    env["SESSION_CORE_MASTER_SECRETS"] = "m1:" + secrets.token_urlsafe(32)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "core_server",
            "serve",
            "--port",
            "0",
            "--data-dir",
            str(folder),
            "--log-level",
            "WARNING",
        ],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if match := READY.search(line):
            return process, match.group(1)
    raise SystemExit("the core did not start")


def make_call(operation: str, channel: grpc.Channel) -> Call:
    """A zero-argument function doing one call of `operation` (state kept per thread)."""
    core = pb_grpc.SessionServiceStub(channel)
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
        return lambda: _expect_ok(core.VerifySession(request, metadata=METADATA, timeout=10))
    token = [created.tokens.refresh_token.token]

    def refresh() -> None:
        answer = core.RefreshSession(
            pb.RefreshSessionRequest(refresh_token=token[0]), metadata=METADATA, timeout=10
        )
        _expect_ok(answer)
        token[0] = answer.tokens.refresh_token.token

    return refresh


def _expect_ok(answer: pb.VerifySessionResponse | pb.RefreshSessionResponse) -> None:
    if answer.outcome != pb.OUTCOME_OK:
        raise RuntimeError(f"unexpected outcome {pb.Outcome.Name(answer.outcome)}")


def client_process(
    target: str, operation: str, threads: int, seconds: float, out: mp.Queue
) -> None:  # type: ignore[type-arg]
    channel = grpc.insecure_channel(target)
    calls = [make_call(operation, channel) for _ in range(threads)]
    start = threading.Barrier(threads)
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


def measure(target: str, operation: str, args: argparse.Namespace) -> tuple[float, float, float]:
    """(calls per second, p50 ms, p99 ms) of one run."""
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    procs = [
        mp.Process(
            target=client_process, args=(target, operation, args.threads, args.seconds, queue)
        )
        for _ in range(args.processes)
    ]
    for proc in procs:
        proc.start()
    samples = sorted(value for _ in procs for value in queue.get(timeout=args.seconds + 60))
    for proc in procs:
        proc.join()
    rate = len(samples) / args.seconds
    return rate, samples[len(samples) // 2] * 1e3, samples[int(len(samples) * 0.99)] * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        process, target = start_core(Path(folder))
        try:
            results = {}
            for operation in OPERATIONS:
                runs = sorted(measure(target, operation, args) for _ in range(args.repeats))
                results[operation] = runs[len(runs) // 2]
        finally:
            process.terminate()
            process.wait(timeout=30)
    base = results["empty"][0]
    in_flight = args.processes * args.threads
    print(
        f"{in_flight} calls in flight over {args.processes} channels, "
        f"{args.seconds:g} s x {args.repeats} runs (median shown), SQLite, RS256"
    )
    print(f"{'operation':<10} {'calls/s':>9} {'x empty':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for operation, (rate, p50, p99) in results.items():
        print(f"{operation:<10} {rate:9.0f} {rate / base:8.2f} {p50:8.2f} {p99:8.2f}")


if __name__ == "__main__":
    main()
