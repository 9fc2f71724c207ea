"""The keys a core process works with, created on first start and kept wrapped at rest.

Hierarchy: master secret → key-encryption key (KEK) → data keys (signing keys,
`k_mac`, `k_rt`, `k_csrf`). Storage only ever holds wrapped secrets, so a database
dump lets no one sign, refresh or forge anti-CSRF tokens. Every key is inserted
into a named slot if absent and then re-read: processes starting together race
for the slot, exactly one wins, and all of them use the winner.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from core_server.domain import key_wrap, signing_keys
from core_server.domain.clock import Clock, Random
from core_server.domain.identifiers import new_key_id
from core_server.domain.key_wrap import MasterSecret
from core_server.domain.models import KeyKind, PinnedKeys, StoredKey
from core_server.domain.signing_keys import SigningKey, VerificationKey
from core_server.errors import ConfigError, KeyUnavailable
from core_server.storage.base import SessionStore

SECRET_KEY_BYTES = 32
KEK_SLOT = "kek/1"
# How long verifiers may cache the JWKS; also the publication lead of a new key.
JWKS_MAX_AGE_SECONDS = 300
_SECRET_KINDS = (KeyKind.MAC, KeyKind.REFRESH, KeyKind.ANTI_CSRF)


@dataclass(frozen=True)
class Keyring:
    """Unwrapped keys in memory; never logged, never sent anywhere but to crypto calls."""

    signing: SigningKey
    verification: Mapping[str, VerificationKey]
    secrets: Mapping[KeyKind, Mapping[str, bytes]] = field(repr=False)
    current: PinnedKeys
    jwks_json: str

    def secret(self, kind: KeyKind, key_id: str) -> bytes:
        """The secret key of this kind and id; `KeyUnavailable` if there is none."""
        try:
            return self.secrets[kind][key_id]
        except KeyError:
            raise KeyUnavailable(key_id) from None

    @property
    def mac_keys(self) -> Mapping[str, bytes]:
        return self.secrets[KeyKind.MAC]


def load_keyring(
    store: SessionStore,
    masters: Sequence[MasterSecret],
    algorithm: str,
    clock: Clock,
    rng: Random,
) -> Keyring:
    """Create missing keys, then build the keyring from what storage holds."""
    kek_row = _ensure(store, _new_kek(masters[0], clock, rng))
    kek = _unwrap_kek(kek_row, masters)
    _ensure(store, _new_signing_key(kek_row.key_id, kek, algorithm, clock, rng))
    for kind in _SECRET_KINDS:
        _ensure(store, _new_secret(kind, kek_row.key_id, kek, clock, rng))
    return _build(store.list_keys(), kek_row.key_id, kek, algorithm)


def _ensure(store: SessionStore, candidate: StoredKey) -> StoredKey:
    store.insert_key(candidate)
    for key in store.list_keys():
        if key.slot == candidate.slot:
            return key
    raise KeyUnavailable(candidate.slot)


def _associated(key_id: str, kind: KeyKind) -> bytes:
    # Binds a wrapped blob to its id and kind, so rows cannot be swapped in storage.
    return key_wrap.key_binding(kind, key_id)


def _new_kek(master: MasterSecret, clock: Clock, rng: Random) -> StoredKey:
    key_id = new_key_id(rng)
    wrapped = key_wrap.wrap(
        key_wrap.wrapping_key(master),
        rng.bytes(SECRET_KEY_BYTES),
        _associated(key_id, KeyKind.KEY_ENCRYPTION),
        rng,
    )
    return StoredKey(
        key_id, KeyKind.KEY_ENCRYPTION, KEK_SLOT, "A256GCM", wrapped, master.key_id, "", clock.now()
    )


def _unwrap_kek(row: StoredKey, masters: Sequence[MasterSecret]) -> bytes:
    for master in masters:
        if master.key_id == row.wrapping_key_id:
            try:
                return key_wrap.unwrap(
                    key_wrap.wrapping_key(master),
                    row.wrapped_secret,
                    _associated(row.key_id, row.kind),
                )
            except ValueError as exc:
                raise ConfigError(
                    "master_secrets",
                    f"master secret {master.key_id!r} does not unwrap the stored keys",
                ) from exc
    raise ConfigError(
        "master_secrets",
        f"the stored keys are wrapped under master secret {row.wrapping_key_id!r}, "
        "which is not configured",
    )


def _new_signing_key(
    kek_id: str, kek: bytes, algorithm: str, clock: Clock, rng: Random
) -> StoredKey:
    key_id = new_key_id(rng)
    key = signing_keys.generate_signing_key(algorithm, key_id)
    wrapped = key_wrap.wrap(kek, key.private_pem(), _associated(key_id, KeyKind.SIGNING), rng)
    jwk = json.dumps(key.verification_key().to_jwk(), sort_keys=True)
    now = clock.now()
    return StoredKey(
        key_id,
        KeyKind.SIGNING,
        f"signing/{algorithm}/1",
        algorithm,
        wrapped,
        kek_id,
        jwk,
        now,
        sign_from=now,
    )


def _new_secret(kind: KeyKind, kek_id: str, kek: bytes, clock: Clock, rng: Random) -> StoredKey:
    key_id = new_key_id(rng)
    wrapped = key_wrap.wrap(kek, rng.bytes(SECRET_KEY_BYTES), _associated(key_id, kind), rng)
    return StoredKey(key_id, kind, f"{kind.value}/1", "HS256", wrapped, kek_id, "", clock.now())


def _build(rows: list[StoredKey], kek_id: str, kek: bytes, algorithm: str) -> Keyring:
    ours = [row for row in rows if row.wrapping_key_id == kek_id]
    signers = {
        row.key_id: signing_keys.load_signing_key(
            row.key_id,
            row.algorithm,
            key_wrap.unwrap(kek, row.wrapped_secret, _associated(row.key_id, row.kind)),
        )
        for row in ours
        if row.kind is KeyKind.SIGNING
    }
    secrets = {
        kind: {
            row.key_id: key_wrap.unwrap(kek, row.wrapped_secret, _associated(row.key_id, kind))
            for row in ours
            if row.kind is kind
        }
        for kind in _SECRET_KINDS
    }
    current = {row.kind: row.key_id for row in ours if row.slot == f"{row.kind.value}/1"}
    signing = next(row for row in ours if row.slot == f"signing/{algorithm}/1")
    verification = {kid: key.verification_key() for kid, key in signers.items()}
    return Keyring(
        signing=signers[signing.key_id],
        verification=verification,
        secrets=secrets,
        current=PinnedKeys(
            mac=current[KeyKind.MAC],
            refresh=current[KeyKind.REFRESH],
            anti_csrf=current[KeyKind.ANTI_CSRF],
        ),
        jwks_json=signing_keys.jwks_json(verification.values()),
    )
