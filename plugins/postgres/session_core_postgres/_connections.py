"""The connections of one store and the two ways it runs SQL on them.

`execute` sends one statement in one round trip together with
`SET LOCAL statement_timeout`, taken from the call's remaining deadline, so PostgreSQL
itself abandons work nobody waits for; the statement is its own transaction.
Serialization failures and deadlocks (SQLSTATE 40001, 40P01) are retried a few times,
so SERIALIZABLE databases work as READ COMMITTED ones do. `transaction` runs a block of
statements in one explicit READ COMMITTED transaction (the schema migration needs one).
Both translate psycopg2 errors through `_errors`.
"""

from __future__ import annotations

import contextlib
import math
import random
import time
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg2
import psycopg2.extensions

from core_server import deadlines
from session_core_postgres._errors import (
    Redactor,
    is_retryable,
    translate,
    translate_connect_errors,
    translate_errors,
)
from session_core_postgres.pool import BlockingPool
from session_core_postgres.url import PostgresUrl

APPLICATION_NAME = "session-core"
# TCP keepalives, unless the URL sets its own: a silent peer (a network partition, a
# crashed host) is noticed in about 10 s instead of the kernel's hours, so a call cannot
# hang on a dead socket; the statement timeout is the server's own and cannot help there.
# A server process stopped while its host runs (SIGSTOP) still answers at the TCP level,
# so nothing on this side bounds a call waiting on it (docs/configuration.md says so).
KEEPALIVE_DEFAULTS = {
    "keepalives": 1,
    "keepalives_idle": 5,  # seconds idle before the first probe
    "keepalives_interval": 2,  # seconds between unanswered probes
    "keepalives_count": 3,  # unanswered probes before the connection is dead
    "tcp_user_timeout": 10_000,  # ms that sent data may stay unacknowledged
}
# Serialization failures and deadlocks: attempts per operation, and the first back-off.
MAX_ATTEMPTS = 8
RETRY_BACKOFF_SECONDS = 0.002

Params = Sequence[Any] | dict[str, Any] | None


class Connections:
    """A blocking pool of connections to one database, with the store URL's redactor.

    Raises `ValueError` for a URL libpq rejects and `StorageUnavailable` when the server
    cannot be reached (see `_errors`).
    """

    def __init__(self, url: PostgresUrl) -> None:
        self.redact: Redactor = url.redact
        # The migration needs a connection at once: opening it here, where a URL libpq
        # rejects becomes a configuration error, costs nothing even with pool_min=0.
        with translate_connect_errors(self.redact):
            self._pool = BlockingPool(
                url.dsn,
                max(1, url.pool_min),
                url.pool_max,
                url.pool_timeout,
                **connect_options(url),
            )

    def execute(
        self,
        operation: str,
        sql: str,
        params: Params = None,
        timeout_cap_ms: int | None = None,
    ) -> tuple[list[tuple[Any, ...]], int]:
        """Run `sql` as one transaction; return its rows (if any) and row count.

        Retries serialization failures and deadlocks with a short, growing, jittered
        back-off while attempts and the deadline last; every other error is translated.
        """
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return self._attempt(sql, params, timeout_cap_ms)
            except psycopg2.Error as exc:
                # Jitter (not a secret), so racing retries do not collide again in step.
                pause = RETRY_BACKOFF_SECONDS * 2**attempt * random.random()  # noqa: S311
                last = attempt == MAX_ATTEMPTS or pause >= deadlines.remaining()
                if last or not is_retryable(exc):
                    raise translate(operation, exc, self.redact) from exc
            time.sleep(pause)
        raise AssertionError("unreachable")

    @contextlib.contextmanager
    def transaction(self, operation: str) -> Iterator[psycopg2.extensions.cursor]:
        """A cursor in one explicit READ COMMITTED transaction, committed if the block returns.

        Explicit, whatever the database's default isolation, so each statement sees what
        others committed before it began (the migration relies on this after taking its
        lock). Bounded by the call's deadline; errors are translated, never retried.
        """
        with (
            translate_errors(operation, self.redact),
            self._pool.connection() as conn,
            conn.cursor() as cur,
        ):
            cur.execute(
                "BEGIN ISOLATION LEVEL READ COMMITTED;"
                f" SET LOCAL statement_timeout = {_statement_timeout_ms()}"
            )
            try:
                yield cur
                cur.execute("COMMIT")
            except BaseException:
                if not conn.closed:  # else the pool discards it, transaction and all
                    with contextlib.suppress(psycopg2.Error):
                        cur.execute("ROLLBACK")
                raise

    def close(self) -> None:
        """Close every connection, idle or in use; idempotent."""
        self._pool.close()

    def _attempt(
        self, sql: str, params: Params, timeout_cap_ms: int | None
    ) -> tuple[list[tuple[Any, ...]], int]:
        with self._pool.connection() as conn, conn.cursor() as cur:
            # Taken once a connection is ours, so time spent waiting for it counts too.
            timeout_ms = _statement_timeout_ms()
            if timeout_cap_ms is not None:
                timeout_ms = min(timeout_ms, timeout_cap_ms)
            # Sent with the statement in one query string: one round trip, and the
            # setting ends with the statement's own (implicit) transaction.
            cur.execute(f"SET LOCAL statement_timeout = {timeout_ms};\n{sql}", params)
            rows = cur.fetchall() if cur.description is not None else []
            return rows, cur.rowcount


def _statement_timeout_ms() -> int:
    """The call's remaining deadline, rounded up: a statement cancelled by it spent it all."""
    return max(1, math.ceil(deadlines.remaining() * 1000))


def connect_options(url: PostgresUrl) -> dict[str, Any]:
    """libpq options added to the URL's own, each only where the URL does not set it."""
    defaults: dict[str, Any] = {
        "application_name": APPLICATION_NAME,
        # libpq's own minimum is 2 s; an unreachable host must not hang a call forever.
        "connect_timeout": max(2, math.ceil(url.pool_timeout)),
        **KEEPALIVE_DEFAULTS,
    }
    options = {key: value for key, value in defaults.items() if key not in url.libpq_params}
    return {"client_encoding": "UTF8", **options}
