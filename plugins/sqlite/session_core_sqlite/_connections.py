"""Connections to one SQLite database and the read and write transactions run on them.

Each thread gets its own connection (SQLite connections must not be shared across
concurrent threads); `close()` closes them all. The in-memory form keeps a single
connection, since a second one would see a different database, and serialises calls.
Before each operation `busy_timeout` is set to the call's remaining deadline, so a call
never waits on another process's lock for longer than it may live.
"""

from __future__ import annotations

import contextlib
import math
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from core_server import deadlines
from core_server.storage.errors import StorageError, StorageTimeout, StorageUnavailable
from session_core_sqlite._errors import translate_errors

MEMORY = ":memory:"


class Connections:
    """The connections of one store; `read` and `write` translate sqlite3 errors."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._local = threading.local()
        self._lock = threading.Lock()  # guards _connections and _closed
        self._connections: list[sqlite3.Connection] = []
        self._closed = False
        self._memory_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._memory: sqlite3.Connection | None = None
        if path == MEMORY:
            try:
                with translate_errors("open"):
                    self._memory = self._open()
            except BaseException:
                self.close()  # _open may have registered a connection before failing
                raise

    def close(self) -> None:
        """Close every connection opened here, from any thread; idempotent."""
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()

    @contextlib.contextmanager
    def read(self, operation: str) -> Iterator[sqlite3.Connection]:
        """A connection with busy_timeout set to the call's deadline; errors translated."""
        with translate_errors(operation), self._connection() as conn:
            # Rounded up so that a lock wait that gives up has spent the whole deadline.
            busy_ms = math.ceil(deadlines.remaining() * 1000)
            conn.execute(f"PRAGMA busy_timeout = {busy_ms}")
            yield conn

    @contextlib.contextmanager
    def write(self, operation: str) -> Iterator[sqlite3.Connection]:
        """Run the block in one BEGIN IMMEDIATE transaction: all of it commits or none.

        Writers of this process first queue on a lock: SQLite's busy handler polls with
        growing sleeps, which turns contention between threads into latency spikes,
        while the lock hands over at once. Other processes still meet on SQLite's lock.
        """
        if not self._write_lock.acquire(timeout=deadlines.remaining()):
            raise StorageTimeout(f"sqlite: {operation} failed: deadline ran out waiting to write")
        try:
            with self._write_transaction(operation) as conn:
                yield conn
        finally:
            self._write_lock.release()

    @contextlib.contextmanager
    def _write_transaction(self, operation: str) -> Iterator[sqlite3.Connection]:
        with self.read(operation) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        if self._closed:
            raise StorageError("sqlite: the store is closed")
        if self._memory is None:
            yield self._thread_connection()
            return
        if not self._memory_lock.acquire(timeout=deadlines.remaining()):
            raise StorageTimeout("sqlite: deadline ran out waiting for the in-memory database")
        try:
            yield self._memory
        finally:
            self._memory_lock.release()

    def _thread_connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._open()
        return conn

    def _open(self) -> sqlite3.Connection:
        if self._path != MEMORY:
            _create_private(Path(self._path))
        # check_same_thread=False only so close() may close it from another thread; the
        # thread-local (or the in-memory lock) still gives each connection one user at a time.
        conn = sqlite3.connect(
            self._path,
            timeout=deadlines.remaining(),
            isolation_level=None,
            check_same_thread=False,
        )
        with self._lock:
            self._connections.append(conn)
        _configure(conn, self._path == MEMORY)
        return conn


def _configure(conn: sqlite3.Connection, memory: bool) -> None:
    # journal_mode is persistent in the file; asking again on every connection is a no-op
    # once set, and tells us if the filesystem refused WAL (some network filesystems do).
    (mode,) = conn.execute("PRAGMA journal_mode = WAL").fetchone()
    if mode != "wal" and not memory:
        raise StorageUnavailable(f"sqlite: could not enable WAL mode (journal_mode={mode})")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only, if it does not exist yet.

    It holds user ids, client metadata, claims and session data; SQLite creates its
    -wal and -shm files with the same permissions as the database file.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
