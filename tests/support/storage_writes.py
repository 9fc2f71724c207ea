"""Write to a backend's storage behind the core's back, as an operator or a crash would.

The revocation-feed cases need changes the core never makes itself: a session row
deleted by hand, a revocation written without its feed entry (a crash between the
two), and a feed entry whose commit came late. Each backend of the conformance suite
needs a writer here, registered in `WRITERS` under the backend's name.
"""

from __future__ import annotations

import abc
import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from tests.support import ferretdb, postgres
from tests.support.core_process import CoreProcess


class StorageWriter(Protocol):
    def delete_session(self, handle: str) -> None:
        """Remove the session's row (or documents) entirely."""

    def revoke_without_feed(self, handle: str, revoked_at: float) -> None:
        """Mark the session revoked at `revoked_at`, adding no feed entry."""

    def recorded_at(self, handle: str) -> float:
        """The store-assigned `recorded_at` of the session's feed entry."""

    def append_late_entry(
        self, handle: str, revoked_at: float, expires_at: float, recorded_at: float
    ) -> None:
        """Add a feed entry for the session as if recorded at `recorded_at`, committed now."""


class SqlWriter(abc.ABC):
    """The writes, alike on every SQL store; a subclass runs them with its driver.

    Statements are written with `?` parameters; a subclass whose driver wants another
    mark swaps them in `_execute` and `_fetch_one`.
    """

    def delete_session(self, handle: str) -> None:
        deleted = self._execute("DELETE FROM sessions WHERE handle = ?", (handle,))
        assert deleted == 1, f"no session row for {handle}"

    def revoke_without_feed(self, handle: str, revoked_at: float) -> None:
        query = "UPDATE sessions SET revoked_at = ? WHERE handle = ?"
        assert self._execute(query, (revoked_at, handle)) == 1

    def recorded_at(self, handle: str) -> float:
        query = "SELECT recorded_at FROM revocation_feed WHERE kind = 'session' AND subject = ?"
        row = self._fetch_one(query, (handle,))
        assert row is not None, f"no feed entry for {handle}"
        return float(row[0])

    def append_late_entry(
        self, handle: str, revoked_at: float, expires_at: float, recorded_at: float
    ) -> None:
        query = (
            "INSERT INTO revocation_feed (kind, subject, revoked_at, expires_at, recorded_at)"
            " VALUES ('session', ?, ?, ?, ?)"
        )
        self._execute(query, (handle, revoked_at, expires_at, recorded_at))

    @abc.abstractmethod
    def _execute(self, query: str, params: tuple[object, ...]) -> int:
        """Run `query` in its own committed transaction; return its row count."""

    @abc.abstractmethod
    def _fetch_one(self, query: str, params: tuple[object, ...]) -> tuple[Any, ...] | None:
        """The first row `query` selects, or None."""


class SqliteWriter(SqlWriter):
    """Writes to the core's SQLite file with the sqlite3 module."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _execute(self, query: str, params: tuple[object, ...]) -> int:
        with contextlib.closing(self._connect()) as conn:
            conn.execute("BEGIN IMMEDIATE")
            rowcount = conn.execute(query, params).rowcount
            conn.execute("COMMIT")
        return rowcount

    def _fetch_one(self, query: str, params: tuple[object, ...]) -> tuple[Any, ...] | None:
        with contextlib.closing(self._connect()) as conn:
            row: tuple[Any, ...] | None = conn.execute(query, params).fetchone()
        return row

    def _connect(self) -> sqlite3.Connection:
        assert self.path.exists(), f"no database file at {self.path}"
        return sqlite3.connect(self.path, timeout=10, isolation_level=None)


class PostgresWriter(SqlWriter):
    """Writes to the core's PostgreSQL database as its superuser."""

    def __init__(self, cluster: postgres.PostgresCluster, database: str) -> None:
        self.cluster = cluster
        self.database = database

    def _execute(self, query: str, params: tuple[object, ...]) -> int:
        with self.cluster.admin(self.database) as conn, conn.cursor() as cur:
            cur.execute(query.replace("?", "%s"), params)
            return cur.rowcount

    def _fetch_one(self, query: str, params: tuple[object, ...]) -> tuple[Any, ...] | None:
        with self.cluster.admin(self.database) as conn, conn.cursor() as cur:
            cur.execute(query.replace("?", "%s"), params)
            return cur.fetchone()


def _postgres_writer(core: CoreProcess) -> PostgresWriter:
    url = str(core.config["storage_url"])
    return PostgresWriter(postgres.shared_cluster(), postgres.database_of(url))


class MongoWriter:
    """Writes to the core's MongoDB database, in the store's document layout."""

    def __init__(self, server: ferretdb.FerretDBServer, database: str) -> None:
        self.server = server
        self.database = database

    def delete_session(self, handle: str) -> None:
        with self.server.client() as client:
            db = client[self.database]
            assert db["sessions"].delete_one({"_id": handle}).deleted_count == 1
            for name in ("session_data", "session_claims", "revocations"):
                db[name].delete_one({"_id": handle})
            db["rotations"].delete_many({"h": handle})

    def revoke_without_feed(self, handle: str, revoked_at: float) -> None:
        with self.server.client() as client:
            db = client[self.database]
            head = db["sessions"].find_one({"_id": handle})
            assert head is not None, f"no session {handle}"
            tombstone = {"_id": handle, "revoked_at": revoked_at, "expire_at": head["expire_at"]}
            db["revocations"].insert_one(tombstone)

    def recorded_at(self, handle: str) -> float:
        with self.server.client() as client:
            entry = client[self.database]["revocation_feed"].find_one(
                {"kind": "session", "subject": handle}
            )
        assert entry is not None, f"no feed entry for {handle}"
        return float(entry["recorded_at"])

    def append_late_entry(
        self, handle: str, revoked_at: float, expires_at: float, recorded_at: float
    ) -> None:
        with self.server.client() as client:
            feed = client[self.database]["revocation_feed"]
            last = feed.find_one({}, sort=[("_id", -1)])
            entry = {
                "_id": (last["_id"] if last else 0) + 1,
                "kind": "session",
                "subject": handle,
                "revoked_at": revoked_at,
                "expires_at": expires_at,
                "recorded_at": recorded_at,
                "theft_user_id": None,
                "theft_presented_generation": None,
                "theft_current_generation": None,
            }
            feed.insert_one(entry)


def _mongodb_writer(core: CoreProcess) -> MongoWriter:
    url = str(core.config["storage_url"])
    return MongoWriter(ferretdb.shared_server(), ferretdb.database_of(url))


WRITERS: dict[str, Callable[[CoreProcess], StorageWriter]] = {
    "sqlite": lambda core: SqliteWriter(core.db_path),
    "postgres": _postgres_writer,
    "mongodb": _mongodb_writer,
}


def writer_for(backend_name: str, core: CoreProcess) -> StorageWriter:
    """The writer for a backend; fails, naming this module, if none is registered."""
    make = WRITERS.get(backend_name)
    assert make is not None, f"add a StorageWriter for {backend_name!r} to {__name__}"
    return make(core)
