"""The PostgreSQL schema's migration: once under concurrency, refused when newer, an
older database upgraded in place, and skipped on a migrated database so the runtime
role needs no CREATE privilege.

A database of version 1 is made by migrating a new one and undoing, with plain SQL,
what version 2 added; the version-1 DDL itself never changes.
"""

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
from core_server.storage.testing_records import NOW, make_key, make_record, make_rotation
from session_core_postgres import PostgresStore
from tests.support.postgres import PostgresCluster, database_of

OPENERS = 4
# The keys table of version 1, as its DDL created it.
V1_KEY_COLUMNS = [
    "key_id",
    "kind",
    "slot",
    "algorithm",
    "wrapped_secret",
    "wrapping_key_id",
    "public_jwk_json",
    "created_at",
    "sign_from",
    "sign_until",
    "verify_until",
    "delete_at",
]


@pytest.fixture
def url(postgres_cluster: PostgresCluster) -> str:
    """The URL of a fresh, empty database."""
    return postgres_cluster.fresh_url()


@pytest.fixture
def v1_url(postgres_cluster: PostgresCluster, url: str) -> str:
    """The URL of a database as version 1 left it, holding one session and one key."""
    store = PostgresStore.from_url(url)
    store.insert_session(make_record(revoked_at=NOW - 3))
    store.insert_key(make_key())
    store.close()
    with postgres_cluster.admin(database_of(url)) as conn, conn.cursor() as cur:
        # Version 2 only added this column.
        cur.execute("ALTER TABLE keys DROP COLUMN revoked_at")
        cur.execute("UPDATE schema_version SET version = 1")
    assert _key_columns(postgres_cluster, url) == V1_KEY_COLUMNS
    return url


def _key_columns(cluster: PostgresCluster, url: str) -> list[str]:
    with cluster.admin(database_of(url)) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name = 'keys' ORDER BY ordinal_position"
        )
        return [name for (name,) in cur.fetchall()]


def _stored_version(cluster: PostgresCluster, url: str) -> list[tuple[int]]:
    with cluster.admin(database_of(url)) as conn, conn.cursor() as cur:
        cur.execute("SELECT version FROM schema_version")
        return cur.fetchall()


@pytest.mark.parametrize("isolation", ["read committed", "serializable"])
def test_concurrent_migrations_create_the_schema_once(
    postgres_cluster: PostgresCluster, isolation: str
) -> None:
    database = postgres_cluster.create_database(isolation=isolation)
    url = postgres_cluster.url(database)
    barrier = threading.Barrier(OPENERS)

    def open_store(_: int) -> PostgresStore:
        barrier.wait(timeout=30)
        return PostgresStore.from_url(url)

    with ThreadPoolExecutor(OPENERS) as pool:
        stores = list(pool.map(open_store, range(OPENERS), timeout=60))
    try:
        stores[0].insert_session(make_record())
        assert all(store.get_session("handle-1") == make_record() for store in stores)
    finally:
        for store in stores:
            store.close()
    assert _stored_version(postgres_cluster, url) == [(2,)]
    assert _key_columns(postgres_cluster, url) == [*V1_KEY_COLUMNS, "revoked_at"]


def test_a_version_1_database_is_upgraded_in_place(
    postgres_cluster: PostgresCluster, v1_url: str
) -> None:
    store = PostgresStore.from_url(v1_url)
    try:
        assert _stored_version(postgres_cluster, v1_url) == [(2,)]
        assert _key_columns(postgres_cluster, v1_url) == [*V1_KEY_COLUMNS, "revoked_at"]
        (key,) = store.list_keys()
        assert key.revoked_at is None
        assert key == make_key()
        assert store.revoke_key("key-1", NOW + 7) is True
        assert store.revoke_key("key-1", NOW + 8) is False
        assert store.get_session("handle-1") == make_record(revoked_at=NOW - 3)
    finally:
        store.close()
    reopened = PostgresStore.from_url(v1_url)
    try:
        assert _stored_version(postgres_cluster, v1_url) == [(2,)]
        assert reopened.list_keys() == [make_key(revoked_at=NOW + 7)]
    finally:
        reopened.close()


def test_stores_opening_a_version_1_database_together_upgrade_it_once(
    postgres_cluster: PostgresCluster, v1_url: str
) -> None:
    barrier = threading.Barrier(OPENERS)

    def open_store(_: int) -> PostgresStore:
        barrier.wait(timeout=30)
        return PostgresStore.from_url(v1_url)

    with ThreadPoolExecutor(OPENERS) as pool:
        stores = list(pool.map(open_store, range(OPENERS), timeout=60))
    try:
        assert _stored_version(postgres_cluster, v1_url) == [(2,)]
        assert sum(store.revoke_key("key-1", NOW) for store in stores) == 1
        assert stores[-1].list_keys() == [make_key(revoked_at=NOW)]
    finally:
        for store in stores:
            store.close()


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
