"""Throughput of a Flask route guarded by `@session_required`, served by gunicorn.

Run: python -m bench.web_routes [--quick] [--seconds N] [--repeats N]

What is measured, and why: an API server's question is "what does guarding my routes
cost me, and how does it compare with the usual JWT extension?". So one real server
(gunicorn, 2 sync workers, `bench/web_app.py`) serves three routes answering the same
small JSON, and wrk (`-t 1 -c 16`; the sync worker closes the connection after each
answer, so every request also pays a TCP connect) loads each in turn over loopback, every
request carrying the same `Authorization: Bearer` header with ONE user's access token,
reused as real traffic reuses it:

- `open`: an unguarded route (Flask, gunicorn and the socket alone): the baseline;
- `guarded`: the driver's `@session_required`, production settings (header transport,
  revocation feed on, verified-token cache on);
- `jwt_extended`: `flask_jwt_extended.jwt_required()` (RS256, header transport) checking
  the same token with the core's public key, issuer and audience.

Figures (medians of `repeats` runs, routes interleaved so a busy machine shifts them
alike, after a warm-up of each route):

- `flask_guarded_vs_open`: guarded req/s against open req/s, target >= 0.85 x;
- `flask_guarded_vs_jwt_extended`: guarded against jwt_extended, target >= 1.0 x;
- `flask_jwt_extended_vs_open`: context, no target.

The core runs as a child process (SQLite, RS256, access-token lifetime at its 24 h
maximum so the token outlives the run). Before loading, each route is checked once:
200 with the token, 401 without it on the guarded ones; a run whose wrk output reports
any non-2xx/3xx answer or socket error fails loudly (a 401 would make a guarded route
look fast). The core and gunicorn are stopped on every exit path.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import AtLeast, Figure
from core_server.config import MAX_ACCESS_TOKEN_LIFETIME
from session_core_driver import SessionCoreClient

ROOT = Path(__file__).resolve().parent.parent

WRK = "/usr/bin/wrk"
WORKERS = 2
CONNECTIONS = 16
# The route each measured name loads, in the interleaving order.
ROUTES = {"open": "/open", "guarded": "/guarded", "jwt_extended": "/jwt"}
READY = re.compile(r"listening on (\S+)")
UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


class BenchError(RuntimeError):
    """The benchmark could not measure what it claims to (bad answers, a server down)."""


@dataclass(frozen=True)
class Run:
    """One wrk run of one route."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int


@dataclass(frozen=True)
class Settings:
    seconds: float
    warmup_seconds: float
    repeats: int


def settings_for(quick: bool) -> Settings:
    """Quick: one short run per route (a smoke test); full: 3 interleaved 10 s runs."""
    if quick:
        return Settings(seconds=2.0, warmup_seconds=1.0, repeats=1)
    return Settings(seconds=10.0, warmup_seconds=3.0, repeats=3)


# --- processes ---------------------------------------------------------------------------


def _stop(process: subprocess.Popen[str], timeout: float = 15.0) -> None:
    """Terminate one child we started (by its pid), killing it if it does not exit."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


@contextmanager
def running_core(folder: Path, api_key: str) -> Iterator[str]:
    """A core on a free loopback port (SQLite in `folder`, RS256); yields its address."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESSION_CORE_")}
    env["SESSION_CORE_API_KEYS"] = api_key
    env["SESSION_CORE_MASTER_SECRETS"] = "m1:" + secrets.token_urlsafe(32)
    env["SESSION_CORE_ACCESS_TOKEN_LIFETIME_SECONDS"] = str(MAX_ACCESS_TOKEN_LIFETIME)
    command = [sys.executable, "-m", "core_server", "serve", "--port", "0"]
    command += ["--data-dir", str(folder), "--log-level", "WARNING"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if match := READY.search(line):
                # Keep draining stdout so the core never blocks on a full pipe.
                threading.Thread(target=process.stdout.read, daemon=True).start()
                yield match.group(1)
                return
        raise BenchError("the core did not start")
    finally:
        _stop(process)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_app(target: str, api_key: str, log: Path) -> Iterator[str]:
    """gunicorn (2 sync workers) serving `bench.web_app`; yields its base URL once ready."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.update(BENCH_WEB_TARGET=target, BENCH_WEB_API_KEY=api_key, BENCH_WEB_ORIGIN=base)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-k", "sync"]
    command += ["-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    command += ["--graceful-timeout", "5", "bench.web_app:create_app()"]
    with log.open("w") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, text=True, cwd=ROOT
        )
    try:
        _wait_ready(process, base + "/open", log)
        yield base
    finally:
        _stop(process)


def _wait_ready(process: subprocess.Popen[str], url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited ({process.returncode}):\n{log.read_text()}")
        try:
            if status_of(url, None, timeout=2) == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer {url} within 60 s:\n{log.read_text()}")


# --- checks and load ---------------------------------------------------------------------


def status_of(url: str, token: str | None, timeout: float = 10.0) -> int:
    """The HTTP status of one GET of `url` (http://host:port/path), with the token or none."""
    host_port, _, path = url.removeprefix("http://").partition("/")
    host, _, port = host_port.partition(":")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request("GET", "/" + path, headers=headers)
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


def check_routes(base: str, token: str) -> None:
    """Each route answers 200 with the token; the guarded ones 401 without it."""
    for name, path in ROUTES.items():
        with_token = status_of(base + path, token)
        if with_token != 200:
            raise BenchError(f"{name} ({path}) answered {with_token} to the valid token")
        if name != "open" and (without := status_of(base + path, None)) != 401:
            raise BenchError(f"{name} ({path}) answered {without} without a token, not 401")


def _ms(value: str, unit: str) -> float:
    return float(value) * UNITS_MS[unit]


def parse_wrk(output: str) -> Run:
    """Requests/sec, the 50% and 99% latencies; BenchError on any failed request."""
    if match := re.search(r"Non-2xx or 3xx responses:\s*(\d+)", output):
        raise BenchError(f"{match.group(1)} non-2xx/3xx answers:\n{output}")
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if errors and any(int(count) for count in errors.groups()):
        raise BenchError(f"socket errors:\n{output}")
    rate = re.search(r"Requests/sec:\s*([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    latency = dict(re.findall(r"^\s*(50|99)%\s+([\d.]+(?:us|ms|s|m))\s*$", output, re.M))
    if not rate or not total or set(latency) != {"50", "99"}:
        raise BenchError(f"cannot read wrk's output:\n{output}")
    p50, p99 = (re.fullmatch(r"([\d.]+)(us|ms|s|m)", latency[key]) for key in ("50", "99"))
    assert p50 is not None and p99 is not None
    return Run(
        requests_per_second=float(rate.group(1)),
        p50_ms=_ms(*p50.groups()),
        p99_ms=_ms(*p99.groups()),
        requests=int(total.group(1)),
    )


def wrk(url: str, token: str, seconds: float) -> Run:
    """One wrk run: 1 thread, CONNECTIONS connections, every request with the token."""
    command = [WRK, "-t", "1", "-c", str(CONNECTIONS), "-d", f"{max(1, round(seconds))}s"]
    command += ["--latency", "-H", f"Authorization: Bearer {token}", url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr}")
    return parse_wrk(done.stdout)


def measure(base: str, token: str, settings: Settings) -> dict[str, list[Run]]:
    """Warm each route up, then `repeats` rounds of open, guarded, jwt_extended."""
    for path in ROUTES.values():
        wrk(base + path, token, settings.warmup_seconds)
    runs: dict[str, list[Run]] = {name: [] for name in ROUTES}
    for _ in range(settings.repeats):
        for name, path in ROUTES.items():
            runs[name].append(wrk(base + path, token, settings.seconds))
    return runs


def median_run(runs: list[Run]) -> Run:
    return Run(
        requests_per_second=statistics.median(r.requests_per_second for r in runs),
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
        requests=sum(r.requests for r in runs),
    )


# --- figures -----------------------------------------------------------------------------


def collect(settings: Settings) -> dict[str, list[Run]]:
    """Start the core and gunicorn, sign one user in, load the routes; stop everything."""
    api_key = "bench-" + secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory() as folder, running_core(Path(folder), api_key) as target:
        client = SessionCoreClient(target, api_key)
        try:
            token = client.create_session("bench-user").tokens.access_token
        finally:
            client.close()
        with running_app(target, api_key, Path(folder) / "gunicorn.log") as base:
            check_routes(base, token)
            return measure(base, token, settings)


def figures(quick: bool) -> list[Figure]:
    """The group's figures (see the module docstring); `quick` for a short smoke run."""
    settings = settings_for(quick)
    return figures_from(collect(settings), settings)


def figures_from(runs: dict[str, list[Run]], settings: Settings) -> list[Figure]:
    med = {name: median_run(values) for name, values in runs.items()}
    open_, guarded, jwt_ext = med["open"], med["guarded"], med["jwt_extended"]
    note = (
        f"gunicorn -w {WORKERS} sync, wrk -t 1 -c {CONNECTIONS}, one user's token reused, "
        f"median of {settings.repeats} x {settings.seconds:g} s"
    )

    def extra(*names: str) -> dict[str, object]:
        return {f"runs_{n}": [round(r.requests_per_second, 1) for r in runs[n]] for n in names}

    return [
        Figure(
            "flask_guarded_vs_open", "", guarded.requests_per_second, "req/s",
            baseline="open", baseline_value=open_.requests_per_second, target=AtLeast(0.85),
            p50_ms=guarded.p50_ms, p99_ms=guarded.p99_ms, note=note,
            extra=extra("guarded", "open"),
        ),
        Figure(
            "flask_guarded_vs_jwt_extended", "", guarded.requests_per_second, "req/s",
            baseline="jwt_extended", baseline_value=jwt_ext.requests_per_second,
            target=AtLeast(1.0), p50_ms=guarded.p50_ms, p99_ms=guarded.p99_ms, note=note,
            extra=extra("guarded", "jwt_extended"),
        ),
        Figure(
            "flask_jwt_extended_vs_open", "", jwt_ext.requests_per_second, "req/s",
            baseline="open", baseline_value=open_.requests_per_second,
            p50_ms=jwt_ext.p50_ms, p99_ms=jwt_ext.p99_ms, note=note,
            extra=extra("jwt_extended", "open"),
        ),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short run per route")
    parser.add_argument("--seconds", type=float, help="seconds per measured run")
    parser.add_argument("--repeats", type=int, help="interleaved rounds (median taken)")
    args = parser.parse_args()
    settings = settings_for(args.quick)
    settings = Settings(
        seconds=args.seconds or settings.seconds,
        warmup_seconds=settings.warmup_seconds,
        repeats=args.repeats or settings.repeats,
    )
    results = figures_from(collect(settings), settings)
    print(f"{'figure':<32} {'req/s':>9} {'baseline':>13} {'ratio':>6} {'target':>8} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'pass':>5}")  # fmt: skip
    for fig in results:
        ratio = f"{fig.ratio:6.3f}" if fig.ratio is not None else ""
        target = fig.target.describe() if fig.target else "-"
        verdict = {True: "yes", False: "NO", None: "-"}[fig.passed]
        print(
            f"{fig.name:<32} {fig.value:9.0f} {fig.baseline:>13} {ratio:>6} {target:>8} "
            f"{fig.p50_ms or 0:7.2f} {fig.p99_ms or 0:7.2f} {verdict:>5}"
        )


if __name__ == "__main__":
    main()
