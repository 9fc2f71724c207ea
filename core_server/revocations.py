"""The revocation feed of one deployment: recording revocations, reading pages, upkeep.

Revocations are written first and their feed entries second. A failed append is
logged and left to the sweeper, which re-appends an entry for every session revoked
within the retention (appends are idempotent): the revocation itself is what makes a
session end, and a caller told "failed" would retry into "nothing was live".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from core_server import metrics
from core_server.domain import feed, key_schedule
from core_server.domain.key_schedule import KeyPolicy
from core_server.domain.models import FeedEntry, SessionRecord, StoredKey, TheftEvent
from core_server.outcomes import RevocationPage
from core_server.storage.base import SessionStore
from core_server.storage.errors import StorageError

log = logging.getLogger(__name__)


class RevocationFeed:
    """Appends and reads the feed; `retention` is the session entries' lifetime."""

    def __init__(self, store: SessionStore, retention: float, overlap: float) -> None:
        self._store = store
        self._retention = retention
        self._overlap = overlap

    def record_sessions(self, handles: Sequence[str], revoked_at: float) -> None:
        """Append an entry per revoked session; never raises for a storage failure."""
        metrics.record_revocations("session", len(handles))
        self._append([feed.session_entry(h, revoked_at, self._retention) for h in handles])

    def record_theft(self, record: SessionRecord, presented_generation: int, now: float) -> None:
        """Append the theft event of a session revoked for refresh-token reuse."""
        theft = TheftEvent(record.user_id, presented_generation, record.generation)
        metrics.record_revocations("session")
        self._append([feed.session_entry(record.handle, now, self._retention, theft)])

    def record_keys(self, keys: Sequence[StoredKey], policy: KeyPolicy) -> int:
        """Append an entry per revoked signing key among `keys`; return how many were new.

        Each is kept until the key's deletion plus a JWKS max-age. Appends are
        idempotent, so the sweeper calls this with every stored key to reconcile.
        """
        entries = [
            feed.key_entry(
                key.key_id, key.revoked_at, key_schedule.revocation_expires_at(key, policy)
            )
            for key in keys
            if key.revoked_at is not None
        ]
        return self._store.append_feed(entries) if entries else 0

    def page(self, cursor: str) -> RevocationPage:
        """Entries since the cursor's read (less the overlap), or a snapshot.

        An empty cursor, one older than the retention or one ahead of the store's
        clock gets a snapshot: every entry still in force, to replace the reader's set.
        Raises InvalidArgument("cursor") for a cursor this core did not issue.
        """
        if cursor:
            previous = feed.decode_cursor(cursor)
            page = self._store.read_feed(feed.read_from(previous, self._overlap))
            if not feed.needs_snapshot(previous, page.read_at, self._retention):
                return RevocationPage(page.entries, feed.encode_cursor(page.read_at), False)
        page = self._store.read_feed(None)
        live = feed.live_entries(page.entries, page.read_at)
        return RevocationPage(live, feed.encode_cursor(page.read_at), True)

    def reconcile(self, now: float, limit: int) -> int:
        """Append entries for the sessions revoked within the retention; return how many were new.

        Covers a crash (or failed append) between a revocation and its entry, and
        revocations written to storage by other means.
        """
        after, added = (now - self._retention, ""), 0
        while True:
            revoked = self._store.list_revoked_sessions(after, limit)
            added += self._store.append_feed(feed.reconciled_entries(revoked, self._retention))
            if len(revoked) < limit:
                return added
            last = revoked[-1]
            after = (last.revoked_at or 0.0, last.handle)

    def prune(self, now: float, limit: int) -> int:
        """Delete up to `limit` entries past their expiry; return how many."""
        return self._store.prune_feed(now, limit)

    def _append(self, entries: list[FeedEntry]) -> None:
        if not entries:
            return
        try:
            self._store.append_feed(entries)
        except StorageError as exc:
            for _ in entries:
                metrics.record_feed_append_failure()
            # The storage error's own text (never a token or a password) says enough;
            # a driver traceback per failed call would flood the log during an outage.
            log.warning(
                "revocation feed append failed; the sweeper will add the entries",
                extra={"count": len(entries), "error": str(exc)},
            )
