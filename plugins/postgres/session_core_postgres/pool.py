"""A tiny blocking pool around psycopg2's `ThreadedConnectionPool`.

psycopg2's pool raises `PoolError` when every connection is in use; callers here wait
instead, on a semaphore with one slot per connection, for at most the pool timeout and
never beyond the call's deadline (`deadlines.remaining()`). Connections are opened lazily
up to `max_size` and kept open when returned, so a burst does not reconnect per call.

A connection that raised a connection-level error (`is_broken_connection`) is closed
rather than returned, and so is one the server wrote to while it sat idle (the notice
it sends before a restart ends every session, or end-of-file), found at checkout: the
first call after the database comes back gets a fresh connection, not a dead one.
"""

from __future__ import annotations

import contextlib
import select
import threading
from collections.abc import Iterator
from typing import Any

import psycopg2
import psycopg2.extensions
import psycopg2.pool

from core_server import deadlines
from core_server.storage.errors import StorageError, StorageTimeout
from session_core_postgres._errors import is_broken_connection

Connection = psycopg2.extensions.connection


class BlockingPool:
    """At most `max_size` connections, shared by threads; `connection()` lends one."""

    def __init__(
        self, dsn: str, min_size: int, max_size: int, timeout: float, **connect_kwargs: Any
    ) -> None:
        self._timeout = timeout
        self._max_size = max_size
        self._slots = threading.BoundedSemaphore(max_size)
        self._pool = psycopg2.pool.ThreadedConnectionPool(min_size, max_size, dsn, **connect_kwargs)
        # psycopg2 closes a returned connection once `minconn` are idle; keep them all.
        self._pool.minconn = max_size

    @contextlib.contextmanager
    def connection(self) -> Iterator[Connection]:
        """Lend a connection in autocommit mode for the block, waiting for a free one.

        Raises `StorageTimeout` when none frees up within the pool timeout or the call's
        deadline, and psycopg2's error when a new connection cannot be opened.
        """
        wait = min(self._timeout, deadlines.remaining())
        if not self._slots.acquire(timeout=wait):
            raise StorageTimeout(f"postgres: no pool connection became free within {wait:.3g} s")
        try:
            conn = self._checkout()
            broken = False
            try:
                yield conn
            except BaseException as exc:
                broken = is_broken_connection(exc)
                raise
            finally:
                self._give_back(conn, close=broken)
        finally:
            self._slots.release()

    def close(self) -> None:
        """Close every connection, idle or lent; the pool is unusable afterwards."""
        if not self._pool.closed:
            self._pool.closeall()

    def _checkout(self) -> Connection:
        if self._pool.closed:
            raise StorageError("postgres: the store is closed")
        conn: Connection = self._pool.getconn()
        # Drop stale idle connections one by one; once none is idle, getconn opens a new one.
        for _ in range(self._max_size):
            if not _is_stale(conn):
                break
            self._pool.putconn(conn, close=True)
            conn = self._pool.getconn()
        conn.autocommit = True
        return conn

    def _give_back(self, conn: Connection, close: bool) -> None:
        if self._pool.closed:  # close() ran meanwhile and already closed it
            conn.close()
        else:
            self._pool.putconn(conn, close=close or bool(conn.closed))


def _is_stale(conn: Connection) -> bool:
    """True when an idle connection was closed or has unread input (EOF or a FATAL notice)."""
    if conn.closed:
        return True
    if not hasattr(select, "poll"):  # Windows; select() works there for any socket
        return bool(select.select([conn], [], [], 0)[0])
    # poll, not select: select() cannot watch descriptors above 1023.
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN)
    return bool(poller.poll(0))
