"""Bare database operations to compare the core with, on the database the core uses.

`db_cas` is a single-row compare-and-set (`UPDATE ... RETURNING` guarded by the row's
current value), `db_read` a point read by primary key, each on a row of its own per
caller, and `db_insert` the insert of one new row (a random key, a 32-byte value), in a
table beside the core's. On MongoDB they are a bare `find_one_and_update` filtered on
the document's current value, a point `find_one` by `_id` and an `insert_one`, in a
collection beside the core's, with the store's write concern (`w=majority`).
"""

from __future__ import annotations

import itertools
import secrets
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import psycopg2
import pymongo
from pymongo import ReturnDocument

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.ferretdb import FerretDBServer
from tests.support.postgres import PostgresCluster

TABLE = "bench_baseline"
SERVERS: dict[str, type[PostgresCluster] | type[FerretDBServer]] = {
    "postgres": PostgresCluster,
    "mongodb": FerretDBServer,
}
# SQLite writers of one process queue on a lock, as the SQLite store's do; without it
# the baseline would measure SQLite's sleeping busy handler instead of the database.
_SQLITE_WRITE_LOCK = threading.Lock()


@contextmanager
def stores(folder: Path, names: Sequence[str] = ("sqlite", "postgres")) -> Iterator[dict[str, str]]:
    """Storage URLs for the stores in `names` (one database each; see `servers`)."""
    with servers(folder, names) as fresh:
        yield {name: fresh(name) for name in dict.fromkeys(("sqlite", *names))}


@contextmanager
def servers(folder: Path, names: Sequence[str]) -> Iterator[Callable[[str], str]]:
    """A function giving the URL of a new, empty database of a store named in `names`.

    SQLite databases are new files in `folder`; PostgreSQL ones live on a throwaway
    cluster, MongoDB ones on a throwaway FerretDB server (MongoDB's wire protocol; built
    by scripts/ferretdb/build). Servers are started only when named, removed at the end.
    """
    files = itertools.count()
    with ExitStack() as cleanup:
        started: dict[str, Callable[[], str]] = {
            "sqlite": lambda: f"sqlite:///{folder / f'bench-{next(files)}.sqlite3'}"
        }
        for name in names:
            if name in SERVERS:
                server = SERVERS[name].create()
                cleanup.callback(server.destroy)
                started[name] = server.fresh_url
        yield lambda name: started[name]()


def prepare(url: str, callers: int) -> None:
    """Create the baseline table (empty) in the database at `url`."""
    ddl = f"CREATE TABLE IF NOT EXISTS {TABLE} (id BIGINT PRIMARY KEY, v BIGINT, h BYTEA)"
    if url.startswith("mongodb:"):
        return  # the collection is created by its first insert
    if url.startswith("sqlite:"):
        with sqlite3.connect(_sqlite_path(url)) as conn:
            conn.execute(ddl.replace("BYTEA", "BLOB"))
        return
    with psycopg2.connect(url) as pg, pg.cursor() as cur:
        cur.execute(ddl)


def call(operation: str, url: str) -> Callable[[], None]:
    """One caller's zero-argument function doing `operation` on a row of its own."""
    row = secrets.randbelow(2**62)
    if url.startswith("sqlite:"):
        return _sqlite_call(operation, _sqlite_path(url), row)
    if url.startswith("mongodb:"):
        return _mongodb_call(operation, url, row)
    return _postgres_call(operation, url, row)


def _sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite://")


def _sqlite_call(operation: str, path: str, row: int) -> Callable[[], None]:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    current = [secrets.token_bytes(32)]
    conn.execute(f"INSERT INTO {TABLE} VALUES (?, 0, ?)", (row, current[0]))

    def cas() -> None:
        new = secrets.token_bytes(32)
        with _SQLITE_WRITE_LOCK:
            conn.execute("BEGIN IMMEDIATE")
            updated = conn.execute(
                f"UPDATE {TABLE} SET v = v + 1, h = ? WHERE id = ? AND h = ? RETURNING v",
                (new, row, current[0]),
            ).fetchall()
            conn.execute("COMMIT")
        _expect_one(updated)
        current[0] = new

    def read() -> None:
        _expect_one(conn.execute(f"SELECT v, h FROM {TABLE} WHERE id = ?", (row,)).fetchall())

    def insert() -> None:
        values = (secrets.randbelow(2**62), secrets.token_bytes(32))
        with _SQLITE_WRITE_LOCK:
            conn.execute(f"INSERT INTO {TABLE} VALUES (?, 0, ?)", values)

    return _pick(operation, cas, read, insert)


def _postgres_call(operation: str, url: str, row: int) -> Callable[[], None]:
    conn = psycopg2.connect(url)
    conn.autocommit = True
    current = [secrets.token_bytes(32)]
    with conn.cursor() as cur:
        cur.execute(f"INSERT INTO {TABLE} VALUES (%s, 0, %s)", (row, current[0]))

    def cas() -> None:
        new = secrets.token_bytes(32)
        with conn.cursor() as cur:
            cur.execute(
                f"UPDATE {TABLE} SET v = v + 1, h = %s WHERE id = %s AND h = %s RETURNING v",
                (new, row, current[0]),
            )
            _expect_one(cur.fetchall())
        current[0] = new

    def read() -> None:
        with conn.cursor() as cur:
            cur.execute(f"SELECT v, h FROM {TABLE} WHERE id = %s", (row,))
            _expect_one(cur.fetchall())

    def insert() -> None:
        with conn.cursor() as cur:
            values = (secrets.randbelow(2**62), secrets.token_bytes(32))
            cur.execute(f"INSERT INTO {TABLE} VALUES (%s, 0, %s)", values)

    return _pick(operation, cas, read, insert)


def _mongodb_call(operation: str, url: str, row: int) -> Callable[[], None]:
    # The store's own write concern, so the CAS pays what the store's writes pay.
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(url, w="majority")
    collection = client.get_default_database()[TABLE]
    current = [secrets.token_bytes(32)]
    # String ids, as the store's handles are. On FerretDB v1 (SQLite) integer ids made the
    # point read over ten times slower (6 vs 82 reads/s at 16 callers, measured here).
    key = f"row-{row}"
    collection.insert_one({"_id": key, "v": 0, "h": current[0]})

    def cas() -> None:
        new = secrets.token_bytes(32)
        updated = collection.find_one_and_update(
            {"_id": key, "h": current[0]},
            {"$inc": {"v": 1}, "$set": {"h": new}},
            return_document=ReturnDocument.AFTER,
        )
        _expect_one([] if updated is None else [updated])
        current[0] = new

    def read() -> None:
        found = collection.find_one({"_id": key})
        _expect_one([] if found is None else [found])

    def insert() -> None:
        doc = {"_id": "row-" + secrets.token_hex(8), "v": 0, "h": secrets.token_bytes(32)}
        collection.insert_one(doc)

    return _pick(operation, cas, read, insert)


def _pick(operation: str, *calls: Callable[[], None]) -> Callable[[], None]:
    """The call named `operation`, from (cas, read, insert)."""
    return dict(zip(("db_cas", "db_read", "db_insert"), calls, strict=True))[operation]


def _expect_one(rows: list[Any]) -> None:
    if len(rows) != 1:
        raise RuntimeError(f"baseline expected one row, got {len(rows)}")
