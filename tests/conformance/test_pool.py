"""Many refreshes through a connection pool smaller than the load (C14, B21).

Each core here opens at most POOL_MAX connections to its database, on every backend
with a pool (PostgreSQL and MongoDB); what is really open is counted from outside the
core (pg_stat_activity; the core's sockets to FerretDB), sampled throughout the burst.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import grpc
import pytest

from sessioncore.v1 import session_service_pb2 as pb
from tests.conformance.conftest import only_on
from tests.support import ferretdb, postgres
from tests.support.core_process import CoreFactory, CoreProcess
from tests.support.grpc_helpers import Api, assert_outcome, create_session, refresh_tokens
from tests.support.storage import BackendSupport
from tests.support.tokens import parse_refresh_token

POOL_MAX = 2
POOL_TIMEOUT_SECONDS = 5
SESSIONS = 20
# pymongo talks to each server over one monitoring connection besides its pool; with
# serverMonitoringMode=poll that is all (the streaming protocol would add an RTT
# monitor's), so the pool's connections are the core's connections minus this one.
MONGODB_MONITORS = 1

Counter = Callable[[], int]


@dataclass(frozen=True)
class PoolSupport:
    """What these cases need of a backend with a connection pool."""

    fresh_url: Callable[[], str]  # a new database, opened with a pool of POOL_MAX
    # Counts, while open, the pool connections the core really holds to its database.
    connections: Callable[[CoreProcess], contextlib.AbstractContextManager[Counter]]
    # The pause between two counts. Listing the core's sockets takes CPU, not a round
    # trip: in a tight loop it slows the burst it measures (the machines have two cores),
    # and pool connections stay open once made, so a sparse sample still sees the peak.
    sample_interval_seconds: float = 0.0


def _postgres_url() -> str:
    cluster = postgres.shared_cluster()
    return cluster.fresh_url(pool_max=POOL_MAX, pool_timeout=POOL_TIMEOUT_SECONDS)


@contextlib.contextmanager
def _postgres_connections(core: CoreProcess) -> Iterator[Counter]:
    """The client backends PostgreSQL serves on the core's database."""
    database = postgres.database_of(str(core.config["storage_url"]))
    query = (
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = %s AND backend_type = 'client backend'"
    )
    with postgres.shared_cluster().admin() as conn, conn.cursor() as cur:

        def count() -> int:
            cur.execute(query, (database,))
            (found,) = cur.fetchone() or (0,)
            return int(found)

        yield count


def _mongodb_url() -> str:
    # waitQueueTimeoutMS as on PostgreSQL; but the store runs every operation under
    # pymongo's client-side timeout, which bounds a checkout by the call's deadline instead,
    # so a refresh kept waiting for the pool shows as one slower than the assertion allows
    # (or failing at its deadline), never as a pool timeout.
    return ferretdb.shared_server().fresh_url(
        maxPoolSize=POOL_MAX,
        waitQueueTimeoutMS=POOL_TIMEOUT_SECONDS * 1000,
        serverMonitoringMode="poll",
    )


@contextlib.contextmanager
def _mongodb_connections(core: CoreProcess) -> Iterator[Counter]:
    """The core's established connections to FerretDB, less pymongo's monitor."""
    server = ferretdb.shared_server()
    yield lambda: server.connections_from(core.pid) - MONGODB_MONITORS


POOLS = {
    "postgres": PoolSupport(_postgres_url, _postgres_connections),
    "mongodb": PoolSupport(_mongodb_url, _mongodb_connections, sample_interval_seconds=0.02),
}
pytestmark = only_on(POOLS, "SQLite has no connection pool: each core thread has its own")


@pytest.fixture(scope="module")
def pool_core(core_factory: CoreFactory, backend: BackendSupport) -> CoreProcess:
    """A core with a pool of 2 and enough RPC threads for every refresh to run at once."""
    url = POOLS[backend.name].fresh_url()
    return core_factory.start({"storage": backend.name, "storage_url": url, "threads": SESSIONS})


class ConnectionPeak:
    """Samples, in a thread, how many pool connections a core has open to its database."""

    def __init__(self, core: CoreProcess, pool: PoolSupport) -> None:
        self.core = core
        self.pool = pool
        self.peak = 0
        self.samples = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample)

    def __enter__(self) -> ConnectionPeak:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        with self.pool.connections(self.core) as count:
            while True:
                self.peak = max(self.peak, count())
                self.samples += 1
                if self._done.wait(self.pool.sample_interval_seconds):
                    return


def refresh_all_at_once(api: Api, held: list[pb.Tokens]) -> list[tuple[pb.Tokens, float]]:
    """Refresh every session at one instant; the new tokens and each call's duration."""
    barrier = threading.Barrier(len(held), timeout=10)

    def one(tokens: pb.Tokens) -> tuple[pb.Tokens, float]:
        barrier.wait()
        started = time.monotonic()
        try:
            response = refresh_tokens(api, tokens)
        except grpc.RpcError as err:
            raise AssertionError(f"a refresh failed with {err.code()}: {err.details()}") from err
        assert_outcome(response, pb.OUTCOME_OK)
        return response.tokens, time.monotonic() - started

    with ThreadPoolExecutor(len(held)) as pool:
        return list(pool.map(one, held, timeout=60))


def assert_burst_fits_the_pool(core: CoreProcess, held: list[pb.Tokens], generation: int) -> None:
    pool = POOLS[str(core.config["storage"])]
    with ConnectionPeak(core, pool) as connections:
        results = refresh_all_at_once(core.stub(), held)
    slowest = max(duration for _, duration in results)
    assert slowest < POOL_TIMEOUT_SECONDS / 2, f"a refresh took {slowest:.2f} s"
    assert {parse_refresh_token(t.refresh_token.token).generation for t, _ in results} == {
        generation
    }
    assert connections.samples > 0 and 1 <= connections.peak <= POOL_MAX, connections.peak
    assert "storage unavailable" not in core.stderr_text()


def test_C14_twenty_refreshes_through_a_pool_of_two(pool_core: CoreProcess) -> None:
    api = pool_core.stub()
    held = [create_session(api, f"c14-{i}").tokens for i in range(SESSIONS)]
    assert_burst_fits_the_pool(pool_core, held, generation=1)


def test_B21_advanced_sessions_refresh_at_once_without_waiting_for_the_pool(
    pool_core: CoreProcess,
) -> None:
    api = pool_core.stub()
    held = []
    for i in range(SESSIONS):
        created = create_session(api, f"b21-{i}")
        advanced = refresh_tokens(api, created.tokens)  # one step: generation 1
        assert_outcome(advanced, pb.OUTCOME_OK)
        held.append(advanced.tokens)
    assert_burst_fits_the_pool(pool_core, held, generation=2)
