"""`serve --workers N`: N processes on one port, one ready line, one metrics endpoint."""

from __future__ import annotations

import os
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from tests.support import scrape
from tests.support.core_process import CoreFactory, CoreProcess
from tests.support.grpc_helpers import Api, create_session

MAX_CALLS = 200  # each on a new connection; all landing on one of 2 workers: p = 2**-199
EXIT_BOUND_SECONDS = 20.0


@pytest.fixture
def two_workers(core_factory: CoreFactory) -> Iterator[tuple[CoreProcess, int]]:
    metrics_port = scrape.free_port()
    core = core_factory.start({"workers": 2, "metrics_port": metrics_port})
    yield core, metrics_port
    core.stop()


def worker_pids(core: CoreProcess) -> list[int]:
    started = [e for e in scrape.json_lines(core.stderr_path) if e["message"] == "worker started"]
    return [int(str(entry["worker_pid"])) for entry in started]


def metrics_dir(core: CoreProcess) -> Path:
    for entry in scrape.json_lines(core.stderr_path):
        if entry["message"] == "workers write their metrics into a directory":
            return Path(str(entry["path"]))
    raise AssertionError("the parent did not log its metrics directory")


def running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def create_on_fresh_connection(core: CoreProcess) -> None:
    # A local subchannel pool: a new TCP connection, which the kernel may give any worker.
    with grpc.insecure_channel(core.target, options=[("grpc.use_local_subchannel_pool", 1)]) as ch:
        create_session(Api(ch, core.secrets.api_keys[0]))


def creates_by_worker(directory: Path, pids: list[int]) -> dict[int, float]:
    return {
        pid: scrape.value(
            scrape.worker_file_samples(directory, pid),
            "session_core_rpc_requests_total",
            method="CreateSession",
            outcome="OK",
        )
        for pid in pids
    }


def wait_until_gone(pids: list[int], bound: float) -> list[int]:
    deadline = time.monotonic() + bound
    while any(running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [pid for pid in pids if running(pid)]


def test_both_workers_serve_and_the_endpoint_sums_them(
    two_workers: tuple[CoreProcess, int],
) -> None:
    core, metrics_port = two_workers
    pids = worker_pids(core)
    assert len(pids) == 2 and core.pid not in pids
    directory = metrics_dir(core)
    calls = 0
    while calls < MAX_CALLS and min(creates_by_worker(directory, pids).values()) == 0:
        create_on_fresh_connection(core)
        calls += 1
    per_worker = creates_by_worker(directory, pids)
    assert min(per_worker.values()) > 0, f"one worker served all {calls} calls"
    total = scrape.value(
        scrape.scrape(metrics_port),
        "session_core_rpc_requests_total",
        method="CreateSession",
        outcome="OK",
    )
    assert total == calls == sum(per_worker.values())


def test_the_endpoint_shows_every_metric_and_one_view_of_the_keys(
    two_workers: tuple[CoreProcess, int],
) -> None:
    core, metrics_port = two_workers
    create_session(core.stub())  # RPC series exist once an RPC was answered
    samples = scrape.scrape(metrics_port)
    assert scrape.names(samples) >= scrape.DOCUMENTED
    # Gauges take the largest worker's value: summed, two workers would show 2 signing keys.
    assert scrape.value(samples, "session_core_signing_keys", state="signing") == 1
    assert 0 <= scrape.value(samples, "session_core_feed_lag_seconds") < 5


def test_one_ready_line_once_every_worker_listens(two_workers: tuple[CoreProcess, int]) -> None:
    core, _ = two_workers
    lines = core.stdout_path.read_text().splitlines()
    assert sum("listening on" in line for line in lines) == 1
    ready = [e for e in scrape.json_lines(core.stderr_path) if e["message"] == "all workers ready"]
    assert len(ready) == 1


def test_sigterm_stops_every_worker_and_the_parent_exits_0(
    two_workers: tuple[CoreProcess, int],
) -> None:
    core, _ = two_workers
    pids = worker_pids(core)
    directory = metrics_dir(core)
    create_session(core.stub())
    assert core.stop() == 0
    assert wait_until_gone(pids, 1.0) == []
    assert not directory.exists(), "the parent removes its metrics directory"
    stopped = [e for e in scrape.json_lines(core.stderr_path) if e["message"] == "worker stopped"]
    assert sorted(int(str(e["worker_pid"])) for e in stopped) == sorted(pids)


def test_a_worker_killed_stops_the_others_and_the_parent_fails(
    two_workers: tuple[CoreProcess, int],
) -> None:
    core, _ = two_workers
    victim, survivor = worker_pids(core)
    os.kill(victim, signal.SIGKILL)
    assert core.wait_exit(EXIT_BOUND_SECONDS) != 0
    assert wait_until_gone([victim, survivor], 5.0) == []
    messages = [e["message"] for e in scrape.json_lines(core.stderr_path)]
    assert "worker exited unexpectedly; stopping the others" in messages


def test_a_lone_core_cannot_take_the_port_of_a_running_set(
    two_workers: tuple[CoreProcess, int], core_factory: CoreFactory
) -> None:
    core, _ = two_workers
    # Only the workers of one set share a port (SO_REUSEPORT); a lone process must fail.
    with pytest.raises(RuntimeError, match="cannot listen on"):
        core_factory.start(args=("--port", str(core.port)))


def test_workers_stop_themselves_when_the_parent_is_killed(
    two_workers: tuple[CoreProcess, int],
) -> None:
    core, _ = two_workers
    pids, directory = worker_pids(core), metrics_dir(core)
    os.kill(core.pid, signal.SIGKILL)
    assert core.wait_exit(EXIT_BOUND_SECONDS) == -signal.SIGKILL
    # The parent cannot clean up after SIGKILL; its workers must not serve on as orphans.
    assert wait_until_gone(pids, EXIT_BOUND_SECONDS) == []
    shutil.rmtree(directory)  # what the parent would have removed
