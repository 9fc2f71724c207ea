"""Per-request cost of `@session_required` on a Flask route, next to an unguarded route.

Run: python bench/flask_overhead.py [--batches 20] [--batch 200]

Starts one core (SQLite, RS256, default settings) and one Flask app with the extension
(default settings: revocation feed on, verified-token cache on), signs one session in,
and sends requests through Flask's test client (no sockets, so the figures are the
app's own work). The baseline, measured in the same run with the same cookies, is an
unguarded route returning the same JSON. Also measured: the guarded route with the
verified-token cache off (a full RS256 signature check on every request), and a
guarded POST (Origin and custom-header checks as well).

Baseline and guarded routes alternate in batches of `batch` requests; each figure is
the median per-request time over all batches, so a busy machine shifts both alike.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, jsonify
from flask.testing import FlaskClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.throughput import API_KEY, running_core
from session_core_driver import SessionCoreClient, SessionVerifier
from session_core_driver.flask import SessionCore, create_new_session, session_required

ORIGIN = "http://127.0.0.1:5000"


def build_app(target: str, cache: bool) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SESSION_CORE_TARGET=target, SESSION_CORE_API_KEY=API_KEY, SESSION_CORE_API_ORIGIN=ORIGIN
    )
    client = SessionCoreClient(target, API_KEY)
    verifier = SessionVerifier(client, verified_cache_size=10_000 if cache else 0)
    SessionCore(app, client=client, verifier=verifier)

    @app.get("/open")
    def open_route() -> Any:
        return jsonify(user_id="nobody")

    @app.route("/guarded", methods=["GET", "POST"])
    @session_required
    def guarded() -> Any:
        return jsonify(user_id="nobody")

    @app.post("/login")
    def login() -> Any:
        return jsonify(handle=create_new_session("bench-user").handle)

    return app


def signed_in(app: Flask) -> FlaskClient:
    http = app.test_client()
    assert http.post("/login").status_code == 200
    assert http.get("/guarded").status_code == 200  # warms the JWKS and the feed
    return http


def batch_seconds(call: Callable[[], Any], size: int) -> float:
    start = time.perf_counter()
    for _ in range(size):
        call()
    return (time.perf_counter() - start) / size


def measure(calls: dict[str, Callable[[], Any]], batches: int, size: int) -> dict[str, float]:
    """Median seconds per request for each call, alternating batches."""
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(batches):
        for name, call in calls.items():
            samples[name].append(batch_seconds(call, size))
    return {name: statistics.median(values) for name, values in samples.items()}


def checked(response_of: Callable[[], Any]) -> Callable[[], None]:
    def call() -> None:
        assert response_of().status_code == 200

    return call


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        running_core("sqlite", f"sqlite:///{folder}/bench.sqlite3", Path(folder)) as target,
    ):
        cached = signed_in(build_app(target, cache=True))
        uncached = signed_in(build_app(target, cache=False))
        post_headers = {"origin": ORIGIN, "sc-requested-with": "fetch"}
        calls = {
            "unguarded GET (baseline)": checked(lambda: cached.get("/open")),
            "guarded GET": checked(lambda: cached.get("/guarded")),
            "guarded GET, cache off": checked(lambda: uncached.get("/guarded")),
            "guarded POST": checked(lambda: cached.post("/guarded", headers=post_headers)),
        }
        results = measure(calls, args.batches, args.batch)
    base = results["unguarded GET (baseline)"]
    print(f"{'route':28} {'us/request':>11} {'ratio':>7} {'overhead us':>12}")
    for name, seconds in results.items():
        print(
            f"{name:28} {seconds * 1e6:11.1f} {seconds / base:7.2f} {(seconds - base) * 1e6:12.1f}"
        )


if __name__ == "__main__":
    main()
