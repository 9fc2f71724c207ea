"""The refresh-token rotation decision table, as one pure function.

`decide` judges an authentic (MAC-checked) refresh token p against the stored session
at generation g, with grace window G:

    session missing, revoked, idle or absolutely expired     SESSION_ENDED
    p names another session or MAC key than the record pins  INVALID
    p.generation == g,   H(p) == current hash                ROTATE
    p.generation == g,   hash differs                        INVALID
    p.generation == g-1, hashes chain, now <= rotated_at + G REPLAY
    p.generation == g-1, hashes chain, later                 THEFT
    p.generation == g-1, hashes do not chain                 INVALID
    p.generation <  g-1                                      THEFT
    p.generation >  g                                        UNKNOWN_GENERATION

"Hashes chain" means H(p) is the stored previous hash and H(successor(p)) is the stored
current hash. The successor is deterministic (`refresh_tokens.successor`), so a replay
of the previous token inside the window is answered with the very successor the first
refresh produced, and nothing is written: a lost response retried, or several tabs
refreshing with one token, converge on one lineage. A genuine token older than that
proves its successor was used by someone else, which is theft. A generation beyond the
stored one can only come from a write lost in a failover or restore, so it is refused
without accusing anyone.
"""

from __future__ import annotations

import enum
import hmac

from core_server.domain.models import SessionRecord
from core_server.domain.refresh_tokens import RefreshToken


class Verdict(enum.Enum):
    """What a refresh with a presented token must do."""

    ROTATE = "rotate"  # p is current: compare-and-set to its successor
    REPLAY = "replay"  # p is the predecessor inside the window: same successor, no write
    THEFT = "theft"  # a used token came back: revoke the session
    SESSION_ENDED = "session_ended"  # missing, revoked or expired: unauthorised
    INVALID = "invalid"  # the token does not match what the session stores
    UNKNOWN_GENERATION = "unknown_generation"  # ahead of storage: a lost write, not theft


def decide(
    record: SessionRecord | None,
    presented: RefreshToken,
    presented_hash: bytes,
    successor_hash: bytes,
    now: float,
    grace_seconds: float,
) -> Verdict:
    """Apply the decision table (module docstring) to a MAC-checked token.

    `presented_hash` is `token_hash(presented)` and `successor_hash` is
    `token_hash(successor(presented))`; both are passed in so this stays free of keys.
    Pure: reads no clock and writes nothing. Hashes are compared in constant time.
    """
    if record is None or not record.is_live(now):
        return Verdict.SESSION_ENDED
    # Storage is looked up by the token's handle, so a mismatch means a caller bug or a
    # token minted under a MAC key this session never pinned; neither may rotate.
    if presented.handle != record.handle or presented.key_id != record.keys.mac:
        return Verdict.INVALID
    current = record.generation
    if presented.generation > current:
        return Verdict.UNKNOWN_GENERATION
    if presented.generation == current:
        return Verdict.ROTATE if _same(presented_hash, record.current_hash) else Verdict.INVALID
    if presented.generation == current - 1:
        return _judge_previous(record, presented_hash, successor_hash, now, grace_seconds)
    # The MAC proved this older token genuine, so its successor was already used.
    return Verdict.THEFT


def next_idle_expiry(record: SessionRecord, now: float, idle_seconds: float) -> float:
    """The idle expiry after a refresh at `now`: it slides, but never past the absolute one."""
    return min(now + idle_seconds, record.absolute_expires_at)


def _judge_previous(
    record: SessionRecord,
    presented_hash: bytes,
    successor_hash: bytes,
    now: float,
    grace_seconds: float,
) -> Verdict:
    if record.previous_hash is None or record.rotated_at is None:
        return Verdict.INVALID  # a rotated session always has both; refuse if not
    # Both comparisons always run, so timing does not tell which one failed.
    previous_ok = _same(presented_hash, record.previous_hash)
    current_ok = _same(successor_hash, record.current_hash)
    if not (previous_ok and current_ok):
        return Verdict.INVALID
    return Verdict.REPLAY if now <= record.rotated_at + grace_seconds else Verdict.THEFT


def _same(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)
