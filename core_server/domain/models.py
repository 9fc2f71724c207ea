"""The records the domain reasons about; plain values, no behaviour that does I/O."""

from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class ClientInfo:
    """Where a session was created from, kept for listings only."""

    user_agent: str = ""
    ip_address: str = ""


@dataclass(frozen=True)
class PinnedKeys:
    """The ids of the secret keys a session was created under.

    Pinned at create so that a key rotation applies to new sessions only and never
    breaks a live refresh lineage.
    """

    mac: str
    refresh: str
    anti_csrf: str


@dataclass(frozen=True)
class SessionRecord:
    """One session as storage keeps it.

    Only hashes of refresh tokens are stored: a dump of this record lets no one refresh.
    Times are seconds since the Unix epoch.
    """

    handle: str
    user_id: str
    created_at: float
    idle_expires_at: float
    absolute_expires_at: float
    client: ClientInfo
    access_token_claims_json: str
    session_data_json: str
    anti_csrf: bool
    keys: PinnedKeys
    generation: int
    current_hash: bytes
    previous_hash: bytes | None
    rotated_at: float | None
    revoked_at: float | None = None

    @property
    def last_refreshed_at(self) -> float:
        return self.rotated_at if self.rotated_at is not None else self.created_at

    @property
    def expires_at(self) -> float:
        return min(self.idle_expires_at, self.absolute_expires_at)

    def is_live(self, now: float) -> bool:
        return self.revoked_at is None and now < self.expires_at


@dataclass(frozen=True)
class Rotation:
    """The compare-and-set that moves a session from generation g to g+1."""

    handle: str
    expected_generation: int
    expected_hash: bytes
    new_hash: bytes
    rotated_at: float
    idle_expires_at: float


class RotateResult(enum.Enum):
    """What a conditional rotation did; storage never raises for a lost race."""

    ROTATED = "rotated"
    CONFLICT = "conflict"  # the session moved on, was revoked or expired meanwhile


class KeyKind(enum.Enum):
    """What a stored key is for."""

    KEY_ENCRYPTION = "kek"
    SIGNING = "signing"
    REFRESH = "refresh"
    MAC = "mac"
    ANTI_CSRF = "anti_csrf"


@dataclass(frozen=True)
class StoredKey:
    """A key as storage keeps it: the secret part only ever wrapped (encrypted).

    `slot` is unique across the store: processes racing to create the same key
    (for example the first signing key, or the next one of a rotation) insert into the
    same slot, one wins, and every process re-reads the winner. Slots are
    "KIND/N" with N counting that kind's keys from 1. Signing keys carry their schedule
    (`sign_from` .. `delete_at`); `revoked_at` is set by an emergency revocation only.
    """

    key_id: str
    kind: KeyKind
    slot: str
    algorithm: str
    wrapped_secret: bytes
    wrapping_key_id: str
    public_jwk_json: str
    created_at: float
    sign_from: float | None = None
    sign_until: float | None = None
    verify_until: float | None = None
    delete_at: float | None = None
    revoked_at: float | None = None

    @property
    def number(self) -> int:
        """N of the slot "KIND/N": the order in which keys of one kind were created."""
        return int(self.slot.rpartition("/")[2])


class FeedKind(enum.Enum):
    """What a revocation-feed entry revokes."""

    SESSION = "session"
    KEY = "key"


@dataclass(frozen=True)
class TheftEvent:
    """A detected refresh-token reuse: identifiers and generations, never a token."""

    user_id: str
    presented_generation: int
    current_generation: int


@dataclass(frozen=True)
class FeedEntry:
    """One entry of the revocation feed.

    `sequence` and `recorded_at` are assigned by the store when it appends the entry:
    `sequence` is unique and grows in insertion order (not necessarily commit order),
    `recorded_at` is the store's own clock. The entry is pruned once `expires_at` passes.
    """

    kind: FeedKind
    subject: str  # the session handle or the key id
    revoked_at: float
    expires_at: float
    theft: TheftEvent | None = None
    sequence: int = 0
    recorded_at: float = 0.0


@dataclass(frozen=True)
class FeedPage:
    """Feed entries read at once, with the store's clock reading taken for the read."""

    entries: list[FeedEntry]
    read_at: float
