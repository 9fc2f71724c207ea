"""Many refreshes through a connection pool smaller than the load (C14, B21).

Each core here opens at most POOL_MAX connections; the database counts what is really
open (pg_stat_activity), sampled throughout the burst.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest

from sessioncore.v1 import session_service_pb2 as pb
from tests.conformance.conftest import only_on
from tests.support.core_process import CoreFactory, CoreProcess
from tests.support.grpc_helpers import Api, assert_outcome, create_session, refresh_tokens
from tests.support.postgres import PostgresCluster, database_of
from tests.support.storage import BackendSupport
from tests.support.tokens import parse_refresh_token

POOL_MAX = 2
POOL_TIMEOUT_SECONDS = 5
SESSIONS = 20

pytestmark = only_on("postgres", "SQLite has no connection pool: each core thread has its own")


@pytest.fixture(scope="module")
def pool_core(
    core_factory: CoreFactory, postgres_cluster: PostgresCluster, backend: BackendSupport
) -> CoreProcess:
    """A core with a pool of 2 and enough RPC threads for every refresh to run at once."""
    url = postgres_cluster.fresh_url(pool_max=POOL_MAX, pool_timeout=POOL_TIMEOUT_SECONDS)
    return core_factory.start({"storage": backend.name, "storage_url": url, "threads": SESSIONS})


class ConnectionPeak:
    """Samples, in a thread, how many client connections a database has open."""

    def __init__(self, cluster: PostgresCluster, database: str) -> None:
        self.cluster = cluster
        self.database = database
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
        query = (
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = %s AND backend_type = 'client backend'"
        )
        with self.cluster.admin() as conn, conn.cursor() as cur:
            while not self._done.is_set():
                cur.execute(query, (self.database,))
                (count,) = cur.fetchone() or (0,)
                self.peak = max(self.peak, count)
                self.samples += 1


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


def assert_burst_fits_the_pool(
    core: CoreProcess, cluster: PostgresCluster, held: list[pb.Tokens], generation: int
) -> None:
    with ConnectionPeak(cluster, database_of(str(core.config["storage_url"]))) as connections:
        results = refresh_all_at_once(core.stub(), held)
    slowest = max(duration for _, duration in results)
    assert slowest < POOL_TIMEOUT_SECONDS / 2, f"a refresh took {slowest:.2f} s"
    assert {parse_refresh_token(t.refresh_token.token).generation for t, _ in results} == {
        generation
    }
    assert connections.samples > 0 and 1 <= connections.peak <= POOL_MAX, connections.peak
    assert "storage unavailable" not in core.stderr_text()


def test_C14_twenty_refreshes_through_a_pool_of_two(
    pool_core: CoreProcess, postgres_cluster: PostgresCluster
) -> None:
    api = pool_core.stub()
    held = [create_session(api, f"c14-{i}").tokens for i in range(SESSIONS)]
    assert_burst_fits_the_pool(pool_core, postgres_cluster, held, generation=1)


def test_B21_advanced_sessions_refresh_at_once_without_waiting_for_the_pool(
    pool_core: CoreProcess, postgres_cluster: PostgresCluster
) -> None:
    api = pool_core.stub()
    held = []
    for i in range(SESSIONS):
        created = create_session(api, f"b21-{i}")
        advanced = refresh_tokens(api, created.tokens)  # one step: generation 1
        assert_outcome(advanced, pb.OUTCOME_OK)
        held.append(advanced.tokens)
    assert_burst_fits_the_pool(pool_core, postgres_cluster, held, generation=2)
