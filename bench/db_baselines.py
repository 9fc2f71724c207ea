"""Bare database operations to compare the core with, on the database the core uses.

`db_cas` is a single-row compare-and-set (`UPDATE ... RETURNING` guarded by the row's
current value), `db_read` a point read by primary key, each on a row of its own per
caller, in a table beside the core's. On MongoDB they are a bare `find_one_and_update`
filtered on the document's current value and a point `find_one` by `_id`, in a
collection beside the core's, with the store's write concern (`w=majority`).
"""

from __future__ import annotations

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
# SQLite writers of one process queue on a lock, as the SQLite store's do; without it
# the baseline would measure SQLite's sleeping busy handler instead of the database.
_SQLITE_WRITE_LOCK = threading.Lock()


@contextmanager
def stores(folder: Path, names: Sequence[str] = ("sqlite", "postgres")) -> Iterator[dict[str, str]]:
    """Storage URLs for the stores in `names`: a SQLite file, a fresh database on a
    throwaway PostgreSQL cluster, one on a throwaway FerretDB server (MongoDB's wire
    protocol; built by scripts/ferretdb/build). Servers are started only when named."""
    urls = {"sqlite": f"sqlite:///{folder / 'bench.sqlite3'}"}
    with ExitStack() as cleanup:
        if "postgres" in names:
            cluster = PostgresCluster.create()
            cleanup.callback(cluster.destroy)
            urls["postgres"] = cluster.fresh_url()
        if "mongodb" in names:
            server = FerretDBServer.create()
            cleanup.callback(server.destroy)
            urls["mongodb"] = server.fresh_url()
        yield urls


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

    return cas if operation == "db_cas" else read


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

    return cas if operation == "db_cas" else read


def _mongodb_call(operation: str, url: str, row: int) -> Callable[[], None]:
    # The store's own write concern, so the CAS pays what the store's writes pay.
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(url, w="majority")
    collection = client.get_default_database()[TABLE]
    current = [secrets.token_bytes(32)]
    collection.insert_one({"_id": row, "v": 0, "h": current[0]})

    def cas() -> None:
        new = secrets.token_bytes(32)
        updated = collection.find_one_and_update(
            {"_id": row, "h": current[0]},
            {"$inc": {"v": 1}, "$set": {"h": new}},
            return_document=ReturnDocument.AFTER,
        )
        _expect_one([] if updated is None else [updated])
        current[0] = new

    def read() -> None:
        found = collection.find_one({"_id": row})
        _expect_one([] if found is None else [found])

    return cas if operation == "db_cas" else read


def _expect_one(rows: list[Any]) -> None:
    if len(rows) != 1:
        raise RuntimeError(f"baseline expected one row, got {len(rows)}")
