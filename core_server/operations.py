"""Upkeep and operator actions on keys: the sweep, rotation, emergency revocation.

Shared by the running core (its sweeper and key poller) and the operator CLI, which
opens the same store without serving. Every action is safe to run from several
processes at once: the store arbitrates (unique slots, compare-and-set, idempotent
feed appends).
"""

from __future__ import annotations

import logging

from core_server.domain.clock import Clock
from core_server.domain.key_schedule import KeyPolicy
from core_server.domain.models import StoredKey
from core_server.key_manager import KeyManager
from core_server.outcomes import SweepReport
from core_server.revocations import RevocationFeed
from core_server.storage.base import SessionStore

log = logging.getLogger(__name__)

# Rows each sweep step handles per call, so one sweep never holds a long write lock.
SWEEP_BATCH = 1000


class Operations:
    """The deployment-wide chores and the operator's key actions."""

    def __init__(
        self,
        store: SessionStore,
        keys: KeyManager,
        feed: RevocationFeed,
        policy: KeyPolicy,
        clock: Clock,
    ) -> None:
        self._store = store
        self._keys = keys
        self._feed = feed
        self._policy = policy
        self._clock = clock

    def sweep(self, limit: int = SWEEP_BATCH) -> SweepReport:
        """Delete expired sessions and keys, re-add missing feed entries, prune expired ones.

        Reconciling runs before pruning, so an entry expiring this instant is not
        pruned and then added back.
        """
        now = self._clock.now()
        deleted = self._store.delete_expired(now, limit)
        reconciled = self._feed.reconcile(now, limit)
        reconciled += self._feed.record_keys(self._keys.keyring.rows, self._policy)
        pruned = self._feed.prune(now, limit)
        report = SweepReport(deleted, reconciled, pruned, self._keys.delete_expired())
        counts = vars(report)
        if any(counts.values()):
            log.info("swept", extra=counts)
        return report

    def revoke_signing_key(self, key_id: str) -> tuple[StoredKey, bool] | None:
        """Emergency revocation: out of the JWKS and into the revocation feed at once.

        Returns the revoked key and whether this call revoked it (False: it was revoked
        before, and the first time is kept), or None when no signing key has this id.
        If it was signing, a new key signs at once (no publication lead: a verifier meeting its
        unknown `kid` refetches the JWKS). The feed entry outlives the key's deletion by
        a JWKS max-age; the sweeper re-adds it if this append fails.
        """
        revoked = self._keys.revoke_signing_key(key_id)
        if revoked is None:
            return None
        row, newly = revoked
        self._feed.record_keys([row], self._policy)
        if newly:
            log.warning("signing key revoked", extra={"kid": row.key_id, "event": "key_revoked"})
        return row, newly

    def rotate_signing_key(self) -> StoredKey:
        """Schedule the next signing key (see `KeyManager.rotate_signing_key`)."""
        return self._keys.rotate_signing_key()

    def rotate_secrets(self) -> list[StoredKey]:
        """New `k_mac`, `k_rt`, `k_csrf` for new sessions (see `KeyManager.rotate_secrets`)."""
        return self._keys.rotate_secrets()

    def rewrap(self) -> bool:
        """Re-wrap the key-encryption key under the first master secret; False if it was."""
        return self._keys.rewrap_kek()
