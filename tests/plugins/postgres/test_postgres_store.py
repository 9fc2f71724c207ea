"""The PostgreSQL plugin: the shared contract, twice, plus what only a server shows.

The contract runs under READ COMMITTED and again under SERIALIZABLE; then races between
two stores (two processes) and between the sweeper and a rotation, the blocking pool,
statement timeouts, the revocation index and a database restart. The URL and the schema
have their own files.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from core_server import deadlines
from core_server.domain.models import RotateResult
from core_server.storage import registry
from core_server.storage.errors import StorageError, StorageTimeout, StorageUnavailable
from core_server.storage.testing import StoreContract
from core_server.storage.testing_feed import make_entry
from core_server.storage.testing_records import NOW, make_record, make_rotation
from session_core_postgres import PostgresStore
from tests.plugins.store_races import StoreRaces
from tests.support.postgres import PostgresCluster, database_of

RACERS = 8
THREADS = 20


@pytest.fixture
def url(postgres_cluster: PostgresCluster) -> str:
    """The URL of a fresh, empty database."""
    return postgres_cluster.fresh_url()


@pytest.fixture
def pg_store(url: str) -> Iterator[PostgresStore]:
    store = PostgresStore.from_url(url)
    yield store
    store.close()


class TestPostgresStore(StoreContract, StoreRaces):
    @pytest.fixture
    def store(self, pg_store: PostgresStore) -> PostgresStore:
        return pg_store


class TestPostgresStoreSerializable(StoreContract):
    """The whole contract again on a database whose default isolation is SERIALIZABLE."""

    @pytest.fixture
    def store(self, postgres_cluster: PostgresCluster) -> Iterator[PostgresStore]:
        name = postgres_cluster.create_database(isolation="serializable")
        store = PostgresStore.from_url(postgres_cluster.url(name))
        yield store
        store.close()


def test_registry_opens_the_postgres_plugin(url: str) -> None:
    assert registry.load("postgres") is PostgresStore
    store = registry.open_store("postgres", url)
    try:
        assert store.get_session("missing") is None
    finally:
        store.close()


def test_two_processes_racing_rotations_rotate_exactly_once(url: str) -> None:
    """Two stores on one database stand for two core processes with their own pools."""
    stores = [PostgresStore.from_url(url) for _ in range(2)]
    try:
        record = make_record()
        stores[0].insert_session(record)
        barrier = threading.Barrier(RACERS)

        def rotate(i: int) -> RotateResult:
            rotation = make_rotation(record, new_hash=bytes([i]) * 32)
            barrier.wait(timeout=30)
            return stores[i % 2].rotate_refresh_token(rotation, rotation.rotated_at)

        with ThreadPoolExecutor(RACERS) as pool:
            results = list(pool.map(rotate, range(RACERS), timeout=60))
        assert results.count(RotateResult.ROTATED) == 1
        winner = results.index(RotateResult.ROTATED)
        for store in stores:
            stored = store.get_session(record.handle)
            assert stored is not None
            assert (stored.generation, stored.current_hash) == (2, bytes([winner]) * 32)
    finally:
        for store in stores:
            store.close()


def test_pool_max_bounds_open_connections_under_load(postgres_cluster: PostgresCluster) -> None:
    name = f"pool-{uuid.uuid4().hex[:8]}"
    store = PostgresStore.from_url(
        postgres_cluster.fresh_url(pool_max=2, pool_timeout=10, application_name=name)
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        with postgres_cluster.admin() as conn, conn.cursor() as cur:
            while not done.is_set():
                cur.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (name,)
                )
                (count,) = cur.fetchone() or (0,)
                peak = max(peak, count)

    def work(i: int) -> None:
        record = make_record(handle=f"h-{i}", user_id=f"u-{i % 3}")
        store.insert_session(record)
        assert store.rotate_refresh_token(make_rotation(record), record.created_at + 60) is (
            RotateResult.ROTATED
        )
        assert store.list_user_sessions(record.user_id, record.created_at + 60, None, 50)
        assert store.revoke_sessions([record.handle], record.created_at + 61) == [record.handle]

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(work, range(THREADS), timeout=60))
    finally:
        done.set()
        sampler.join()
        store.close()
    assert 1 <= peak <= 2


def test_pool_acquire_times_out_within_the_deadline(
    postgres_cluster: PostgresCluster,
) -> None:
    url = postgres_cluster.fresh_url(pool_max=1, pool_timeout=30)
    store = PostgresStore.from_url(url)
    store.insert_session(make_record())
    blocked = threading.Thread(
        target=store.rotate_refresh_token,
        args=(make_rotation(make_record()), make_record().created_at),
    )
    try:
        with _table_locked(postgres_cluster, database_of(url)):
            blocked.start()  # holds the only connection while it waits on the lock
            _wait_until(lambda: postgres_cluster.client_connections(database_of(url)) == 2)
            started = time.monotonic()
            with deadlines.deadline_in(0.3), pytest.raises(StorageTimeout, match="pool"):
                store.get_session("handle-1")
            assert time.monotonic() - started < 0.6
        blocked.join(timeout=30)
    finally:
        store.close()


def test_a_statement_blocked_past_the_deadline_is_cancelled(
    postgres_cluster: PostgresCluster, url: str
) -> None:
    store = PostgresStore.from_url(url)
    store.insert_session(make_record())
    try:
        with _table_locked(postgres_cluster, database_of(url)):
            started = time.monotonic()
            with deadlines.deadline_in(0.3), pytest.raises(StorageTimeout) as caught:
                store.rotate_refresh_token(make_rotation(make_record()), make_record().created_at)
            assert time.monotonic() - started < 1.0
        assert "SQLSTATE 57014" in str(caught.value)
        assert store.get_session("handle-1") == make_record()
    finally:
        store.close()


def test_a_session_extended_while_the_sweeper_waits_on_it_survives(
    postgres_cluster: PostgresCluster, url: str
) -> None:
    """READ COMMITTED re-checks only the outer WHERE on a row that changed while it waited."""
    store = PostgresStore.from_url(url)
    store.insert_session(make_record(idle_expires_at=NOW - 1))
    database = database_of(url)
    try:
        with postgres_cluster.admin(database) as conn, conn.cursor() as cur:
            # A rotation in flight: it holds the row while the sweeper's DELETE queues on it.
            cur.execute("BEGIN; SELECT 1 FROM sessions WHERE handle = 'handle-1' FOR UPDATE")
            with ThreadPoolExecutor(1) as pool:
                sweep = pool.submit(store.delete_expired, NOW, 10)
                _wait_until(lambda: _waiting_on_a_lock(postgres_cluster, database))
                cur.execute(
                    "UPDATE sessions SET idle_expires_at = %(until)s, expires_at = %(until)s"
                    " WHERE handle = 'handle-1'; COMMIT",
                    {"until": NOW + 3600},
                )
                assert sweep.result(timeout=30) == 0
        assert store.get_session("handle-1") == make_record()
    finally:
        store.close()


def test_a_blocked_feed_append_gives_up_within_its_own_bound(
    postgres_cluster: PostgresCluster, url: str
) -> None:
    """Readers' overlap (2 s at least) must exceed how late an append may commit."""
    store = PostgresStore.from_url(url)
    try:
        with _table_locked(postgres_cluster, database_of(url), "revocation_feed"):
            started = time.monotonic()
            with deadlines.deadline_in(30), pytest.raises(StorageUnavailable) as caught:
                store.append_feed([make_entry()])
            assert time.monotonic() - started < 1.8
        assert not isinstance(caught.value, StorageTimeout)
        assert "SQLSTATE 57014" in str(caught.value)
    finally:
        store.close()


def test_listing_revoked_sessions_uses_the_revocation_index(
    postgres_cluster: PostgresCluster, url: str
) -> None:
    PostgresStore.from_url(url).close()
    with postgres_cluster.admin(database_of(url)) as conn, conn.cursor() as cur:
        cur.execute("SET enable_seqscan = off")
        cur.execute(
            "EXPLAIN SELECT handle FROM sessions WHERE revoked_at IS NOT NULL"
            " AND (revoked_at, handle) > (1.0, 'h') ORDER BY revoked_at, handle LIMIT 10"
        )
        plan = "\n".join(line for (line,) in cur.fetchall())
    assert "sessions_by_revocation" in plan
    assert "Index Cond: (ROW(revoked_at, handle) > ROW(" in plan
    assert "Sort" not in plan


def _waiting_on_a_lock(cluster: PostgresCluster, database: str) -> bool:
    with cluster.admin() as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
            (database,),
        )
        (count,) = cur.fetchone() or (0,)
        return bool(count)


@contextlib.contextmanager
def _table_locked(
    cluster: PostgresCluster, database: str, table: str = "sessions"
) -> Iterator[None]:
    """Hold an exclusive lock on `table` from another connection, as a stuck writer would."""
    with cluster.admin(database) as conn, conn.cursor() as cur:
        cur.execute(f"BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            cur.execute("ROLLBACK")


def _wait_until(condition: Callable[[], bool], timeout: float = 10) -> None:
    give_up = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < give_up, "condition not reached in time"
        time.sleep(0.01)


def test_database_restart_needs_no_new_store(postgres_cluster: PostgresCluster, url: str) -> None:
    store = PostgresStore.from_url(f"{url}?pool_max=3")
    try:
        store.insert_session(make_record())
        postgres_cluster.stop()
        try:
            with pytest.raises(StorageUnavailable) as caught:
                store.get_session("handle-1")
            assert not isinstance(caught.value, StorageTimeout)
        finally:
            postgres_cluster.start()
        # Idle connections died with the server: the first call after it returns works.
        assert store.get_session("handle-1") == make_record()
    finally:
        store.close()


def test_closed_store_refuses_calls(pg_store: PostgresStore) -> None:
    pg_store.close()
    pg_store.close()
    with pytest.raises(StorageError):
        pg_store.get_session("handle-1")
