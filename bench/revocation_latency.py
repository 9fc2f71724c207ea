"""Revoke-to-rejection latency of the driver's local verifier through the revocation feed.

Run: python bench/revocation_latency.py [--trials 200] [--store sqlite|postgres]
                                        [--interval 0.5] [--workers 8]

Starts one core (default settings) and one SessionVerifier with its RevocationPoller at
`interval` (default 0.5 s, the driver's default). Each trial creates a session,
verifies its access token locally, revokes it (RevokeSessions returns at t0) and
verifies the token every 5 ms until the verifier answers Unauthorised (t1); the latency
is t1 - t0. `workers` trials run at once, each starting at a random moment, so
revocations land at every phase of the poll. Target: p99 < 2 s.

Baselines from the same run: the poll interval itself (a reader polling every
`interval` cannot do better than about half of it on average), and the latency of a
database-checked verification (`check_database=True`), which refuses a revoked
session at once at the price of one RPC per request.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import db_baselines
from bench.throughput import API_KEY, running_core
from session_core_driver import (
    RevocationPoller,
    SessionCoreClient,
    SessionVerifier,
    Unauthorised,
)

CHECK_EVERY = 0.005
GIVE_UP_AFTER = 30.0


def trial(client: SessionCoreClient, verifier: SessionVerifier, index: int) -> float:
    """One revoke-to-rejection latency in seconds."""
    created = client.create_session(f"latency-{index}")
    token = created.tokens.access_token
    verifier.verify(token)
    client.revoke_sessions([created.session.handle])
    revoked = time.monotonic()
    deadline = revoked + GIVE_UP_AFTER
    while time.monotonic() < deadline:
        try:
            verifier.verify(token)
        except Unauthorised:
            return time.monotonic() - revoked
        time.sleep(CHECK_EVERY)
    raise SystemExit(f"trial {index}: still accepted {GIVE_UP_AFTER:g} s after revocation")


def run_trials(
    client: SessionCoreClient, verifier: SessionVerifier, trials: int, workers: int, interval: float
) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()
    numbers = iter(range(trials))

    def worker() -> None:
        rng = random.Random()
        while True:
            with lock:
                index = next(numbers, None)
            if index is None:
                return
            time.sleep(rng.uniform(0, interval))  # a random phase against the poll
            latency = trial(client, verifier, index)
            with lock:
                latencies.append(latency)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def database_check_latency(client: SessionCoreClient, verifier: SessionVerifier) -> float:
    """Median seconds from RevokeSessions returning to a database-checked refusal."""
    samples = []
    for index in range(20):
        created = client.create_session(f"db-check-{index}")
        client.revoke_sessions([created.session.handle])
        started = time.monotonic()
        try:
            verifier.verify(created.tokens.access_token, check_database=True)
        except Unauthorised:
            samples.append(time.monotonic() - started)
        else:
            raise SystemExit("a database-checked verification accepted a revoked session")
    return statistics.median(samples)


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextmanager
def storage_url(store: str, folder: Path) -> Iterator[str]:
    if store == "sqlite":
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
        return
    with db_baselines.stores(folder) as urls:
        yield urls["postgres"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        storage_url(args.store, Path(folder)) as url,
        running_core(args.store, url, Path(folder)) as target,
        SessionCoreClient(target, api_key=API_KEY, timeout=30) as client,
    ):
        poller = RevocationPoller(client, interval=args.interval)
        verifier = SessionVerifier(client, revocations=poller)
        try:
            assert poller.wait_ready(10), "no revocation snapshot"
            latencies = run_trials(client, verifier, args.trials, args.workers, args.interval)
            at_once = database_check_latency(client, verifier)
        finally:
            poller.stop()
    report(args, latencies, at_once)


def report(args: argparse.Namespace, latencies: list[float], at_once: float) -> None:
    p50, p90, p99 = (quantile(latencies, q) for q in (0.5, 0.9, 0.99))
    print(
        f"{len(latencies)} trials on {args.store}, poll interval {args.interval:g} s, "
        f"{args.workers} at once"
    )
    print(f"{'':<22} {'seconds':>8} {'x interval':>11}")
    for name, value in (("p50", p50), ("p90", p90), ("p99", p99), ("max", max(latencies))):
        print(f"{name:<22} {value:8.3f} {value / args.interval:11.2f}")
    print(f"{'database check (p50)':<22} {at_once:8.3f} {at_once / args.interval:11.2f}")
    verdict = "met" if p99 < 2.0 else "MISSED"
    print(f"target p99 < 2 s: {verdict}")


if __name__ == "__main__":
    main()
