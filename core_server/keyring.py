"""The keys a core process holds in memory, and the rows that keep them wrapped at rest.

Hierarchy: master secret → key-encryption key (KEK) → data keys (signing keys,
`k_mac`, `k_rt`, `k_csrf`). Storage only ever holds wrapped secrets, so a database
dump lets no one sign, refresh or forge anti-CSRF tokens. A `Keyring` is an immutable
snapshot of what storage held at one read; `core_server.key_manager` replaces it
whenever the rows change. Which key signs or verifies is decided at each call from
the rows' schedule (`domain.key_schedule`), so a snapshot never signs past a key's end.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from core_server.domain import key_schedule, key_wrap, signing_keys
from core_server.domain.clock import Clock, Random
from core_server.domain.identifiers import new_key_id
from core_server.domain.key_schedule import KeyPolicy
from core_server.domain.key_wrap import MasterSecret
from core_server.domain.models import KeyKind, PinnedKeys, StoredKey
from core_server.domain.signing_keys import SigningKey, VerificationKey
from core_server.errors import ConfigError, KeyUnavailable

SECRET_KEY_BYTES = 32
KEK_SLOT = "kek/1"


@dataclass(frozen=True)
class Keyring:
    """Unwrapped keys in memory; never logged, never sent anywhere but to crypto calls.

    `rows` are every stored key as last read; `signing` and `secrets` hold the
    unwrapped keys of the live (not revoked) ones, `public` their public halves.
    """

    rows: tuple[StoredKey, ...]
    signing: Mapping[str, SigningKey] = field(repr=False)
    public: Mapping[str, VerificationKey]
    secrets: Mapping[KeyKind, Mapping[str, bytes]] = field(repr=False)
    policy: KeyPolicy

    def signer(self, now: float) -> SigningKey:
        """The key that signs at `now`; `KeyUnavailable("signing")` if none does."""
        row = key_schedule.signer(self.rows, now)
        if row is None:
            raise KeyUnavailable("signing")
        return self.signing[row.key_id]

    def pinned(self, now: float) -> PinnedKeys:
        """The secret key ids a session created at `now` pins."""
        current = key_schedule.current_secrets(self.rows, now, self.policy)
        try:
            return PinnedKeys(
                mac=current[KeyKind.MAC].key_id,
                refresh=current[KeyKind.REFRESH].key_id,
                anti_csrf=current[KeyKind.ANTI_CSRF].key_id,
            )
        except KeyError as exc:
            raise KeyUnavailable(exc.args[0].value) from None

    def verification(self, now: float) -> dict[str, VerificationKey]:
        """The public keys whose tokens verify at `now`, by key id."""
        return {
            row.key_id: self.public[row.key_id] for row in key_schedule.verifying(self.rows, now)
        }

    def jwks(self, now: float) -> tuple[str, int]:
        """The JWK Set at `now` and the seconds a verifier may cache it."""
        published = self.verification(now).values()
        return signing_keys.jwks_json(published), key_schedule.jwks_max_age(
            self.rows, now, self.policy
        )

    def secret(self, kind: KeyKind, key_id: str) -> bytes:
        """The secret key of this kind and id; `KeyUnavailable` if there is none."""
        try:
            return self.secrets[kind][key_id]
        except KeyError:
            raise KeyUnavailable(key_id) from None

    @property
    def mac_keys(self) -> Mapping[str, bytes]:
        return self.secrets[KeyKind.MAC]


def binding(key_id: str, kind: KeyKind) -> bytes:
    """Associated data that binds a wrapped blob to its id and kind: rows cannot be swapped."""
    return key_wrap.key_binding(kind, key_id)


def new_kek_row(master: MasterSecret, now: float, rng: Random) -> StoredKey:
    """A fresh key-encryption key, wrapped under `master`."""
    key_id = new_key_id(rng)
    wrapped = key_wrap.wrap(
        key_wrap.wrapping_key(master),
        rng.bytes(SECRET_KEY_BYTES),
        binding(key_id, KeyKind.KEY_ENCRYPTION),
        rng,
    )
    return StoredKey(
        key_id, KeyKind.KEY_ENCRYPTION, KEK_SLOT, "A256GCM", wrapped, master.key_id, "", now
    )


def new_signing_row(
    slot: str,
    algorithm: str,
    sign_after: float,
    policy: KeyPolicy,
    kek: tuple[str, bytes],
    clock: Clock,
    rng: Random,
) -> StoredKey:
    """A fresh signing key for `slot`, wrapped under the KEK `(id, key)`, with its schedule.

    It signs `sign_after` seconds after its creation, counted from when generating it
    (tens of milliseconds for RSA) is over, so none of the lead is lost to it.
    """
    key_id = new_key_id(rng)
    key = signing_keys.generate_signing_key(algorithm, key_id)
    now = clock.now()
    times = policy.times(now + sign_after)
    kek_id, kek_key = kek
    wrapped = key_wrap.wrap(kek_key, key.private_pem(), binding(key_id, KeyKind.SIGNING), rng)
    return StoredKey(
        key_id,
        KeyKind.SIGNING,
        slot,
        algorithm,
        wrapped,
        kek_id,
        json.dumps(key.verification_key().to_jwk(), sort_keys=True),
        created_at=now,
        sign_from=times.sign_from,
        sign_until=times.sign_until,
        verify_until=times.verify_until,
        delete_at=times.delete_at,
    )


def new_secret_row(
    kind: KeyKind, slot: str, kek: tuple[str, bytes], now: float, rng: Random
) -> StoredKey:
    """A fresh 256-bit secret (`k_mac`, `k_rt` or `k_csrf`) for `slot`, wrapped under the KEK."""
    key_id = new_key_id(rng)
    kek_id, kek_key = kek
    wrapped = key_wrap.wrap(kek_key, rng.bytes(SECRET_KEY_BYTES), binding(key_id, kind), rng)
    return StoredKey(key_id, kind, slot, "HS256", wrapped, kek_id, "", now)


def unwrap_kek(row: StoredKey, masters: Sequence[MasterSecret]) -> bytes:
    """The key-encryption key in `row`, unwrapped with the configured master secret it names.

    Raises `ConfigError("master_secrets")` when that secret is not configured or does
    not unwrap it, so a core with the wrong secrets refuses to start.
    """
    for master in masters:
        if master.key_id != row.wrapping_key_id:
            continue
        try:
            return key_wrap.unwrap(
                key_wrap.wrapping_key(master),
                row.wrapped_secret,
                binding(row.key_id, row.kind),
            )
        except ValueError as exc:
            raise ConfigError(
                "master_secrets", f"master secret {master.key_id!r} does not unwrap the stored keys"
            ) from exc
    raise ConfigError(
        "master_secrets",
        f"the stored keys are wrapped under master secret {row.wrapping_key_id!r}, "
        "which is not configured",
    )
