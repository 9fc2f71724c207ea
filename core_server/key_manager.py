"""Keeps a process's keyring in step with storage: creation, rotation, revocation, upkeep.

Every core process (and the operator CLI) sharing a store runs one `KeyManager`. It
reads the key rows every poll interval (one cheap query), inserts the next signing key
when the schedule says one is due (the slot's uniqueness lets exactly one process win)
and swaps in a fresh `Keyring` snapshot; readers never wait for it. Unwrapped keys are
cached by id, so a re-read costs no cryptography unless a key is new. Operator actions
go through here too, so the process that performs one sees it at once, others within
one poll.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from core_server import keyring as rows
from core_server import metrics
from core_server.domain import key_schedule, key_wrap, signing_keys
from core_server.domain.clock import Clock, Random
from core_server.domain.key_schedule import SECRET_KINDS, KeyPolicy
from core_server.domain.key_wrap import MasterSecret
from core_server.domain.models import KeyKind, StoredKey
from core_server.domain.signing_keys import SigningKey
from core_server.errors import ConfigError, KeyUnavailable
from core_server.keyring import Keyring
from core_server.storage.base import SessionStore

log = logging.getLogger(__name__)
# Re-reads on demand (a token naming a key this process lacks) come at most this often,
# so a flood of tokens with made-up key ids cannot turn into a flood of queries.
MIN_ON_DEMAND_REFRESH_SECONDS = 0.25


@dataclass(frozen=True)
class KeySettings:
    """What a deployment's keys look like: the algorithm of new signing keys and the policy.

    `maintain` is True for serving processes, which create missing keys and the next
    signing key when it is due. Operator commands pass False: they change keys only
    when told to, and refuse a store that holds no keys (most likely a wrong URL).
    """

    algorithm: str
    policy: KeyPolicy
    maintain: bool = True


class KeyManager:
    """The current `Keyring` of one process, and every change made to the stored keys."""

    def __init__(
        self,
        store: SessionStore,
        masters: Sequence[MasterSecret],
        settings: KeySettings,
        clock: Clock,
        rng: Random,
    ) -> None:
        self._store = store
        self._masters = tuple(masters)
        self._settings = settings
        self._clock = clock
        self._rng = rng
        self._lock = threading.Lock()  # one writer at a time; readers take the snapshot
        self._unwrapped: dict[str, SigningKey | bytes] = {}
        self._revoked: frozenset[str] | None = None  # key ids seen revoked, for metrics
        self._kek = self._load_kek()
        if settings.maintain:
            self._ensure_secrets()
        self._keyring, self.refreshed_at = self._read()

    @property
    def keyring(self) -> Keyring:
        """The latest snapshot; replaced whole, so a caller's copy never changes under it."""
        return self._keyring

    def refresh(self) -> Keyring:
        """Re-read the rows, create a due signing key, and replace the snapshot."""
        with self._lock:
            self._keyring, self.refreshed_at = self._read()
            return self._keyring

    def may_refresh(self, now: float) -> bool:
        """True when an on-demand re-read is allowed at `now` (see the rate limit above)."""
        return now - self.refreshed_at >= MIN_ON_DEMAND_REFRESH_SECONDS

    def secret(self, kind: KeyKind, key_id: str) -> bytes:
        """A secret a stored session pins; re-reads once when this process lacks it."""
        try:
            return self._keyring.secret(kind, key_id)
        except KeyUnavailable:
            return self.refresh().secret(kind, key_id)

    # -- operator actions ---------------------------------------------------------

    def rotate_signing_key(self) -> StoredKey:
        """Schedule the next signing key: published now, signing one lead from now.

        Returns the key that will sign next; when one is already scheduled (by the
        schedule or another operator), that one, and nothing is created.
        """
        with self._lock:
            now = self._clock.now()
            pending = self._pending(self._store.list_keys(), now)
            if pending is None:
                stored = self._store.list_keys()
                # The deployment's algorithm, not this process's setting: an operator
                # command may run without the cores' configuration file.
                live = key_schedule.live_signing_keys(stored)
                algorithm = live[-1].algorithm if live else self._settings.algorithm
                lead = self._settings.policy.sign_lead_seconds
                self._insert_signing_key(stored, lead, algorithm)
            self._keyring, self.refreshed_at = self._read()
            scheduled = self._pending(self._keyring.rows, now)
        if scheduled is None:
            raise KeyUnavailable("signing")
        return scheduled

    def revoke_signing_key(self, key_id: str) -> tuple[StoredKey, bool] | None:
        """Revoke a signing key at once; a new key signs at once if it was the signer.

        Returns the revoked row (with `revoked_at`) and whether this call revoked it
        (False when it was revoked already: the first time is kept), or None when no
        signing key has this id.
        """
        with self._lock:
            if not any(
                r.key_id == key_id and r.kind is KeyKind.SIGNING for r in self._store.list_keys()
            ):
                return None
            revoked = self._store.revoke_key(key_id, self._clock.now())
            self._keyring, self.refreshed_at = self._read()
        row = next(r for r in self._keyring.rows if r.key_id == key_id)
        return row, revoked

    def rotate_secrets(self) -> list[StoredKey]:
        """Create the next `k_mac`, `k_rt` and `k_csrf`; new sessions pin them after a lead.

        Sessions that pin the old ones keep working; the old keys go once no session
        can still pin them (`key_schedule.deletable`).
        """
        with self._lock:
            stored, now = self._store.list_keys(), self._clock.now()
            for kind in SECRET_KINDS:
                slot = key_schedule.next_slot(stored, kind)
                self._store.insert_key(rows.new_secret_row(kind, slot, self._kek, now, self._rng))
            self._keyring, self.refreshed_at = self._read()
        return [row for row in self._keyring.rows if row.created_at >= now]

    def rewrap_kek(self) -> bool:
        """Re-wrap the key-encryption key under the first configured master secret.

        Tokens, sessions and data keys stay as they are. False when it is wrapped under
        that secret already. Processes still running keep the KEK they unwrapped at start.
        """
        primary = self._masters[0]
        row = self._kek_row()
        if row.wrapping_key_id == primary.key_id:
            return False
        wrapped = key_wrap.wrap(
            key_wrap.wrapping_key(primary),
            self._kek[1],
            rows.binding(row.key_id, KeyKind.KEY_ENCRYPTION),
            self._rng,
        )
        return self._store.rewrap_key(row.key_id, row.wrapping_key_id, wrapped, primary.key_id)

    def delete_expired(self) -> int:
        """Delete keys no token or session can need any more; return how many went."""
        with self._lock:
            now = self._clock.now()
            gone = key_schedule.deletable(self._store.list_keys(), now, self._settings.policy)
            deleted = self._store.delete_keys([row.key_id for row in gone])
            if deleted:
                self._keyring, self.refreshed_at = self._read()
        return deleted

    # -- internals ----------------------------------------------------------------

    def _read(self) -> tuple[Keyring, float]:
        now = self._clock.now()
        stored = self._store.list_keys()
        sign_from = key_schedule.next_sign_from(
            stored, now, self._settings.policy, self._settings.algorithm
        )
        if sign_from is not None and self._settings.maintain:
            self._insert_signing_key(stored, sign_from - now, self._settings.algorithm)
            stored = self._store.list_keys()
            now = self._clock.now()
        self._count_revocations(stored)
        _record_view(stored, now)
        return self._build(stored), now

    def _count_revocations(self, stored: list[StoredKey]) -> None:
        # Counted where a process first sees them, whoever revoked the key (usually the
        # operator CLI, which serves no metrics); keys revoked before it started are not.
        revoked = frozenset(k.key_id for k in stored if k.kind is KeyKind.SIGNING and k.revoked_at)
        if self._revoked is not None:
            metrics.record_revocations("key", len(revoked - self._revoked))
        self._revoked = revoked

    def _insert_signing_key(
        self, stored: list[StoredKey], sign_after: float, algorithm: str
    ) -> None:
        slot = key_schedule.next_slot(stored, KeyKind.SIGNING)
        policy = self._settings.policy
        row = rows.new_signing_row(
            slot, algorithm, sign_after, policy, self._kek, self._clock, self._rng
        )
        if self._store.insert_key(row):
            log.info(
                "signing key created",
                extra={"kid": row.key_id, "slot": slot, "sign_from": row.sign_from},
            )

    def _pending(self, stored: Sequence[StoredKey], now: float) -> StoredKey | None:
        later = [k for k in key_schedule.live_signing_keys(stored) if (k.sign_from or 0) > now]
        return later[-1] if later else None

    def _build(self, stored: list[StoredKey]) -> Keyring:
        ours = [row for row in stored if row.wrapping_key_id == self._kek[0]]
        signing = {
            row.key_id: self._signing_key(row)
            for row in ours
            if row.kind is KeyKind.SIGNING and row.revoked_at is None
        }
        secrets = {
            kind: {row.key_id: self._secret(row) for row in ours if row.kind is kind}
            for kind in SECRET_KINDS
        }
        public = {key_id: key.verification_key() for key_id, key in signing.items()}
        return Keyring(tuple(stored), signing, public, secrets, self._settings.policy)

    def _signing_key(self, row: StoredKey) -> SigningKey:
        cached = self._unwrapped.get(row.key_id)
        if not isinstance(cached, SigningKey):
            pem = self._unwrap(row)
            cached = signing_keys.load_signing_key(row.key_id, row.algorithm, pem)
            self._unwrapped[row.key_id] = cached
        return cached

    def _secret(self, row: StoredKey) -> bytes:
        cached = self._unwrapped.get(row.key_id)
        if not isinstance(cached, bytes):
            cached = self._unwrapped[row.key_id] = self._unwrap(row)
        return cached

    def _unwrap(self, row: StoredKey) -> bytes:
        return key_wrap.unwrap(self._kek[1], row.wrapped_secret, rows.binding(row.key_id, row.kind))

    def _ensure_secrets(self) -> None:
        stored, now = self._store.list_keys(), self._clock.now()
        for kind in SECRET_KINDS:
            if not any(row.kind is kind for row in stored):
                self._store.insert_key(
                    rows.new_secret_row(kind, f"{kind.value}/1", self._kek, now, self._rng)
                )

    def _kek_row(self) -> StoredKey:
        for row in self._store.list_keys():
            if row.slot == rows.KEK_SLOT:
                return row
        raise KeyUnavailable(rows.KEK_SLOT)

    def _load_kek(self) -> tuple[str, bytes]:
        # Created if absent, then re-read: processes starting together use one KEK.
        if self._settings.maintain:
            now = self._clock.now()
            self._store.insert_key(rows.new_kek_row(self._masters[0], now, self._rng))
        elif not any(row.slot == rows.KEK_SLOT for row in self._store.list_keys()):
            raise ConfigError(
                "storage_url",
                "this store holds no session-core keys: is it the deployment's store? "
                "(a core creates them when it first starts)",
            )
        row = self._kek_row()
        return row.key_id, rows.unwrap_kek(row, self._masters)


def _record_view(stored: list[StoredKey], now: float) -> None:
    signer = key_schedule.signer(stored, now)
    live = key_schedule.live_signing_keys(stored)
    metrics.record_key_view(
        now,
        signer.sign_from if signer is not None else None,
        {
            "published": sum(1 for k in live if (k.sign_from or 0) > now),
            "signing": 0 if signer is None else 1,
            "revoked": sum(1 for k in stored if k.kind is KeyKind.SIGNING and k.revoked_at),
        },
    )
