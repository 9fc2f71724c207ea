"""`SqliteStore`: the storage port on one SQLite file, shareable by several processes.

URL forms: `sqlite:///absolute/path.db`, `sqlite:relative/path.db` (relative to the
working directory) and `sqlite::memory:` (one private in-memory database per store,
for tests). The parent directory of a file is created if missing.

Files run in WAL mode (readers never block the writer), `synchronous=NORMAL` and
foreign keys on. Every write is one `BEGIN IMMEDIATE` transaction, taking the write
lock up front so two writers queue on `busy_timeout` instead of deadlocking on a
read-to-write upgrade. Before each operation `busy_timeout` is set to the call's
remaining deadline, so a call never waits on another process's lock for longer than
it may live; running out raises `StorageTimeout`.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence

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
from core_server.storage.errors import StorageError, StorageUnavailable
from session_core_sqlite import feed, schema
from session_core_sqlite._connections import MEMORY, Connections
from session_core_sqlite._errors import is_busy

_OPEN_RETRY_SECONDS = 0.02
# RETURNING, which revocation needs to report exactly the handles it revoked.
_MIN_SQLITE = (3, 35, 0)
# Bound parameters per statement: far below SQLite's limit (999 on old builds).
_CHUNK = 500
_LIVE = "revoked_at IS NULL AND expires_at > ?"

# SQL is assembled only from the constants in this block and in `sql_rows`; every value is
# a bound parameter, hence the S608 ("SQL built from strings") waivers.
_GET_SESSION = f"{sql_rows.SELECT_SESSIONS} WHERE handle = ?"
_INSERT_SESSION = sql_rows.insert_sql("sessions", sql_rows.SESSION_INSERT_COLUMNS, "?")
_ROTATE = (
    "UPDATE sessions SET generation = :expected_generation + 1,"
    " previous_hash = :expected_hash, current_hash = :new_hash, rotated_at = :rotated_at,"
    " idle_expires_at = :idle, expires_at = MIN(:idle, absolute_expires_at)"
    " WHERE handle = :handle AND generation = :expected_generation"
    " AND current_hash = :expected_hash AND revoked_at IS NULL AND expires_at > :now"
)
_UPDATE_DATA = f"UPDATE sessions SET session_data_json = ? WHERE handle = ? AND {_LIVE}"  # noqa: S608
_UPDATE_CLAIMS = f"UPDATE sessions SET access_token_claims_json = ? WHERE handle = ? AND {_LIVE}"  # noqa: S608
# `handle IS NOT NULL` holds for every row, so keep_handle=None keeps none.
_REVOKE_USER = (
    "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND handle IS NOT ?"  # noqa: S608
    f" AND {_LIVE} RETURNING handle"
)
_LIST = (
    f"{sql_rows.SELECT_SESSIONS} WHERE user_id = ? AND {_LIVE} AND (created_at, handle) > (?, ?)"
    " ORDER BY created_at, handle LIMIT ?"
)
# The outer expiry check matters only where a row can change between the subquery and
# the delete (PostgreSQL under READ COMMITTED); kept so both stores say the same thing.
_DELETE_EXPIRED = (
    "DELETE FROM sessions WHERE handle IN"
    " (SELECT handle FROM sessions WHERE expires_at <= :now LIMIT :limit)"
    " AND expires_at <= :now"
)
_LIST_REVOKED = (
    f"{sql_rows.SELECT_SESSIONS} WHERE revoked_at IS NOT NULL AND (revoked_at, handle) > (?, ?)"
    " ORDER BY revoked_at, handle LIMIT ?"
)
_INSERT_KEY = sql_rows.insert_sql("keys", sql_rows.KEY_COLUMNS, "?") + " ON CONFLICT DO NOTHING"
# `revoked_at IS NULL` keeps the first revocation time and makes a repeat match nothing.
_REVOKE_KEY = "UPDATE keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL"
_REWRAP_KEY = (
    "UPDATE keys SET wrapped_secret = ?, wrapping_key_id = ?"
    " WHERE key_id = ? AND wrapping_key_id = ?"
)


def path_from_url(url: str) -> str:
    """The database path for a `sqlite:` URL; raises ValueError for any other form."""
    if url == "sqlite::memory:":
        return MEMORY
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite://")
    rest = url.removeprefix("sqlite:")
    if rest == url or not rest or rest.startswith("//"):
        raise ValueError(
            "expected sqlite:///absolute/path.db, sqlite:relative/path.db or sqlite::memory:"
        )
    return rest


class SqliteStore(SessionStore):
    """Sessions and keys in one SQLite database; thread-safe, multi-process safe on files.

    Each thread gets its own connection (SQLite connections must not be shared across
    concurrent threads); `close()` closes them all. The in-memory form keeps a single
    connection, since a second one would see a different database, and serialises calls.
    Raises `StorageUnavailable` when the file cannot be created or opened.
    """

    def __init__(self, path: str) -> None:
        if sqlite3.sqlite_version_info < _MIN_SQLITE:
            raise StorageError(f"SQLite >= 3.35 is required, found {sqlite3.sqlite_version}")
        self._db = Connections(path)
        try:
            self._create_schema()
        except BaseException:
            self.close()  # the caller never gets the store, so nothing else could
            raise

    def _create_schema(self) -> None:
        # Processes opening a new file together can meet SQLITE_BUSY answers that skip the
        # busy handler (the switch to WAL, WAL recovery): retry them until the deadline
        # instead of failing the start.
        give_up = time.monotonic() + deadlines.remaining()
        while True:
            try:
                with self._db.write("create schema") as conn:
                    schema.create_schema(conn)
                return
            except StorageUnavailable as exc:
                if not is_busy(exc.__cause__) or time.monotonic() >= give_up:
                    raise
                time.sleep(_OPEN_RETRY_SECONDS)

    @classmethod
    def from_url(cls, url: str) -> SqliteStore:
        """Open (creating if needed) the database at a `sqlite:` URL; see the module doc."""
        return cls(path_from_url(url))

    def insert_session(self, record: SessionRecord) -> None:
        with self._db.write("insert session") as conn:
            conn.execute(_INSERT_SESSION, sql_rows.session_values(record))

    def get_session(self, handle: str) -> SessionRecord | None:
        with self._db.read("get session") as conn:
            row = conn.execute(_GET_SESSION, (handle,)).fetchone()
        return None if row is None else sql_rows.session_from_row(row)

    def rotate_refresh_token(self, rotation: Rotation, now: float) -> RotateResult:
        """One conditional UPDATE: SQLite's write lock makes the compare-and-set atomic."""
        params = {
            "handle": rotation.handle,
            "expected_generation": rotation.expected_generation,
            "expected_hash": rotation.expected_hash,
            "new_hash": rotation.new_hash,
            "rotated_at": rotation.rotated_at,
            "idle": rotation.idle_expires_at,
            "now": now,
        }
        with self._db.write("rotate refresh token") as conn:
            rowcount = conn.execute(_ROTATE, params).rowcount
        return RotateResult.ROTATED if rowcount == 1 else RotateResult.CONFLICT

    def update_session_data(self, handle: str, data_json: str, now: float) -> bool:
        with self._db.write("update session data") as conn:
            return conn.execute(_UPDATE_DATA, (data_json, handle, now)).rowcount == 1

    def update_access_token_claims(self, handle: str, claims_json: str, now: float) -> bool:
        with self._db.write("update access token claims") as conn:
            return conn.execute(_UPDATE_CLAIMS, (claims_json, handle, now)).rowcount == 1

    def revoke_sessions(self, handles: Sequence[str], now: float) -> list[str]:
        """All chunks run in one transaction, so the revocation is all-or-nothing."""
        unique = list(dict.fromkeys(handles))
        revoked: set[str] = set()
        with self._db.write("revoke sessions") as conn:
            for start in range(0, len(unique), _CHUNK):
                chunk = unique[start : start + _CHUNK]
                rows = conn.execute(_revoke_by_handles(len(chunk)), (now, *chunk, now))
                revoked.update(handle for (handle,) in rows)
        return [handle for handle in unique if handle in revoked]

    def revoke_user_sessions(self, user_id: str, keep_handle: str | None, now: float) -> list[str]:
        """Returns the revoked handles sorted."""
        with self._db.write("revoke user sessions") as conn:
            rows = conn.execute(_REVOKE_USER, (now, user_id, keep_handle, now)).fetchall()
        return sorted(handle for (handle,) in rows)

    def list_user_sessions(
        self, user_id: str, now: float, after: tuple[float, str] | None, limit: int
    ) -> list[SessionRecord]:
        """Keyset pagination on the (user_id, created_at, handle) index; [] if limit < 1."""
        if limit < 1:
            return []
        created_at, handle = sql_rows.keyset_after(after)
        with self._db.read("list user sessions") as conn:
            rows = conn.execute(_LIST, (user_id, now, created_at, handle, limit)).fetchall()
        return [sql_rows.session_from_row(row) for row in rows]

    def delete_expired(self, now: float, limit: int) -> int:
        """Delete by the indexed `expires_at` only; 0 if limit < 1."""
        if limit < 1:
            return 0
        with self._db.write("delete expired sessions") as conn:
            return conn.execute(_DELETE_EXPIRED, {"now": now, "limit": limit}).rowcount

    def insert_key(self, key: StoredKey) -> bool:
        with self._db.write("insert key") as conn:
            return conn.execute(_INSERT_KEY, sql_rows.key_values(key)).rowcount == 1

    def list_keys(self) -> list[StoredKey]:
        with self._db.read("list keys") as conn:
            rows = conn.execute(sql_rows.SELECT_KEYS).fetchall()
        return [sql_rows.key_from_row(row) for row in rows]

    def revoke_key(self, key_id: str, now: float) -> bool:
        """One conditional UPDATE: SQLite's write lock makes racing revocations serialise."""
        with self._db.write("revoke key") as conn:
            return conn.execute(_REVOKE_KEY, (now, key_id)).rowcount == 1

    def rewrap_key(
        self,
        key_id: str,
        expected_wrapping_key_id: str,
        wrapped_secret: bytes,
        wrapping_key_id: str,
    ) -> bool:
        """One conditional UPDATE on the expected wrapping key id (compare-and-set)."""
        params = (wrapped_secret, wrapping_key_id, key_id, expected_wrapping_key_id)
        with self._db.write("rewrap key") as conn:
            return conn.execute(_REWRAP_KEY, params).rowcount == 1

    def delete_keys(self, key_ids: Sequence[str]) -> int:
        """All chunks run in one transaction, so the deletion is all-or-nothing."""
        unique = list(dict.fromkeys(key_ids))
        if not unique:
            return 0
        deleted = 0
        with self._db.write("delete keys") as conn:
            for start in range(0, len(unique), _CHUNK):
                chunk = unique[start : start + _CHUNK]
                deleted += conn.execute(_delete_keys(len(chunk)), chunk).rowcount
        return deleted

    def list_revoked_sessions(self, after: tuple[float, str], limit: int) -> list[SessionRecord]:
        """Uses the partial index on revoked_at; ties are ordered by handle; [] if limit < 1."""
        if limit < 1:
            return []
        with self._db.read("list revoked sessions") as conn:
            rows = conn.execute(_LIST_REVOKED, (*after, limit)).fetchall()
        return [sql_rows.session_from_row(row) for row in rows]

    def append_feed(self, entries: Sequence[FeedEntry]) -> int:
        """One BEGIN IMMEDIATE transaction; `recorded_at` is read inside it (see `feed`)."""
        if not entries:
            return 0
        with self._db.write("append to the revocation feed") as conn:
            return feed.append(conn, entries)

    def read_feed(self, recorded_after: float | None) -> FeedPage:
        with self._db.read("read the revocation feed") as conn:
            return feed.read(conn, recorded_after)

    def prune_feed(self, now: float, limit: int) -> int:
        if limit < 1:
            return 0
        with self._db.write("prune the revocation feed") as conn:
            return feed.prune(conn, now, limit)

    def close(self) -> None:
        """Close every connection this store opened, from any thread; idempotent."""
        self._db.close()


def _revoke_by_handles(count: int) -> str:
    placeholders = ", ".join("?" * count)
    # Only placeholders are interpolated; the handles themselves are bound parameters.
    return (
        f"UPDATE sessions SET revoked_at = ? WHERE handle IN ({placeholders})"  # noqa: S608
        f" AND {_LIVE} RETURNING handle"
    )


def _delete_keys(count: int) -> str:
    placeholders = ", ".join("?" * count)
    # Only placeholders are interpolated; the key ids themselves are bound parameters.
    return f"DELETE FROM keys WHERE key_id IN ({placeholders})"  # noqa: S608
