"""The PostgreSQL plugin: the shared contract, twice, plus what only a server shows.

The contract runs under READ COMMITTED and again under SERIALIZABLE; then races between
two stores (two processes), the migration lock, the blocking pool, statement timeouts, a
database restart, URL parsing and what error messages may say.
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
from core_server.storage.testing_records import make_record, make_rotation
from session_core_postgres import PostgresStore
from session_core_postgres.url import parse_url
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


class TestPostgresStore(StoreContract):
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


def test_concurrent_migrations_create_the_schema_once(
    postgres_cluster: PostgresCluster, url: str
) -> None:
    barrier = threading.Barrier(4)

    def open_store(_: int) -> PostgresStore:
        barrier.wait(timeout=30)
        return PostgresStore.from_url(url)

    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(open_store, range(4), timeout=60))
    try:
        stores[0].insert_session(make_record())
        assert all(store.get_session("handle-1") == make_record() for store in stores)
    finally:
        for store in stores:
            store.close()
    with postgres_cluster.admin(database_of(url)) as conn, conn.cursor() as cur:
        cur.execute("SELECT version FROM schema_version")
        assert cur.fetchall() == [(1,)]


def test_a_store_reopened_on_a_migrated_database_keeps_its_rows(url: str) -> None:
    first = PostgresStore.from_url(url)
    first.insert_session(make_record())
    first.close()
    again = PostgresStore.from_url(url)
    try:
        assert again.get_session("handle-1") == make_record()
    finally:
        again.close()


def test_a_newer_schema_version_is_refused(postgres_cluster: PostgresCluster, url: str) -> None:
    PostgresStore.from_url(url).close()
    with postgres_cluster.admin(database_of(url)) as conn, conn.cursor() as cur:
        cur.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(StorageError, match="schema version 99 is newer"):
        PostgresStore.from_url(url)


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


@pytest.mark.parametrize(
    "query",
    [
        "pool_size=3",
        "pool_max=0",
        "pool_max=x",
        "pool_min=3&pool_max=2",
        "pool_timeout=0",
        "pool_timeout=inf",
        "pool_max=2&pool_max=3",
        "no_such_libpq_option=1",
    ],
)
def test_bad_pool_or_libpq_parameters_are_value_errors(query: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_url(f"postgresql://app:s3cret-pw@127.0.0.1:5432/db?{query}")
    assert "s3cret-pw" not in str(caught.value)


@pytest.mark.parametrize("url", ["sqlite:///x.db", "postgresql+psycopg2://u@h/db", "u@h/db"])
def test_other_url_forms_are_rejected(url: str) -> None:
    with pytest.raises(ValueError, match="expected postgresql://"):
        parse_url(url)


def test_our_parameters_are_stripped_and_libpq_ones_kept() -> None:
    parsed = parse_url(
        "postgres://app:p%40ss@db.internal:6432/sessions"
        "?pool_min=0&pool_max=4&pool_timeout=2.5&sslmode=require&application_name=core%201"
    )
    assert parsed.dsn == (
        "postgres://app:p%40ss@db.internal:6432/sessions?sslmode=require&application_name=core%201"
    )
    assert (parsed.pool_min, parsed.pool_max, parsed.pool_timeout) == (0, 4, 2.5)
    assert parsed.password == "p@ss"
    assert "p@ss" not in repr(parsed)


def test_error_messages_never_contain_the_password(postgres_cluster: PostgresCluster) -> None:
    good = postgres_cluster.fresh_url()
    wrong_password = good.replace(postgres_cluster.password, "Wr0ng-Passw0rd-xyz")
    with pytest.raises(StorageUnavailable) as caught:
        PostgresStore.from_url(wrong_password)
    _assert_not_in_chain(caught.value, "Wr0ng-Passw0rd-xyz")
    assert "28P01" in str(caught.value) or "authentication failed" in str(caught.value)

    refused = "postgresql://app:Wr0ng-Passw0rd-xyz@127.0.0.1:1/db?connect_timeout=2"
    with pytest.raises(StorageUnavailable) as caught:
        PostgresStore.from_url(refused)
    _assert_not_in_chain(caught.value, "Wr0ng-Passw0rd-xyz")


@contextlib.contextmanager
def _table_locked(cluster: PostgresCluster, database: str) -> Iterator[None]:
    """Hold an exclusive lock on `sessions` from another connection, as a stuck writer would."""
    with cluster.admin(database) as conn, conn.cursor() as cur:
        cur.execute("BEGIN; LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            cur.execute("ROLLBACK")


def _wait_until(condition: Callable[[], bool], timeout: float = 10) -> None:
    give_up = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < give_up, "condition not reached in time"
        time.sleep(0.01)


def _assert_not_in_chain(exc: BaseException | None, secret: str) -> None:
    assert exc is not None
    assert secret not in str(exc)
    assert secret not in repr(exc)


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
