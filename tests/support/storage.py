"""Look into a backend's storage from outside the core, and the per-backend glue.

Adding a backend to the conformance suite means adding its name to `BACKENDS` in
`tests/conformance/conftest.py` and a `BackendSupport` entry here (URL factory and an
inspector that reads its raw rows or documents).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from tests.support import ferretdb, postgres
from tests.support.core_process import CoreProcess
from tests.support.tokens import b64url_decode

StoredValue = str | bytes | int | float | None


@dataclass(frozen=True)
class StoredRow:
    """One raw row (or document) as the backend keeps it."""

    table: str
    values: dict[str, StoredValue]

    def mentions(self, handle: str) -> bool:
        raw = b64url_decode(handle)
        return any(value in (handle, raw) for value in self.values.values())


class StorageInspector(Protocol):
    def rows(self) -> list[StoredRow]: ...

    def dump_text(self) -> str: ...

    def write_lock(self) -> contextlib.AbstractContextManager[None]: ...


class SqliteInspector:
    """Reads the core's SQLite file with the sqlite3 module, as an attacker with the file would."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def rows(self) -> list[StoredRow]:
        with contextlib.closing(self._connect()) as conn:
            query = "SELECT name FROM sqlite_master WHERE type = 'table'"
            names = [r[0] for r in conn.execute(query)]
            return [row for name in names for row in self._table_rows(conn, name)]

    def dump_text(self) -> str:
        with contextlib.closing(self._connect()) as conn:
            return "\n".join(conn.iterdump())

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold an exclusive lock from another connection, as a stuck writer would."""
        with contextlib.closing(self._connect()) as conn:
            conn.execute("BEGIN EXCLUSIVE")
            try:
                yield
            finally:
                conn.rollback()

    def _connect(self) -> sqlite3.Connection:
        assert self.path.exists(), f"no database file at {self.path}"
        return sqlite3.connect(self.path, timeout=10, isolation_level=None)

    @staticmethod
    def _table_rows(conn: sqlite3.Connection, table: str) -> list[StoredRow]:
        cursor = conn.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from sqlite_master
        columns = [d[0] for d in cursor.description]
        return [StoredRow(table, dict(zip(columns, row, strict=True))) for row in cursor]


class PostgresInspector:
    """Reads a core's PostgreSQL database as its superuser, as an attacker with a dump would."""

    def __init__(self, cluster: postgres.PostgresCluster, database: str) -> None:
        self.cluster = cluster
        self.database = database

    def rows(self) -> list[StoredRow]:
        with self.cluster.admin(self.database) as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
            names = [name for (name,) in cur.fetchall()]
            found = []
            for name in names:
                cur.execute(f'SELECT * FROM "{name}"')  # noqa: S608 - names from the catalog
                columns = [d[0] for d in cur.description or ()]
                found += [StoredRow(name, _values(columns, row)) for row in cur.fetchall()]
            return found

    def dump_text(self) -> str:
        return self.cluster.dump(self.database)

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold an exclusive lock on the sessions table from another connection."""
        with self.cluster.admin(self.database) as conn, conn.cursor() as cur:
            cur.execute("BEGIN; LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE")
            try:
                yield
            finally:
                cur.execute("ROLLBACK")


def _values(columns: list[str], row: tuple[object, ...]) -> dict[str, StoredValue]:
    """A row's values with BYTEA as bytes and NUMERIC as float, like the other backends."""
    values: dict[str, StoredValue] = {}
    for column, value in zip(columns, row, strict=True):
        if isinstance(value, memoryview):
            value = value.tobytes()
        elif isinstance(value, Decimal):
            value = float(value)
        assert value is None or isinstance(value, str | bytes | int | float), (column, value)
        values[column] = value
    return values


def rows_for(inspector: StorageInspector, handle: str) -> list[StoredRow]:
    """Every stored row or document that names the session `handle`."""
    return [row for row in inspector.rows() if row.mentions(handle)]


def session_row(inspector: StorageInspector, handle: str) -> StoredRow:
    """The one row holding the session's rotation state (it has a `generation`)."""
    rows = [row for row in rows_for(inspector, handle) if "generation" in row.values]
    assert len(rows) == 1, f"expected one session row for {handle}, found {rows}"
    return rows[0]


@dataclass(frozen=True)
class ServerControl:
    """What the outage cases need of a backend that runs as a server of its own."""

    fresh_url: Callable[[], str]  # a new, empty database's URL, for a core of its own
    # The server is down inside the block (stopped or killed) and back after it.
    outage: Callable[[], contextlib.AbstractContextManager[None]]
    # What must never reach a log: the URL's password, if it has one.
    secret: Callable[[], str | None]


@dataclass(frozen=True)
class BackendSupport:
    name: str
    url_for: Callable[[Path], str]
    inspector: Callable[[CoreProcess], StorageInspector]
    server: ServerControl | None = None  # None: the store runs inside the core process


def _postgres_url(data_dir: Path) -> str:
    """A fresh database on the run's cluster for each core (data_dir is not needed)."""
    return postgres.shared_cluster().fresh_url()


@contextlib.contextmanager
def _postgres_stopped() -> Iterator[None]:
    cluster = postgres.shared_cluster()
    cluster.stop()
    try:
        yield
    finally:
        cluster.start()


def _postgres_server() -> ServerControl:
    return ServerControl(
        fresh_url=lambda: postgres.shared_cluster().fresh_url(pool_max=4),
        outage=_postgres_stopped,
        secret=lambda: postgres.shared_cluster().password,
    )


def postgres_inspector(core: CoreProcess) -> PostgresInspector:
    url = str(core.config["storage_url"])
    return PostgresInspector(postgres.shared_cluster(), postgres.database_of(url))


def _sqlite_url(data_dir: Path) -> str:
    # Deliberately not the default file name, so a core ignoring storage_url is caught.
    return f"sqlite://{data_dir.resolve() / 'conformance.sqlite3'}"


def _mongodb_url(data_dir: Path) -> str:
    """A fresh database on the run's FerretDB server for each core."""
    return ferretdb.shared_server().fresh_url()


@contextlib.contextmanager
def _ferretdb_killed() -> Iterator[None]:
    """FerretDB killed (SIGKILL, as a crash), then started again on its port and data."""
    server = ferretdb.shared_server()
    server.kill()
    try:
        yield
    finally:
        server.start()


def _mongodb_server() -> ServerControl:
    return ServerControl(
        fresh_url=lambda: ferretdb.shared_server().fresh_url(),
        outage=_ferretdb_killed,
        secret=lambda: None,
    )


def mongodb_inspector(core: CoreProcess) -> StorageInspector:
    # Imported here: mongo_rows builds this module's StoredRow.
    from tests.support.mongo_rows import MongoInspector

    url = str(core.config["storage_url"])
    return MongoInspector(ferretdb.shared_server(), ferretdb.database_of(url))


SUPPORT: dict[str, BackendSupport] = {
    "sqlite": BackendSupport("sqlite", _sqlite_url, lambda core: SqliteInspector(core.db_path)),
    "postgres": BackendSupport("postgres", _postgres_url, postgres_inspector, _postgres_server()),
    "mongodb": BackendSupport("mongodb", _mongodb_url, mongodb_inspector, _mongodb_server()),
}
