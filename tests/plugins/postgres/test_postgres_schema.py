"""The PostgreSQL schema's migration: once under concurrency, refused when newer, and
skipped on a migrated database so the runtime role needs no CREATE privilege."""

from __future__ import annotations

import contextlib
import secrets
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from core_server.domain.models import RotateResult
from core_server.storage.errors import StorageError
from core_server.storage.testing_feed import make_entry
from core_server.storage.testing_records import NOW, make_record, make_rotation
from session_core_postgres import PostgresStore
from tests.support.postgres import PostgresCluster, database_of


@pytest.fixture
def url(postgres_cluster: PostgresCluster) -> str:
    """The URL of a fresh, empty database."""
    return postgres_cluster.fresh_url()


@pytest.mark.parametrize("isolation", ["read committed", "serializable"])
def test_concurrent_migrations_create_the_schema_once(
    postgres_cluster: PostgresCluster, isolation: str
) -> None:
    database = postgres_cluster.create_database(isolation=isolation)
    url = postgres_cluster.url(database)
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
    with postgres_cluster.admin(database) as conn, conn.cursor() as cur:
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


def test_a_runtime_role_without_create_works_on_a_migrated_database(
    postgres_cluster: PostgresCluster, url: str
) -> None:
    PostgresStore.from_url(url).close()  # the first start, as the owner, migrates
    with _runtime_role(postgres_cluster, database_of(url)) as runtime_url:
        store = PostgresStore.from_url(runtime_url)
        try:
            record = make_record()
            store.insert_session(record)
            rotation = make_rotation(record)
            assert store.rotate_refresh_token(rotation, NOW) is RotateResult.ROTATED
            assert store.append_feed([make_entry(record.handle)]) == 1
            assert [entry.subject for entry in store.read_feed(None).entries] == [record.handle]
        finally:
            store.close()


@contextlib.contextmanager
def _runtime_role(cluster: PostgresCluster, database: str) -> Iterator[str]:
    """A login role with only the runtime privileges on `database`; yields its store URL."""
    role, password = f"runtime_{uuid.uuid4().hex[:8]}", secrets.token_hex(8)
    with cluster.admin(database) as conn, conn.cursor() as cur:
        cur.execute(f"CREATE ROLE {role} LOGIN PASSWORD %s", (password,))
        # PUBLIC may create in `public` on clusters initialised before PostgreSQL 15.
        cur.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        cur.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        cur.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
        )
        cur.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    try:
        yield f"postgresql://{role}:{password}@127.0.0.1:{cluster.port}/{database}"
    finally:
        with cluster.admin(database) as conn, conn.cursor() as cur:
            cur.execute(f"DROP OWNED BY {role}; DROP ROLE {role}")
