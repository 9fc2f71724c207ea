"""SQLite schema versions (upgrade in place, newer files refused) and the feed's order.

Files of an older version are made by opening a new file and undoing, with plain SQL,
what each later version added; the version-1 DDL itself never changes.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from core_server.storage.errors import StorageError
from core_server.storage.testing_feed import make_entry
from core_server.storage.testing_records import NOW, make_key, make_record
from session_core_sqlite import SqliteStore
from session_core_sqlite.schema import SCHEMA_VERSION

V1_TABLES = {"schema_version", "sessions", "keys"}
# The keys table of versions 1 and 2, as their DDL created it.
V2_KEY_COLUMNS = [
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
OPENERS = 4
APPENDS_PER_STORE = 25


def raw(path: Path) -> contextlib.closing[sqlite3.Connection]:
    return contextlib.closing(sqlite3.connect(path, isolation_level=None))


def tables(path: Path) -> set[str]:
    with raw(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows} - {"sqlite_sequence"}


def stored_version(path: Path) -> int:
    with raw(path) as conn:
        (version,) = conn.execute("SELECT version FROM schema_version").fetchone()
    return int(version)


def key_columns(path: Path) -> list[str]:
    with raw(path) as conn:
        return [row[1] for row in conn.execute("PRAGMA table_info(keys)")]


def old_file(path: Path, version: int) -> Path:
    """A file as `version` (1 or 2) of the plugin left it, holding one session and one key."""
    store = SqliteStore.from_url(f"sqlite://{path}")
    store.insert_session(make_record(revoked_at=NOW - 3))
    store.insert_key(make_key())
    store.close()
    with raw(path) as conn:
        # Version 3 only added this column.
        conn.execute("ALTER TABLE keys DROP COLUMN revoked_at")
        if version < 2:
            # Version 2 only added these; the version-1 tables are unchanged since.
            conn.execute("DROP TABLE revocation_feed")
            conn.execute("DROP INDEX sessions_by_revocation")
        conn.execute("UPDATE schema_version SET version = ?", (version,))
    assert key_columns(path) == V2_KEY_COLUMNS
    return path


@pytest.fixture
def v1_file(tmp_path: Path) -> Path:
    path = old_file(tmp_path / "v1.sqlite3", 1)
    assert tables(path) == V1_TABLES
    return path


@pytest.fixture
def v2_file(tmp_path: Path) -> Path:
    path = old_file(tmp_path / "v2.sqlite3", 2)
    assert tables(path) == V1_TABLES | {"revocation_feed"}
    return path


def test_a_version_1_file_is_upgraded_in_place(v1_file: Path) -> None:
    store = SqliteStore.from_url(f"sqlite://{v1_file}")
    try:
        assert stored_version(v1_file) == SCHEMA_VERSION == 3
        assert tables(v1_file) == V1_TABLES | {"revocation_feed"}
        assert key_columns(v1_file) == [*V2_KEY_COLUMNS, "revoked_at"]
        assert store.get_session("handle-1") == make_record(revoked_at=NOW - 3)
        assert store.list_keys() == [make_key()]
        assert store.revoke_key("key-1", NOW) is True
        assert store.list_revoked_sessions((NOW - 10, ""), 10) == [make_record(revoked_at=NOW - 3)]
        assert store.append_feed([make_entry("handle-1")]) == 1
    finally:
        store.close()
    reopened = SqliteStore.from_url(f"sqlite://{v1_file}")
    try:
        assert stored_version(v1_file) == 3
        assert [entry.subject for entry in reopened.read_feed(None).entries] == ["handle-1"]
        assert reopened.list_keys() == [make_key(revoked_at=NOW)]
    finally:
        reopened.close()


def test_a_version_2_file_gains_key_revocation_and_keeps_its_key(v2_file: Path) -> None:
    store = SqliteStore.from_url(f"sqlite://{v2_file}")
    try:
        assert stored_version(v2_file) == 3
        assert key_columns(v2_file) == [*V2_KEY_COLUMNS, "revoked_at"]
        (key,) = store.list_keys()
        assert key.revoked_at is None
        assert key == make_key()
        assert store.revoke_key("key-1", NOW + 7) is True
        assert store.revoke_key("key-1", NOW + 8) is False
        assert store.get_session("handle-1") == make_record(revoked_at=NOW - 3)
    finally:
        store.close()
    reopened = SqliteStore.from_url(f"sqlite://{v2_file}")
    try:
        assert stored_version(v2_file) == 3
        assert reopened.list_keys() == [make_key(revoked_at=NOW + 7)]
    finally:
        reopened.close()


def test_stores_opening_a_version_1_file_together_upgrade_it_once(v1_file: Path) -> None:
    barrier = threading.Barrier(OPENERS)

    def open_store(_: int) -> SqliteStore:
        barrier.wait(timeout=30)
        return SqliteStore.from_url(f"sqlite://{v1_file}")

    with ThreadPoolExecutor(OPENERS) as pool:
        stores = list(pool.map(open_store, range(OPENERS), timeout=60))
    try:
        assert stored_version(v1_file) == 3
        assert sum(store.append_feed([make_entry("once")]) for store in stores) == 1
        assert sum(store.revoke_key("key-1", NOW) for store in stores) == 1
    finally:
        for store in stores:
            store.close()


def test_a_file_from_a_newer_schema_is_refused(v1_file: Path) -> None:
    with raw(v1_file) as conn:
        conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(StorageError, match="newer"):
        SqliteStore.from_url(f"sqlite://{v1_file}")
    assert tables(v1_file) == V1_TABLES  # left untouched
    assert key_columns(v1_file) == V2_KEY_COLUMNS


def test_feed_commit_order_is_recorded_order_across_stores(tmp_path: Path) -> None:
    # Two stores stand in for two core processes appending to one file at once.
    path = tmp_path / "feed.sqlite3"
    stores = [SqliteStore.from_url(f"sqlite://{path}") for _ in range(2)]

    def append_all(index: int) -> None:
        for i in range(APPENDS_PER_STORE):
            stores[index].append_feed([make_entry(f"s{index}-{i}")])

    try:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(append_all, range(2), timeout=60))
        entries = stores[0].read_feed(None).entries
    finally:
        for store in stores:
            store.close()
    assert len(entries) == 2 * APPENDS_PER_STORE
    recorded = [entry.recorded_at for entry in entries]
    assert recorded == sorted(recorded)
