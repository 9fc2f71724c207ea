"""When keys are created, sign, verify and are deleted: pure functions of the key rows.

A signing key's life (DESIGN section 3): created and published in the JWKS, signs from
`sign_from` to `sign_until`, verifies until `verify_until = sign_until + access-token
lifetime + leeway`, and is deleted at `delete_at = verify_until + JWKS max-age`. A
successor is created two publication leads before its predecessor stops signing and
signs one lead after its creation (the lead is the JWKS max-age), so every verifier
has refetched the JWKS before it meets a token of the new key.

Rows are never updated to rotate: a rotation inserts the next slot ("signing/N+1"),
so processes sharing a store agree on exactly one new key through the slot's
uniqueness. A revoked key neither signs nor verifies, whatever its times say.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core_server.domain.models import KeyKind, StoredKey

SECRET_KINDS = (KeyKind.MAC, KeyKind.REFRESH, KeyKind.ANTI_CSRF)


@dataclass(frozen=True)
class KeyTimes:
    """The schedule of one signing key, in seconds since the epoch."""

    sign_from: float
    sign_until: float
    verify_until: float
    delete_at: float


@dataclass(frozen=True)
class KeyPolicy:
    """How long keys sign, how far ahead they are published, and how long they are kept.

    `publish_lead_seconds` is the JWKS max-age: no cache outlives it, so a key
    published that long before it signs is known to every verifier in time.
    `propagation_seconds` (the key poll interval) is how much later than its creator
    other processes sharing the store may start publishing it; a key signs only after
    both have passed.
    """

    rotation_seconds: float
    publish_lead_seconds: float
    access_token_lifetime_seconds: float
    leeway_seconds: float
    max_session_lifetime_seconds: float
    propagation_seconds: float = 0.0

    @property
    def sign_lead_seconds(self) -> float:
        """How long after its creation a scheduled key starts signing."""
        return self.publish_lead_seconds + self.propagation_seconds

    def times(self, sign_from: float) -> KeyTimes:
        sign_until = sign_from + self.rotation_seconds
        verify_until = sign_until + self.access_token_lifetime_seconds + self.leeway_seconds
        return KeyTimes(
            sign_from, sign_until, verify_until, verify_until + self.publish_lead_seconds
        )

    def rotation_due_at(self, key: StoredKey) -> float:
        """When the successor of `key` must be created: two sign leads before `key` ends.

        A process notices within one propagation interval and the successor signs one
        sign lead later, so it takes over at least one publication lead before `key`'s
        `sign_until`: no gap in which nothing signs.
        """
        return _time(key.sign_until) - 2 * self.sign_lead_seconds


def live_signing_keys(keys: Iterable[StoredKey]) -> list[StoredKey]:
    """Signing keys not revoked, oldest first."""
    live = [k for k in keys if k.kind is KeyKind.SIGNING and k.revoked_at is None]
    return sorted(live, key=lambda k: k.number)


def signer(keys: Iterable[StoredKey], now: float) -> StoredKey | None:
    """The key that signs at `now`: of those inside their signing window, the newest."""
    signing = [
        k for k in live_signing_keys(keys) if _time(k.sign_from) <= now < _time(k.sign_until)
    ]
    return max(signing, key=lambda k: (_time(k.sign_from), k.number), default=None)


def verifying(keys: Iterable[StoredKey], now: float) -> list[StoredKey]:
    """Keys whose tokens verify at `now`: published (created) and before `verify_until`."""
    return [k for k in live_signing_keys(keys) if now < _time(k.verify_until)]


def next_sign_from(
    keys: Sequence[StoredKey], now: float, policy: KeyPolicy, algorithm: str
) -> float | None:
    """When a key created now must start signing; None while no new key is due.

    Due at once when nothing signs (first start, every signer revoked, or every process
    down past a rotation); one sign lead ahead when the signer nears its end or uses
    another algorithm than configured, unless its successor exists already.
    """
    current = signer(keys, now)
    if current is None:
        return now
    if _has_successor(keys, current):
        return None
    if current.algorithm != algorithm or now >= policy.rotation_due_at(current):
        return now + policy.sign_lead_seconds
    return None


def next_slot(keys: Iterable[StoredKey], kind: KeyKind) -> str:
    """The slot the next key of `kind` is inserted into: "KIND/N+1" (revoked keys count)."""
    newest = max((k.number for k in keys if k.kind is kind), default=0)
    return f"{kind.value}/{newest + 1}"


def current_secrets(
    keys: Iterable[StoredKey], now: float, policy: KeyPolicy
) -> dict[KeyKind, StoredKey]:
    """The key of each secret kind that sessions created at `now` pin.

    The newest key that has existed for one lead, so every process sharing the store
    holds it before any token names it; on first start, when none is that old, the
    oldest.
    """
    pinned: dict[KeyKind, StoredKey] = {}
    for kind in SECRET_KINDS:
        ordered = sorted((k for k in keys if k.kind is kind), key=lambda k: k.number)
        ready = [k for k in ordered if k.created_at + policy.publish_lead_seconds <= now]
        if ready:
            pinned[kind] = ready[-1]
        elif ordered:
            pinned[kind] = ordered[0]
    return pinned


def jwks_max_age(keys: Sequence[StoredKey], now: float, policy: KeyPolicy) -> int:
    """Seconds a verifier may cache the JWKS: the lead, cut short by the next change.

    The published set changes when a key stops verifying or a successor is created; a
    cache that expires then picks the change up at once. Once a successor is due but
    not yet seen here (another process may have created it), at most 1 second, the
    floor.
    """
    changes = [_time(k.verify_until) for k in verifying(keys, now)]
    current = signer(keys, now)
    if current is not None and not _has_successor(keys, current):
        changes.append(max(policy.rotation_due_at(current), now + 1))
    upcoming = [t - now for t in changes if t > now]
    return max(1, int(min([policy.publish_lead_seconds, *upcoming])))


def deletable(keys: Sequence[StoredKey], now: float, policy: KeyPolicy) -> list[StoredKey]:
    """Keys no token or session can need any more.

    A signing key goes at its `delete_at` (never before `verify_until`, revoked or
    not). A secret goes once a newer key of its kind has existed longer than any
    session can live (plus a lead for processes still pinning the old one).
    """
    gone = [k for k in keys if k.kind is KeyKind.SIGNING and _time(k.delete_at) <= now]
    keep_for = policy.max_session_lifetime_seconds + policy.publish_lead_seconds
    for kind in SECRET_KINDS:
        ordered = sorted((k for k in keys if k.kind is kind), key=lambda k: k.number)
        gone += [
            old for old, newer in itertools.pairwise(ordered) if newer.created_at + keep_for <= now
        ]
    return gone


def revocation_expires_at(key: StoredKey, policy: KeyPolicy) -> float:
    """How long a key's revocation-feed entry is kept: past its deletion plus a max-age.

    Until then a verifier could still hold the key in a cached JWKS, and a thief holding
    the private key could still mint tokens that such a verifier accepts.
    """
    return _time(key.delete_at) + policy.publish_lead_seconds


def _has_successor(keys: Iterable[StoredKey], key: StoredKey) -> bool:
    # A successor signs on after `key` ends. A newer slot alone does not make one: an
    # emergency replacement signs at once but may end before the key it outranks.
    return any(_time(k.sign_until) > _time(key.sign_until) for k in live_signing_keys(keys))


def _time(value: float | None) -> float:
    # Every signing key is written with its schedule; a missing time would be a bug
    # in a store, so it counts as "already over" rather than "forever".
    return value if value is not None else float("-inf")
