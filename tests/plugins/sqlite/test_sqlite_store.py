"""The SQLite plugin: the shared contract, plus WAL, multi-process and locking behaviour."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from core_server import deadlines
from core_server.domain.models import RotateResult
from core_server.storage.errors import StorageError, StorageTimeout, StorageUnavailable
from core_server.storage.testing import StoreContract
from core_server.storage.testing_records import make_record, make_rotation
from session_core_sqlite import SqliteStore
from session_core_sqlite.store import path_from_url
from tests.plugins.store_races import StoreRaces


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "sessions.db"


@pytest.fixture
def file_store(db_path: Path) -> Iterator[SqliteStore]:
    store = SqliteStore.from_url(f"sqlite://{db_path}")
    yield store
    store.close()


class TestSqliteStore(StoreContract, StoreRaces):
    @pytest.fixture
    def store(self, file_store: SqliteStore) -> SqliteStore:
        return file_store


class TestSqliteMemoryStore(StoreContract):
    @pytest.fixture
    def store(self) -> Iterator[SqliteStore]:
        store = SqliteStore.from_url("sqlite::memory:")
        yield store
        store.close()


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///var/lib/session-core/s.db", "/var/lib/session-core/s.db"),
        ("sqlite:relative/s.db", "relative/s.db"),
        ("sqlite::memory:", ":memory:"),
    ],
)
def test_url_forms(url: str, path: str) -> None:
    assert path_from_url(url) == path


@pytest.mark.parametrize("url", ["sqlite:", "sqlite://host/s.db", "postgres:///s.db", "s.db"])
def test_other_urls_are_rejected(url: str) -> None:
    with pytest.raises(ValueError, match="sqlite:///absolute"):
        path_from_url(url)


def test_relative_url_opens_under_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    SqliteStore.from_url("sqlite:nested/s.db").close()
    assert (tmp_path / "nested" / "s.db").is_file()


def test_file_is_in_wal_mode(file_store: SqliteStore, db_path: Path) -> None:
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_reopening_an_existing_file_keeps_its_sessions(db_path: Path) -> None:
    first = SqliteStore.from_url(f"sqlite://{db_path}")
    first.insert_session(make_record())
    first.close()
    second = SqliteStore.from_url(f"sqlite://{db_path}")
    assert second.get_session("handle-1") == make_record()
    second.close()


def test_two_stores_on_one_file_see_each_others_writes(
    file_store: SqliteStore, db_path: Path
) -> None:
    other = SqliteStore.from_url(f"sqlite://{db_path}")
    try:
        file_store.insert_session(make_record())
        assert other.revoke_sessions(["handle-1"], 1_800_000_000.0) == ["handle-1"]
        stored = file_store.get_session("handle-1")
        assert stored is not None and stored.revoked_at == 1_800_000_000.0
    finally:
        other.close()


def test_rotation_race_across_two_stores_rotates_exactly_once(
    file_store: SqliteStore, db_path: Path
) -> None:
    # Two stores stand in for two core processes: separate connections to one file.
    other = SqliteStore.from_url(f"sqlite://{db_path}")
    record = make_record()
    file_store.insert_session(record)
    barrier = threading.Barrier(8)

    def rotate(i: int) -> RotateResult:
        store = file_store if i % 2 else other
        rotation = make_rotation(record, new_hash=bytes([i]) * 32)
        barrier.wait(timeout=30)
        return store.rotate_refresh_token(rotation, 1_800_000_000.0)

    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(rotate, range(8), timeout=60))
    finally:
        other.close()
    assert results.count(RotateResult.ROTATED) == 1


def test_write_blocked_by_another_lock_times_out_at_the_deadline(
    file_store: SqliteStore, db_path: Path
) -> None:
    file_store.insert_session(make_record())
    raw = sqlite3.connect(db_path, isolation_level=None)
    raw.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with deadlines.deadline_in(0.3), pytest.raises(StorageTimeout):
            file_store.insert_session(make_record(handle="handle-2"))
        elapsed = time.monotonic() - started
        # WAL: readers are not blocked by the writer's lock.
        assert file_store.get_session("handle-1") == make_record()
    finally:
        raw.execute("ROLLBACK")
        raw.close()
    assert 0.25 <= elapsed < 3
    file_store.insert_session(make_record(handle="handle-2"))


def test_path_under_a_regular_file_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "not-a-dir").write_text("")
    with pytest.raises(StorageUnavailable):
        SqliteStore.from_url(f"sqlite://{tmp_path}/not-a-dir/s.db")


def test_path_that_is_a_directory_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StorageUnavailable):
        SqliteStore.from_url(f"sqlite://{tmp_path}")


def test_a_closed_store_refuses_calls(db_path: Path) -> None:
    store = SqliteStore.from_url(f"sqlite://{db_path}")
    store.close()
    with pytest.raises(StorageError, match="closed"):
        store.get_session("handle-1")
