"""`PostgresStore`: the storage port on PostgreSQL, shared by any number of core processes.

The URL form and the pool settings are described in `session_core_postgres.url`.

Each operation is one SQL statement sent in one round trip together with
`SET LOCAL statement_timeout`, taken from the call's remaining deadline, so PostgreSQL
itself abandons work nobody waits for. The statement is its own transaction, so it is
atomic under any isolation level: rotation is a single conditional UPDATE that a
concurrent revocation or rotation makes match nothing. Serialization failures and
deadlocks (SQLSTATE 40001, 40P01) are retried a few times inside the store, so
SERIALIZABLE databases work as READ COMMITTED ones do.
"""

from __future__ import annotations

import contextlib
import math
import random
import time
from collections.abc import Sequence
from typing import Any

import psycopg2

from core_server import deadlines
from core_server.domain.models import (
    FeedEntry,
    FeedPage,
    RotateResult,
    Rotation,
    SessionRecord,
    StoredKey,
)
from core_server.storage import sql_rows
from core_server.storage.base import SessionStore
from core_server.storage.errors import StorageError
from session_core_postgres import schema
from session_core_postgres._errors import (
    is_retryable,
    translate,
    translate_connect_errors,
    translate_errors,
)
from session_core_postgres.pool import BlockingPool
from session_core_postgres.url import PostgresUrl, parse_url

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
# The feed's readers re-read an overlap window (2 s at least, 10 s by default); no feed
# write may commit later than that after it was recorded, so appends get a bound well
# inside it. An append cut short is no loss: the sweeper's reconciliation writes the
# entry again, with a fresh recorded_at.
FEED_STATEMENT_TIMEOUT_MS = 1000
# Serialization failures and deadlocks: attempts per operation, and the first back-off.
MAX_ATTEMPTS = 8
RETRY_BACKOFF_SECONDS = 0.002

_LIVE = "revoked_at IS NULL AND expires_at > %(now)s"
# SQL is assembled only from the constants in this block and in `sql_rows`; every value is
# a bound parameter, hence the S608 ("SQL built from strings") waivers.
_GET_SESSION = f"{sql_rows.SELECT_SESSIONS} WHERE handle = %s"
_INSERT_SESSION = sql_rows.insert_sql("sessions", sql_rows.SESSION_INSERT_COLUMNS, "%s")
_ROTATE = (
    "UPDATE sessions SET generation = generation + 1, previous_hash = current_hash,"  # noqa: S608
    " current_hash = %(new_hash)s, rotated_at = %(rotated_at)s, idle_expires_at = %(idle)s,"
    " expires_at = LEAST(%(idle)s, absolute_expires_at)"
    " WHERE handle = %(handle)s AND generation = %(generation)s"
    f" AND current_hash = %(expected_hash)s AND {_LIVE} RETURNING handle"
)
_UPDATE_DATA = (
    "UPDATE sessions SET session_data_json = %(value)s"  # noqa: S608
    f" WHERE handle = %(handle)s AND {_LIVE}"
)
_UPDATE_CLAIMS = (
    "UPDATE sessions SET access_token_claims_json = %(value)s"  # noqa: S608
    f" WHERE handle = %(handle)s AND {_LIVE}"
)
_REVOKE = (
    "UPDATE sessions SET revoked_at = %(now)s"  # noqa: S608
    f" WHERE handle = ANY(%(handles)s::text[]) AND {_LIVE} RETURNING handle"
)
# IS DISTINCT FROM NULL holds for every row, so keep=None keeps none.
_REVOKE_USER = (
    "UPDATE sessions SET revoked_at = %(now)s WHERE user_id = %(user_id)s"  # noqa: S608
    f" AND handle IS DISTINCT FROM %(keep)s AND {_LIVE} RETURNING handle"
)
_LIST = (
    f"{sql_rows.SELECT_SESSIONS} WHERE user_id = %(user_id)s AND {_LIVE}"
    " AND (created_at, handle) > (%(created_at)s, %(handle)s)"
    " ORDER BY created_at, handle LIMIT %(limit)s"
)
# The outer condition is re-checked on a row a concurrent rotation changed while the
# DELETE waited for its lock (READ COMMITTED), so a session extended meanwhile stays.
_DELETE_EXPIRED = (
    "DELETE FROM sessions WHERE handle IN"
    " (SELECT handle FROM sessions WHERE expires_at <= %(now)s LIMIT %(limit)s)"
    " AND expires_at <= %(now)s"
)
_INSERT_KEY = sql_rows.insert_sql("keys", sql_rows.KEY_COLUMNS, "%s") + " ON CONFLICT DO NOTHING"
# `revoked_at IS NOT NULL` lets the planner use the partial index sessions_by_revocation.
_LIST_REVOKED = (
    f"{sql_rows.SELECT_SESSIONS} WHERE revoked_at IS NOT NULL"
    " AND (revoked_at, handle) > (%s, %s) ORDER BY revoked_at, handle LIMIT %s"
)
# recorded_at is the database's clock, which every core process shares.
_APPEND_FEED = (
    f"INSERT INTO revocation_feed ({sql_rows.FEED_INSERT_COLUMNS}, recorded_at)"  # noqa: S608
    " SELECT k, s, r, e, u, p, c, extract(epoch FROM clock_timestamp())"
    " FROM unnest(%s::text[], %s::text[], %s::float8[], %s::float8[], %s::text[],"
    " %s::bigint[], %s::bigint[]) WITH ORDINALITY AS t (k, s, r, e, u, p, c, i)"
    " ORDER BY i ON CONFLICT (kind, subject) DO NOTHING RETURNING sequence"
)
# read_at is the database's clock once the statement's snapshot is taken: every entry
# the read returns committed, and so was recorded, before it. An entry missing from the
# read commits later, within the feed's statement timeout of its recorded_at, so a reader
# asking from read_at - overlap next time finds it. The subquery's volatile clock is
# evaluated once; the LEFT JOIN yields read_at even for an empty feed.
_READ_FEED = (
    "SELECT clock.read_at,"  # noqa: S608
    f" {', '.join('f.' + c.strip() for c in sql_rows.FEED_COLUMNS.split(','))}"
    " FROM (SELECT extract(epoch FROM clock_timestamp())::float8 AS read_at) AS clock"
    " LEFT JOIN revocation_feed AS f"
    " ON %(after)s::float8 IS NULL OR f.recorded_at > %(after)s::float8"
    " ORDER BY f.sequence"
)
_PRUNE_FEED = (
    "DELETE FROM revocation_feed WHERE sequence IN (SELECT sequence FROM revocation_feed"
    " WHERE expires_at <= %s ORDER BY sequence LIMIT %s)"
)


class PostgresStore(SessionStore):
    """Sessions, keys and the revocation feed in one PostgreSQL database; thread-safe.

    Opening runs the schema migration (see `schema`); raises `ValueError` for a URL
    libpq rejects, `StorageUnavailable` when the server cannot be reached and
    `StorageError` for a schema newer than this plugin.
    """

    def __init__(self, url: PostgresUrl) -> None:
        self._redact = url.redact
        # The migration needs a connection at once: opening it here, where a URL libpq
        # rejects becomes a configuration error, costs nothing even with pool_min=0.
        with translate_connect_errors(self._redact):
            self._pool = BlockingPool(
                url.dsn,
                max(1, url.pool_min),
                url.pool_max,
                url.pool_timeout,
                **connect_options(url),
            )
        try:
            self._migrate()
        except BaseException:
            self.close()  # the caller never gets the store, so nothing else could
            raise

    @classmethod
    def from_url(cls, url: str) -> PostgresStore:
        """Open the database at a `postgresql://` URL (see the module doc); migrates it."""
        return cls(parse_url(url))

    def insert_session(self, record: SessionRecord) -> None:
        self._execute("insert session", _INSERT_SESSION, sql_rows.session_values(record))

    def get_session(self, handle: str) -> SessionRecord | None:
        rows, _ = self._execute("get session", _GET_SESSION, (handle,))
        return sql_rows.session_from_row(rows[0]) if rows else None

    def rotate_refresh_token(self, rotation: Rotation, now: float) -> RotateResult:
        """One conditional UPDATE: a concurrent rotation or revocation makes it match nothing."""
        params = {
            "handle": rotation.handle,
            "generation": rotation.expected_generation,
            "expected_hash": rotation.expected_hash,
            "new_hash": rotation.new_hash,
            "rotated_at": rotation.rotated_at,
            "idle": rotation.idle_expires_at,
            "now": now,
        }
        rows, _ = self._execute("rotate refresh token", _ROTATE, params)
        return RotateResult.ROTATED if rows else RotateResult.CONFLICT

    def update_session_data(self, handle: str, data_json: str, now: float) -> bool:
        params = {"value": data_json, "handle": handle, "now": now}
        return self._execute("update session data", _UPDATE_DATA, params)[1] == 1

    def update_access_token_claims(self, handle: str, claims_json: str, now: float) -> bool:
        params = {"value": claims_json, "handle": handle, "now": now}
        return self._execute("update access token claims", _UPDATE_CLAIMS, params)[1] == 1

    def revoke_sessions(self, handles: Sequence[str], now: float) -> list[str]:
        """One UPDATE for all handles, so the revocation is all-or-nothing."""
        unique = list(dict.fromkeys(handles))
        if not unique:
            return []
        params = {"now": now, "handles": unique}
        rows, _ = self._execute("revoke sessions", _REVOKE, params)
        revoked = {handle for (handle,) in rows}
        return [handle for handle in unique if handle in revoked]

    def revoke_user_sessions(self, user_id: str, keep_handle: str | None, now: float) -> list[str]:
        """Returns the revoked handles sorted."""
        params = {"now": now, "user_id": user_id, "keep": keep_handle}
        rows, _ = self._execute("revoke user sessions", _REVOKE_USER, params)
        return sorted(handle for (handle,) in rows)

    def list_user_sessions(
        self, user_id: str, now: float, after: tuple[float, str] | None, limit: int
    ) -> list[SessionRecord]:
        """Keyset pagination on the (user_id, created_at, handle) index; [] if limit < 1."""
        if limit < 1:
            return []
        created_at, handle = sql_rows.keyset_after(after)
        params = {
            "user_id": user_id,
            "now": now,
            "created_at": created_at,
            "handle": handle,
            "limit": limit,
        }
        rows, _ = self._execute("list user sessions", _LIST, params)
        return [sql_rows.session_from_row(row) for row in rows]

    def delete_expired(self, now: float, limit: int) -> int:
        """Delete by the indexed `expires_at` only; 0 if limit < 1."""
        if limit < 1:
            return 0
        params = {"now": now, "limit": limit}
        return self._execute("delete expired sessions", _DELETE_EXPIRED, params)[1]

    def insert_key(self, key: StoredKey) -> bool:
        return self._execute("insert key", _INSERT_KEY, sql_rows.key_values(key))[1] == 1

    def list_keys(self) -> list[StoredKey]:
        rows, _ = self._execute("list keys", sql_rows.SELECT_KEYS)
        return [sql_rows.key_from_row(row) for row in rows]

    def list_revoked_sessions(self, after: tuple[float, str], limit: int) -> list[SessionRecord]:
        """Keyset pagination on the partial (revoked_at, handle) index; [] if limit < 1."""
        if limit < 1:
            return []
        rows, _ = self._execute("list revoked sessions", _LIST_REVOKED, (*after, limit))
        return [sql_rows.session_from_row(row) for row in rows]

    def append_feed(self, entries: Sequence[FeedEntry]) -> int:
        """One INSERT ... ON CONFLICT DO NOTHING, under a statement timeout of at most 1 s."""
        if not entries:
            return 0
        rows, _ = self._execute(
            "append to the revocation feed",
            _APPEND_FEED,
            schema.feed_arrays(entries),
            timeout_cap_ms=FEED_STATEMENT_TIMEOUT_MS,
        )
        return len(rows)

    def read_feed(self, recorded_after: float | None) -> FeedPage:
        rows, _ = self._execute("read the revocation feed", _READ_FEED, {"after": recorded_after})
        entries = [sql_rows.feed_from_row(row[1:]) for row in rows if row[1] is not None]
        return FeedPage(entries=entries, read_at=rows[0][0])

    def prune_feed(self, now: float, limit: int) -> int:
        if limit < 1:
            return 0
        return self._execute("prune the revocation feed", _PRUNE_FEED, (now, limit))[1]

    def close(self) -> None:
        """Close every connection, idle or in use; idempotent."""
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.close()

    # -- internals -----------------------------------------------------------------

    def _migrate(self) -> None:
        """Run `schema.migrate` in one explicit READ COMMITTED transaction.

        Explicit, whatever the database's default isolation: under REPEATABLE READ or
        SERIALIZABLE the snapshot would predate the advisory lock, hiding the schema a
        process that held the lock before us has just committed.
        """
        with (
            translate_errors("migrate the schema", self._redact),
            self._pool.connection() as conn,
            conn.cursor() as cur,
        ):
            cur.execute(
                "BEGIN ISOLATION LEVEL READ COMMITTED;"
                f" SET LOCAL statement_timeout = {_statement_timeout_ms()}"
            )
            try:
                version = schema.migrate(cur)
                cur.execute("COMMIT")
            except BaseException:
                if not conn.closed:  # else the pool discards it, transaction and all
                    with contextlib.suppress(psycopg2.Error):
                        cur.execute("ROLLBACK")
                raise
        if version > schema.SCHEMA_VERSION:
            raise StorageError(
                f"postgres: database schema version {version} is newer than this plugin's "
                f"({schema.SCHEMA_VERSION})"
            )

    def _execute(
        self,
        operation: str,
        sql: str,
        params: Sequence[Any] | dict[str, Any] | None = None,
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
                    raise translate(operation, exc, self._redact) from exc
            time.sleep(pause)
        raise AssertionError("unreachable")

    def _attempt(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None, timeout_cap_ms: int | None
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
