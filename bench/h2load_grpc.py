"""VerifySession throughput driven by h2load, a C HTTP/2 load generator.

Run: python -m bench.h2load_grpc [--quick] [--connections 4] [--streams 4] [--seconds 5]

Why h2load: a Python load generator on this 2-core machine saturates before the core
does, so its figures would measure the client. h2load (nghttp2) sends the same
pre-serialized gRPC request over HTTP/2 from one C thread (`-t 1`): it takes about one
of the two cores, the core under test the other (with `--workers 2`, the two workers
and h2load share the two cores; the figures say so in their notes).

What is measured (sqlite store, RS256, default settings except a 24 h access-token
lifetime so the one token stays valid for the whole run):

- `workers_2_vs_1`: VerifySession (signature check only, `check_database=false`)
  throughput of `serve --workers 2`, against the same with `--workers 1`
  (baseline `workers_1`); target at least 1.6 x.
- `verify_rpc_h2load`: VerifySession throughput against `rpc_h2load`, the standard gRPC
  health check (`/grpc.health.v1.Health/Check`, the cheapest unary call the core
  answers), on the same one-worker server with the same concurrency; target 0.8 x.
  The two alternate, run by run, so a busy machine shifts both alike.

Each measurement is a fixed number of requests (`h2load -n`), sized from a warm-up run
to last about `seconds`; it is repeated 3 times and the median rate is reported, with
p50/p99 of the per-request times (h2load `--log-file`) of that median run.

h2load counts any HTTP 200 as a success, but gRPC reports failures in the trailers
(`grpc-status`), which h2load ignores. So every run is checked against the core's
Prometheus counter `session_core_rpc_requests_total{method, outcome}` (with workers the
parent serves the sum over all workers): between a scrape before and one after the run,
the `OK` count of the method must grow by exactly the number of requests h2load
completed, and no other series may grow. Anything else raises `OutcomeMismatch`.
"""

from __future__ import annotations

import argparse
import http.client
import os
import queue
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import AtLeast, Figure
from sessioncore.v1 import session_service_pb2 as pb
from sessioncore.v1 import session_service_pb2_grpc as pb_grpc

H2LOAD = "/usr/bin/h2load"
API_KEY = "bench-" + secrets.token_urlsafe(24)
API_KEY_METADATA = "x-api-key"
# The longest the core allows (core_server/config.py MAX_ACCESS_TOKEN_LIFETIME).
ACCESS_TOKEN_LIFETIME = 24 * 3600
VERIFY_PATH = "/sessioncore.v1.SessionService/VerifySession"
CHECK_PATH = "/grpc.health.v1.Health/Check"
# The `method` label the core's metrics give each path (docs/operations.md, "Metrics").
METHOD_LABEL = {VERIFY_PATH: "VerifySession", CHECK_PATH: "Check"}
RPC_COUNTER = "session_core_rpc_requests_total"
READY = re.compile(r"session-core listening on (\S+)")
REPEATS = 3
START_TIMEOUT = 60.0


class OutcomeMismatch(RuntimeError):
    """The core's counters disagree with what h2load says it completed."""


@dataclass(frozen=True)
class Core:
    """A running core: gRPC target, metrics endpoint (host:port), parent process id."""

    target: str
    metrics: str
    pid: int


@dataclass(frozen=True)
class Run:
    """One h2load run: its rate and per-request latencies."""

    requests: int
    seconds: float
    rate: float
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class Load:
    """What h2load sends: connections, streams per connection, and run length."""

    connections: int
    streams: int
    seconds: float
    warmup_requests: int

    @property
    def in_flight(self) -> int:
        return self.connections * self.streams


# --- the core -------------------------------------------------------------------------


def _free_port() -> int:
    # metrics_port 0 means "off", not "pick one": reserve one here (a small race, on loopback).
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_core(workers: int, folder: Path) -> Iterator[Core]:
    """`session-core serve --workers N` on sqlite in `folder`, with metrics; always stopped.

    The core runs in its own process group, so whatever is left of it (the parent, its
    workers) is killed by that group's id if it does not stop cleanly on SIGTERM.
    """
    env = dict(os.environ)
    env["SESSION_CORE_API_KEYS"] = API_KEY
    env["SESSION_CORE_MASTER_SECRETS"] = "m1:" + secrets.token_urlsafe(32)
    env["SESSION_CORE_ACCESS_TOKEN_LIFETIME_SECONDS"] = str(ACCESS_TOKEN_LIFETIME)
    metrics_port = _free_port()
    command = [sys.executable, "-m", "core_server", "serve", "--port", "0"]
    command += ["--workers", str(workers), "--metrics-port", str(metrics_port)]
    command += ["--data-dir", str(folder), "--log-level", "WARNING", "--storage", "sqlite"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        target = _wait_ready(process, workers)
        metrics = f"127.0.0.1:{metrics_port}"
        rpc_counts(metrics)  # the endpoint answers before any measurement
        yield Core(target, metrics, process.pid)
    finally:
        _stop(process)


def _wait_ready(process: subprocess.Popen[str], workers: int) -> str:
    """The ready line's address; stdout is drained afterwards so the core never blocks."""
    assert process.stdout is not None
    stdout = process.stdout
    lines: queue.Queue[str | None] = queue.Queue()

    def drain() -> None:
        for line in stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=drain, daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=START_TIMEOUT)
        except queue.Empty:
            raise RuntimeError(f"the core (--workers {workers}) did not start") from None
        if line is None:
            raise RuntimeError(f"the core (--workers {workers}) exited: {process.wait()}")
        if match := READY.search(line):
            return match.group(1)


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # the parent passes it on to every worker
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # workers left behind, if any
    process.wait(timeout=10)


# --- checking outcomes ----------------------------------------------------------------


def rpc_counts(metrics: str) -> dict[tuple[str, str], float]:
    """`session_core_rpc_requests_total` by (method, outcome), from one scrape of `metrics`
    (the endpoint's host:port)."""
    connection = http.client.HTTPConnection(metrics, timeout=10)
    try:
        connection.request("GET", "/metrics")
        answer = connection.getresponse()
        if answer.status != 200:
            raise RuntimeError(f"GET http://{metrics}/metrics answered {answer.status}")
        text = answer.read().decode()
    finally:
        connection.close()
    counts: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == RPC_COUNTER:
                key = (sample.labels["method"], sample.labels["outcome"])
                counts[key] = sample.value
    return counts


def check_outcomes(
    before: dict[tuple[str, str], float],
    after: dict[tuple[str, str], float],
    method: str,
    completed: int,
) -> None:
    """Every completed request was answered OK, and nothing else was answered."""
    grown = {
        key: after[key] - before.get(key, 0.0)
        for key in after
        if after[key] != before.get(key, 0.0)
    }
    ok = grown.pop((method, "OK"), 0.0)
    if ok != completed or grown:
        raise OutcomeMismatch(
            f"h2load completed {completed} {method} calls; the core counted {ok:g} OK"
            + (f" and also {grown}" if grown else "")
        )


# --- h2load ---------------------------------------------------------------------------


def grpc_frame(message: bytes) -> bytes:
    """A gRPC length-prefixed message: not compressed, 4-byte big-endian length."""
    return b"\x00" + len(message).to_bytes(4, "big") + message


def verify_request(core: Core) -> bytes:
    """A VerifySession request for a fresh session's access token (signature check only).

    Sent once through grpcio first: the token must verify OK before h2load repeats it.
    """
    metadata = ((API_KEY_METADATA, API_KEY),)
    with grpc.insecure_channel(core.target) as channel:
        stub = pb_grpc.SessionServiceStub(channel)  # type: ignore[no-untyped-call]
        created = stub.CreateSession(
            pb.CreateSessionRequest(user_id="bench-user"), metadata=metadata, timeout=10
        )
        request = pb.VerifySessionRequest(
            access_token=created.tokens.access_token.token, check_database=False
        )
        answer = stub.VerifySession(request, metadata=metadata, timeout=10)
    if answer.outcome != pb.OUTCOME_OK:
        raise OutcomeMismatch(f"the token does not verify: {pb.Outcome.Name(answer.outcome)}")
    return grpc_frame(request.SerializeToString())


_FINISHED = re.compile(r"finished in ([\d.]+)(us|ms|s), ([\d.]+) req/s")
_REQUESTS = re.compile(
    r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
    r"(\d+) failed, (\d+) errored, (\d+) timeout"
)
_UNIT = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def h2load(core: Core, path: str, body: Path, requests: int, load: Load) -> Run:
    """One h2load run of `requests` calls, its outcomes checked against the core's counters."""
    log = body.with_suffix(".log")
    log.unlink(missing_ok=True)  # h2load appends to an existing log
    command = [H2LOAD, "-n", str(requests), "-c", str(load.connections)]
    command += ["-m", str(load.streams), "-t", "1", "-d", str(body), "--log-file", str(log)]
    command += ["-H", "content-type: application/grpc", "-H", "te: trailers"]
    command += ["-H", f"{API_KEY_METADATA}: {API_KEY}", f"http://{core.target}{path}"]
    before = rpc_counts(core.metrics)
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    after = rpc_counts(core.metrics)
    finished = _FINISHED.search(done.stdout)
    counted = _REQUESTS.search(done.stdout)
    if done.returncode != 0 or finished is None or counted is None:
        raise RuntimeError(f"h2load failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    total, _, completed, succeeded, failed, errored, timeout = map(int, counted.groups())
    if (completed, succeeded, failed, errored, timeout) != (total, total, 0, 0, 0):
        raise OutcomeMismatch(f"h2load: {counted.group(0)}")
    check_outcomes(before, after, METHOD_LABEL[path], completed)
    seconds = float(finished.group(1)) * _UNIT[finished.group(2)]
    times = sorted(int(row.split("\t")[2]) for row in log.read_text().splitlines())
    if len(times) != completed:
        raise RuntimeError(f"h2load logged {len(times)} requests, not {completed}")
    return Run(
        requests=completed,
        seconds=seconds,
        rate=completed / seconds,
        p50_ms=times[len(times) // 2] / 1e3,
        p99_ms=times[min(len(times) - 1, int(len(times) * 0.99))] / 1e3,
    )


def sized(core: Core, path: str, body: Path, load: Load) -> int:
    """Warm up with a fixed count, then size the measured runs to last `load.seconds`."""
    warm = h2load(core, path, body, load.warmup_requests, load)
    return max(load.in_flight * 10, round(warm.rate * load.seconds))


def median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda run: run.rate)[len(runs) // 2]


def worker_cpu_seconds(parent: int) -> dict[int, float]:
    """User + system CPU seconds of each child (worker) of `parent`, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    seconds: dict[int, float] = {}
    for child in map(int, children):
        fields = Path(f"/proc/{child}/stat").read_text().rpartition(")")[2].split()
        seconds[child] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return seconds


# --- figures --------------------------------------------------------------------------


def _note(load: Load, workers: int) -> str:
    return (
        f"h2load -c {load.connections} -m {load.streams} -t 1 ({load.in_flight} in flight), "
        f"~{load.seconds:g} s x {REPEATS} runs, median; 2-core machine: h2load takes about "
        f"one core, the core's {workers} worker process(es) share the rest"
    )


def measure(load: Load) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="h2load-grpc-") as name:
        folder = Path(name)
        verify_body, check_body = folder / "verify.bin", folder / "check.bin"
        check_body.write_bytes(grpc_frame(health_pb2.HealthCheckRequest().SerializeToString()))

        # One worker: VerifySession and the health check, alternating run by run.
        with running_core(1, folder / "w1") as core:
            verify_body.write_bytes(verify_request(core))
            verify_n = sized(core, VERIFY_PATH, verify_body, load)
            check_n = sized(core, CHECK_PATH, check_body, load)
            verify_1: list[Run] = []
            check_1: list[Run] = []
            for _ in range(REPEATS):
                verify_1.append(h2load(core, VERIFY_PATH, verify_body, verify_n, load))
                check_1.append(h2load(core, CHECK_PATH, check_body, check_n, load))

        # Two workers: VerifySession only, with a token this deployment signed.
        with running_core(2, folder / "w2") as core:
            verify_body.write_bytes(verify_request(core))
            verify_n = sized(core, VERIFY_PATH, verify_body, load)
            cpu_before = worker_cpu_seconds(core.pid)
            verify_2 = [
                h2load(core, VERIFY_PATH, verify_body, verify_n, load) for _ in range(REPEATS)
            ]
            cpu_after = worker_cpu_seconds(core.pid)

    # The one-worker VerifySession runs are both figure 1's baseline and figure 2's value.
    one, two, check = median_run(verify_1), median_run(verify_2), median_run(check_1)
    cpu = sorted(round(cpu_after[pid] - cpu_before.get(pid, 0.0), 2) for pid in cpu_after)
    return [
        Figure(
            "workers_2_vs_1",
            "sqlite",
            two.rate,
            "calls/s",
            baseline="workers_1",
            baseline_value=one.rate,
            target=AtLeast(1.6),
            p50_ms=two.p50_ms,
            p99_ms=two.p99_ms,
            note=_note(load, 2) + "; the kernel spreads connections (not calls) over workers",
            extra={
                "runs": [round(run.rate) for run in verify_2],
                "baseline_runs": [round(run.rate) for run in verify_1],
                "baseline_p50_ms": one.p50_ms,
                "baseline_p99_ms": one.p99_ms,
                "worker_cpu_seconds": cpu,
            },
        ),
        Figure(
            "verify_rpc_h2load",
            "sqlite",
            one.rate,
            "calls/s",
            baseline="rpc_h2load",
            baseline_value=check.rate,
            target=AtLeast(0.8),
            p50_ms=one.p50_ms,
            p99_ms=one.p99_ms,
            note=_note(load, 1) + "; baseline: grpc.health.v1.Health/Check, same server",
            extra={
                "runs": [round(run.rate) for run in verify_1],
                "baseline_runs": [round(run.rate) for run in check_1],
                "baseline_p50_ms": check.p50_ms,
                "baseline_p99_ms": check.p99_ms,
            },
        ),
    ]


def figures(quick: bool) -> list[Figure]:
    """The group's figures; `quick` shortens every run (still 3 runs each)."""
    if quick:
        return measure(Load(connections=4, streams=4, seconds=1.0, warmup_requests=1000))
    return measure(Load(connections=4, streams=4, seconds=5.0, warmup_requests=5000))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs (about 1 s each)")
    parser.add_argument("--connections", type=int, help="h2load -c (default 4)")
    parser.add_argument("--streams", type=int, help="h2load -m, per connection (default 4)")
    parser.add_argument("--seconds", type=float, help="length of each measured run")
    args = parser.parse_args()
    if args.connections is None and args.streams is None and args.seconds is None:
        results = figures(args.quick)
    else:
        results = measure(
            Load(
                connections=args.connections or 4,
                streams=args.streams or 4,
                seconds=args.seconds or (1.0 if args.quick else 5.0),
                warmup_requests=1000 if args.quick else 5000,
            )
        )
    for figure in results:
        ratio = f"{figure.ratio:.2f}" if figure.ratio is not None else "-"
        verdict = {True: "PASS", False: "FAIL", None: ""}[figure.passed]
        target = figure.target.describe() if figure.target else ""
        print(
            f"{figure.name:<18} {figure.value:9.0f} {figure.unit}  vs {figure.baseline} "
            f"{figure.baseline_value or 0:9.0f}  ratio {ratio} ({target}) {verdict}  "
            f"p50 {figure.p50_ms or 0:.2f} ms  p99 {figure.p99_ms or 0:.2f} ms"
        )
        print(f"    {figure.note}")
        for key, value in figure.extra.items():
            print(f"    {key}: {value}")


if __name__ == "__main__":
    main()
