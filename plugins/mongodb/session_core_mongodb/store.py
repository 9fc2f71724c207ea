"""`MongoStore`: the storage port on MongoDB, shared by any number of core processes.

The URL form and the defaults it gets are described in `session_core_mongodb.url`.

No operation uses a multi-document transaction, so the store runs on a replica set or a
sharded cluster keyed by session handle, and correctness needs from the server only
atomic inserts into unique indexes and atomic deletes: FerretDB, which rewrites a whole
document for any update, is as safe as MongoDB (`sessions` explains the layout). Reads
never return an expired session as live. Every method runs under the call's deadline
(see `_connections`), and driver errors are translated once (`_errors`). Writes default
to `w: "majority"`, so an acknowledged revocation survives a failover.
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
from core_server.storage.base import SessionStore
from session_core_mongodb import documents as docs
from session_core_mongodb import feed, indexes, keys, sessions
from session_core_mongodb._connections import Connections
from session_core_mongodb.url import MongoUrl, parse_url


class MongoStore(SessionStore):
    """Sessions, keys and the revocation feed in one MongoDB database; thread-safe.

    Opening creates the indexes (see `indexes`); raises `ValueError` for a URL pymongo
    rejects, `StorageUnavailable` when no server answers and `StorageError` for a
    database written by a newer plugin.
    """

    def __init__(self, url: MongoUrl) -> None:
        self._db = Connections(url)
        try:
            with self._db.call("create indexes") as db:
                indexes.ensure(db)
        except BaseException:
            self.close()  # the caller never gets the store, so nothing else could
            raise

    @classmethod
    def from_url(cls, url: str) -> MongoStore:
        """Open the database named in a `mongodb://` URL (see `url`); creates the indexes."""
        return cls(parse_url(url))

    def insert_session(self, record: SessionRecord) -> None:
        with self._db.call("insert session") as db:
            sessions.insert(db, record)

    def get_session(self, handle: str) -> SessionRecord | None:
        with self._db.call("get session") as db:
            return sessions.load(db, [docs.text(handle)]).get(handle)

    def rotate_refresh_token(self, rotation: Rotation, now: float) -> RotateResult:
        """Insert the next generation's record: a unique index lets exactly one racer in."""
        with self._db.call("rotate refresh token") as db:
            return sessions.rotate(db, rotation, now)

    def update_session_data(self, handle: str, data_json: str, now: float) -> bool:
        with self._db.call("update session data") as db:
            return sessions.update_value(db, docs.SESSION_DATA, handle, data_json, now)

    def update_access_token_claims(self, handle: str, claims_json: str, now: float) -> bool:
        with self._db.call("update access token claims") as db:
            return sessions.update_value(db, docs.SESSION_CLAIMS, handle, claims_json, now)

    def revoke_sessions(self, handles: Sequence[str], now: float) -> list[str]:
        """One tombstone per live session, inserted together; a racing revoke gets none."""
        with self._db.call("revoke sessions") as db:
            return sessions.revoke(db, handles, now)

    def revoke_user_sessions(self, user_id: str, keep_handle: str | None, now: float) -> list[str]:
        """Returns the revoked handles sorted."""
        with self._db.call("revoke user sessions") as db:
            handles = [h for h in sessions.user_handles(db, user_id, now) if h != keep_handle]
            return sorted(sessions.revoke(db, handles, now))

    def list_user_sessions(
        self, user_id: str, now: float, after: tuple[float, str] | None, limit: int
    ) -> list[SessionRecord]:
        """Keyset pagination on the (user_id, created_at, _id) index; [] if limit < 1."""
        if limit < 1:
            return []
        with self._db.call("list user sessions") as db:
            return sessions.list_user(db, user_id, now, after, limit)

    def delete_expired(self, now: float, limit: int) -> int:
        """Sessions whose current generation expired (idle or absolute); 0 if limit < 1."""
        if limit < 1:
            return 0
        with self._db.call("delete expired sessions") as db:
            return sessions.delete_expired(db, now, limit)

    def insert_key(self, key: StoredKey) -> bool:
        with self._db.call("insert key") as db:
            return keys.insert(db, key)

    def list_keys(self) -> list[StoredKey]:
        with self._db.call("list keys") as db:
            return keys.list_all(db)

    def revoke_key(self, key_id: str, now: float) -> bool:
        """A unique revocation insert: of racing revocations exactly one returns True."""
        with self._db.call("revoke key") as db:
            return keys.revoke(db, key_id, now)

    def rewrap_key(
        self,
        key_id: str,
        expected_wrapping_key_id: str,
        wrapped_secret: bytes,
        wrapping_key_id: str,
    ) -> bool:
        """A unique insert of the next wrapping version: of racing re-wraps one wins."""
        with self._db.call("rewrap key") as db:
            return keys.rewrap(
                db, key_id, expected_wrapping_key_id, wrapped_secret, wrapping_key_id
            )

    def delete_keys(self, key_ids: Sequence[str]) -> int:
        with self._db.call("delete keys") as db:
            return keys.delete(db, key_ids)

    def list_revoked_sessions(self, after: tuple[float, str], limit: int) -> list[SessionRecord]:
        """Keyset pagination on the tombstones' (revoked_at, _id) index; [] if limit < 1."""
        if limit < 1:
            return []
        with self._db.call("list revoked sessions") as db:
            return sessions.list_revoked(db, after, limit)

    def append_feed(self, entries: Sequence[FeedEntry]) -> int:
        """Unique (kind, subject) inserts, bounded by FEED_BOUND_SECONDS (see `feed`)."""
        if not entries:
            return 0
        with self._db.call("append to the revocation feed", feed.FEED_BOUND_SECONDS) as db:
            return feed.append(db, entries)

    def read_feed(self, recorded_after: float | None) -> FeedPage:
        with self._db.call("read the revocation feed") as db:
            return feed.read(db, recorded_after)

    def prune_feed(self, now: float, limit: int) -> int:
        if limit < 1:
            return 0
        with self._db.call("prune the revocation feed") as db:
            return feed.prune(db, now, limit)

    def close(self) -> None:
        """Close the client's connections; idempotent."""
        connections = getattr(self, "_db", None)
        if connections is not None:
            connections.close()
