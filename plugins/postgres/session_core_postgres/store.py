"""`PostgresStore`: the storage port on PostgreSQL, shared by any number of core processes.

The URL form and the pool settings are described in `session_core_postgres.url`.

Each operation is one SQL statement sent in one round trip together with
`SET LOCAL statement_timeout`, taken from the call's remaining deadline, so PostgreSQL
itself abandons work nobody waits for. The statement is its own transaction, so it is
atomic under any isolation level: rotation is a single conditional UPDATE that a
concurrent revocation or rotation makes match nothing. Serialization failures and
deadlocks (SQLSTATE 40001, 40P01) are retried a few times inside the store, so
SERIALIZABLE databases work as READ COMMITTED ones do (see `_connections`). The
revocation feed's statements live in `feed`.
"""

from __future__ import annotations

from collections.abc import Sequence

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
from session_core_postgres import feed, schema
from session_core_postgres._connections import Connections
from session_core_postgres.url import PostgresUrl, parse_url

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
# `revoked_at IS NULL` is re-checked on a row a racing revocation changed while this one
# waited for its lock (READ COMMITTED), so the later one matches nothing.
_REVOKE_KEY = (
    "UPDATE keys SET revoked_at = %(now)s WHERE key_id = %(key_id)s AND revoked_at IS NULL"
)
_REWRAP_KEY = (
    "UPDATE keys SET wrapped_secret = %(secret)s, wrapping_key_id = %(wrapping)s"
    " WHERE key_id = %(key_id)s AND wrapping_key_id = %(expected)s"
)
_DELETE_KEYS = "DELETE FROM keys WHERE key_id = ANY(%s::text[])"
# `revoked_at IS NOT NULL` lets the planner use the partial index sessions_by_revocation.
_LIST_REVOKED = (
    f"{sql_rows.SELECT_SESSIONS} WHERE revoked_at IS NOT NULL"
    " AND (revoked_at, handle) > (%s, %s) ORDER BY revoked_at, handle LIMIT %s"
)


class PostgresStore(SessionStore):
    """Sessions, keys and the revocation feed in one PostgreSQL database; thread-safe.

    Opening runs the schema migration (see `schema`); raises `ValueError` for a URL
    libpq rejects, `StorageUnavailable` when the server cannot be reached and
    `StorageError` for a schema newer than this plugin.
    """

    def __init__(self, url: PostgresUrl) -> None:
        self._db = Connections(url)
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
        self._db.execute("insert session", _INSERT_SESSION, sql_rows.session_values(record))

    def get_session(self, handle: str) -> SessionRecord | None:
        rows, _ = self._db.execute("get session", _GET_SESSION, (handle,))
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
        rows, _ = self._db.execute("rotate refresh token", _ROTATE, params)
        return RotateResult.ROTATED if rows else RotateResult.CONFLICT

    def update_session_data(self, handle: str, data_json: str, now: float) -> bool:
        params = {"value": data_json, "handle": handle, "now": now}
        return self._db.execute("update session data", _UPDATE_DATA, params)[1] == 1

    def update_access_token_claims(self, handle: str, claims_json: str, now: float) -> bool:
        params = {"value": claims_json, "handle": handle, "now": now}
        return self._db.execute("update access token claims", _UPDATE_CLAIMS, params)[1] == 1

    def revoke_sessions(self, handles: Sequence[str], now: float) -> list[str]:
        """One UPDATE for all handles, so the revocation is all-or-nothing."""
        unique = list(dict.fromkeys(handles))
        if not unique:
            return []
        params = {"now": now, "handles": unique}
        rows, _ = self._db.execute("revoke sessions", _REVOKE, params)
        revoked = {handle for (handle,) in rows}
        return [handle for handle in unique if handle in revoked]

    def revoke_user_sessions(self, user_id: str, keep_handle: str | None, now: float) -> list[str]:
        """Returns the revoked handles sorted."""
        params = {"now": now, "user_id": user_id, "keep": keep_handle}
        rows, _ = self._db.execute("revoke user sessions", _REVOKE_USER, params)
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
        rows, _ = self._db.execute("list user sessions", _LIST, params)
        return [sql_rows.session_from_row(row) for row in rows]

    def delete_expired(self, now: float, limit: int) -> int:
        """Delete by the indexed `expires_at` only; 0 if limit < 1."""
        if limit < 1:
            return 0
        params = {"now": now, "limit": limit}
        return self._db.execute("delete expired sessions", _DELETE_EXPIRED, params)[1]

    def insert_key(self, key: StoredKey) -> bool:
        return self._db.execute("insert key", _INSERT_KEY, sql_rows.key_values(key))[1] == 1

    def list_keys(self) -> list[StoredKey]:
        rows, _ = self._db.execute("list keys", sql_rows.SELECT_KEYS)
        return [sql_rows.key_from_row(row) for row in rows]

    def revoke_key(self, key_id: str, now: float) -> bool:
        """One conditional UPDATE: of racing revocations only the first matches the row."""
        params = {"now": now, "key_id": key_id}
        return self._db.execute("revoke key", _REVOKE_KEY, params)[1] == 1

    def rewrap_key(
        self,
        key_id: str,
        expected_wrapping_key_id: str,
        wrapped_secret: bytes,
        wrapping_key_id: str,
    ) -> bool:
        """One conditional UPDATE on the expected wrapping key id (compare-and-set)."""
        params = {
            "secret": wrapped_secret,
            "wrapping": wrapping_key_id,
            "key_id": key_id,
            "expected": expected_wrapping_key_id,
        }
        return self._db.execute("rewrap key", _REWRAP_KEY, params)[1] == 1

    def delete_keys(self, key_ids: Sequence[str]) -> int:
        """One DELETE for all ids, so the deletion is all-or-nothing."""
        unique = list(dict.fromkeys(key_ids))
        if not unique:
            return 0
        return self._db.execute("delete keys", _DELETE_KEYS, (unique,))[1]

    def list_revoked_sessions(self, after: tuple[float, str], limit: int) -> list[SessionRecord]:
        """Keyset pagination on the partial (revoked_at, handle) index; [] if limit < 1."""
        if limit < 1:
            return []
        rows, _ = self._db.execute("list revoked sessions", _LIST_REVOKED, (*after, limit))
        return [sql_rows.session_from_row(row) for row in rows]

    def append_feed(self, entries: Sequence[FeedEntry]) -> int:
        """One INSERT ... ON CONFLICT DO NOTHING, under a statement timeout of at most 1 s."""
        if not entries:
            return 0
        return feed.append(self._db.execute, entries)

    def read_feed(self, recorded_after: float | None) -> FeedPage:
        return feed.read(self._db.execute, recorded_after)

    def prune_feed(self, now: float, limit: int) -> int:
        if limit < 1:
            return 0
        return feed.prune(self._db.execute, now, limit)

    def close(self) -> None:
        """Close every connection, idle or in use; idempotent."""
        db = getattr(self, "_db", None)
        if db is not None:
            db.close()

    def _migrate(self) -> None:
        """Run `schema.migrate` in one explicit READ COMMITTED transaction.

        Explicit, whatever the database's default isolation: under REPEATABLE READ or
        SERIALIZABLE the snapshot would predate the advisory lock, hiding the schema a
        process that held the lock before us has just committed.
        """
        with self._db.transaction("migrate the schema") as cur:
            version = schema.migrate(cur)
        if version > schema.SCHEMA_VERSION:
            raise StorageError(
                f"postgres: database schema version {version} is newer than this plugin's "
                f"({schema.SCHEMA_VERSION})"
            )
