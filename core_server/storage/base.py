"""The storage port: the one interface the core needs from a database.

A plugin subclasses `SessionStore` and registers it in the entry-point group
`session_core.storage`. Conflicts are return values (`RotateResult`, booleans,
lists), never exceptions; driver errors are translated into `storage.errors`.
Times are seconds since the Unix epoch and are passed in by the caller, except the
feed's `recorded_at` and `read_at`, which come from the store's own clock (the
database's, where there is one) so that every core process reads one clock.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence

from core_server.domain.models import (
    FeedEntry,
    FeedPage,
    RotateResult,
    Rotation,
    SessionRecord,
    StoredKey,
)


class SessionStore(abc.ABC):
    """Sessions and keys in one backend; safe to call from many threads at once."""

    @classmethod
    @abc.abstractmethod
    def from_url(cls, url: str) -> SessionStore:
        """Open a store from its URL (each plugin documents its form); creates the schema."""

    @abc.abstractmethod
    def insert_session(self, record: SessionRecord) -> None:
        """Insert a new session.

        Raises `DuplicateError` when the handle exists.
        """

    @abc.abstractmethod
    def get_session(self, handle: str) -> SessionRecord | None:
        """Return the session with this handle, live or not, or None if none is stored."""

    @abc.abstractmethod
    def rotate_refresh_token(self, rotation: Rotation, now: float) -> RotateResult:
        """Atomically move a session from generation g to g+1 (compare-and-set).

        Succeeds only while the session still has `expected_generation` and
        `expected_hash` as its current refresh-token hash, is not revoked and has not
        expired at `now`; then sets previous_hash to expected_hash, current_hash to
        new_hash, generation to g+1, rotated_at and idle_expires_at. Otherwise it
        writes nothing and returns `CONFLICT`. Never raises for a lost race.
        """

    @abc.abstractmethod
    def update_session_data(self, handle: str, data_json: str, now: float) -> bool:
        """Replace the server-side data of a live session; False if none is live."""

    @abc.abstractmethod
    def update_access_token_claims(self, handle: str, claims_json: str, now: float) -> bool:
        """Replace the stored access-token claims of a live session; False if none is live.

        Never touches the refresh-token state, so it cannot undo a concurrent rotation.
        """

    @abc.abstractmethod
    def revoke_sessions(self, handles: Sequence[str], now: float) -> list[str]:
        """Mark the live sessions among `handles` revoked; return those that were live.

        The handles returned are in the order first given, each once.
        """

    @abc.abstractmethod
    def revoke_user_sessions(self, user_id: str, keep_handle: str | None, now: float) -> list[str]:
        """Revoke every live session of a user except `keep_handle`; return their handles."""

    @abc.abstractmethod
    def list_user_sessions(
        self, user_id: str, now: float, after: tuple[float, str] | None, limit: int
    ) -> list[SessionRecord]:
        """Live sessions of a user ordered by (created_at, handle), strictly after `after`."""

    @abc.abstractmethod
    def delete_expired(self, now: float, limit: int) -> int:
        """Delete up to `limit` sessions that expired before `now`; return how many.

        Revoked sessions stay until they expire, so replaying their tokens still
        answers "session ended" rather than "unknown session".
        """

    @abc.abstractmethod
    def insert_key(self, key: StoredKey) -> bool:
        """Insert a key unless its slot or id is taken; True if this call inserted it."""

    @abc.abstractmethod
    def list_keys(self) -> list[StoredKey]:
        """Every stored key, in no particular order."""

    @abc.abstractmethod
    def revoke_key(self, key_id: str, now: float) -> bool:
        """Set the key's `revoked_at` to `now` unless it is set already.

        True if this call revoked it; False for an unknown or already revoked key (the
        first revocation time is kept). Atomic: of racing calls exactly one returns True.
        """

    @abc.abstractmethod
    def rewrap_key(
        self,
        key_id: str,
        expected_wrapping_key_id: str,
        wrapped_secret: bytes,
        wrapping_key_id: str,
    ) -> bool:
        """Replace a key's wrapped secret and wrapping key id, compare-and-set.

        Writes only while the stored `wrapping_key_id` equals `expected_wrapping_key_id`;
        True if it wrote. Every other column stays as it is. Used to re-wrap the
        key-encryption key under a new master secret.
        """

    @abc.abstractmethod
    def delete_keys(self, key_ids: Sequence[str]) -> int:
        """Delete the keys with these ids; return how many existed."""

    @abc.abstractmethod
    def list_revoked_sessions(self, after: tuple[float, str], limit: int) -> list[SessionRecord]:
        """Revoked sessions whose (revoked_at, handle) comes after `after`, in that order.

        A keyset, so a caller pages through any number of sessions revoked at one
        instant (a user's sessions revoked together); used to reconcile the feed.
        """

    @abc.abstractmethod
    def append_feed(self, entries: Sequence[FeedEntry]) -> int:
        """Append revocation-feed entries; return how many were new.

        Idempotent per (kind, subject): an entry whose subject is already in the feed
        is skipped, so a retried or reconciled append never duplicates one. The store
        assigns `sequence` and `recorded_at` (its own clock). Writes must finish well
        inside the feed's overlap window (a short statement timeout where the backend has
        one), since readers rely on no entry committing later than that after it was
        recorded.
        """

    @abc.abstractmethod
    def read_feed(self, recorded_after: float | None) -> FeedPage:
        """Entries recorded strictly after `recorded_after` (all when None), by sequence.

        `read_at` is the store's clock taken with the read: never earlier than any
        returned `recorded_at`. A reader passes `read_at - overlap` next time, so
        entries that committed late are read again rather than skipped (readers
        de-duplicate by `sequence`).
        """

    @abc.abstractmethod
    def prune_feed(self, now: float, limit: int) -> int:
        """Delete up to `limit` feed entries whose `expires_at` is at or before `now`."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections; the store is unusable afterwards."""
