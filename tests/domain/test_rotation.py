"""The rotation decision table, row by row, on real token lineages."""

from __future__ import annotations

import dataclasses
import random
from typing import Any

import pytest

from core_server.domain.identifiers import new_handle, new_key_id
from core_server.domain.models import ClientInfo, PinnedKeys, SessionRecord
from core_server.domain.refresh_tokens import RefreshToken, first_token, successor, token_hash
from core_server.domain.rotation import Verdict, decide, next_idle_expiry

REFRESH_KEY = bytes(range(32))
CREATED = 1_800_000_000.0
ROTATED = CREATED + 600.0  # when generation 5 was issued
GRACE = 30.0
IDLE = 3600.0
GENERATION = 5


class SeededRandom:
    """A deterministic `Random` for tests."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def bytes(self, n: int) -> bytes:
        return self._rng.randbytes(n)


def lineage(length: int, seed: int = 1) -> list[RefreshToken]:
    rng = SeededRandom(seed)
    tokens = [first_token(new_handle(rng), new_key_id(rng), rng)]
    while len(tokens) < length:
        tokens.append(successor(tokens[-1], REFRESH_KEY))
    return tokens


TOKENS = lineage(GENERATION + 2)  # generations 0..6; 6 was never stored


def record_at(generation: int = GENERATION, **changes: Any) -> SessionRecord:
    current = TOKENS[generation]
    previous = TOKENS[generation - 1] if generation else None
    record = SessionRecord(
        handle=current.handle,
        user_id="user-1",
        created_at=CREATED,
        idle_expires_at=ROTATED + IDLE,
        absolute_expires_at=CREATED + 30 * 86400.0,
        client=ClientInfo(),
        access_token_claims_json="{}",
        session_data_json="{}",
        anti_csrf=False,
        keys=PinnedKeys(mac=current.key_id, refresh="rk", anti_csrf="ck"),
        generation=generation,
        current_hash=token_hash(current),
        previous_hash=token_hash(previous) if previous else None,
        rotated_at=ROTATED if generation else None,
    )
    return dataclasses.replace(record, **changes)


def judge(
    presented: RefreshToken,
    now: float,
    record: SessionRecord | None = None,
    grace: float = GRACE,
) -> Verdict:
    stored = record_at() if record is None else record
    next_hash = token_hash(successor(presented, REFRESH_KEY))
    return decide(stored, presented, token_hash(presented), next_hash, now, grace)


def forged(token: RefreshToken) -> RefreshToken:
    """Same handle, generation and key id, another secret: what a MAC key alone forges."""
    return dataclasses.replace(token, secret=bytes(32))


# -- p is current --------------------------------------------------------------------


def test_current_token_rotates() -> None:
    assert judge(TOKENS[5], ROTATED + 1000.0) is Verdict.ROTATE


def test_first_generation_rotates_on_a_fresh_session() -> None:
    assert judge(TOKENS[0], CREATED + 1.0, record_at(0)) is Verdict.ROTATE


def test_current_generation_with_another_secret_is_invalid() -> None:
    assert judge(forged(TOKENS[5]), ROTATED + 1.0) is Verdict.INVALID


# -- p is previous -------------------------------------------------------------------


def test_previous_inside_the_window_replays() -> None:
    assert judge(TOKENS[4], ROTATED + 10.0) is Verdict.REPLAY


def test_previous_exactly_at_the_window_end_replays() -> None:
    assert judge(TOKENS[4], ROTATED + GRACE) is Verdict.REPLAY


def test_previous_just_after_the_window_is_theft() -> None:
    assert judge(TOKENS[4], ROTATED + GRACE + 0.001) is Verdict.THEFT


def test_zero_grace_replays_only_at_the_rotation_instant() -> None:
    assert judge(TOKENS[4], ROTATED, grace=0.0) is Verdict.REPLAY
    assert judge(TOKENS[4], ROTATED + 0.001, grace=0.0) is Verdict.THEFT


@pytest.mark.parametrize("now", [ROTATED + 1.0, ROTATED + GRACE + 1.0])
def test_previous_generation_with_another_secret_is_invalid(now: float) -> None:
    assert judge(forged(TOKENS[4]), now) is Verdict.INVALID


def test_previous_whose_successor_is_not_current_is_invalid() -> None:
    presented = TOKENS[4]
    wrong_next = token_hash(TOKENS[4])
    verdict = decide(
        record_at(), presented, token_hash(presented), wrong_next, ROTATED + 1.0, GRACE
    )
    assert verdict is Verdict.INVALID


def test_previous_on_a_record_without_rotation_state_is_invalid() -> None:
    broken = record_at(previous_hash=None)
    assert judge(TOKENS[4], ROTATED + 1.0, broken) is Verdict.INVALID
    broken = record_at(rotated_at=None)
    assert judge(TOKENS[4], ROTATED + 1.0, broken) is Verdict.INVALID


# -- older and newer generations -----------------------------------------------------


@pytest.mark.parametrize("generation", [0, 1, 2])
def test_older_genuine_generation_is_theft_even_inside_the_window(generation: int) -> None:
    assert judge(TOKENS[generation], ROTATED + 1.0) is Verdict.THEFT


def test_generation_g_minus_two_is_theft_inside_the_window() -> None:
    assert judge(TOKENS[GENERATION - 2], ROTATED) is Verdict.THEFT


def test_generation_ahead_of_storage_is_unknown_not_theft() -> None:
    assert judge(TOKENS[6], ROTATED + 1.0) is Verdict.UNKNOWN_GENERATION
    assert judge(TOKENS[1], CREATED + 1.0, record_at(0)) is Verdict.UNKNOWN_GENERATION


# -- the session itself ---------------------------------------------------------------


def test_missing_session_has_ended() -> None:
    verdict = decide(None, TOKENS[5], token_hash(TOKENS[5]), b"", ROTATED, GRACE)
    assert verdict is Verdict.SESSION_ENDED


@pytest.mark.parametrize(
    ("record", "now"),
    [
        (record_at(revoked_at=ROTATED + 5.0), ROTATED + 10.0),
        (record_at(), ROTATED + IDLE),  # idle expiry reached exactly
        (record_at(), ROTATED + IDLE + 1.0),
        (record_at(absolute_expires_at=ROTATED + 20.0), ROTATED + 20.0),
    ],
    ids=["revoked", "idle-boundary", "idle", "absolute"],
)
def test_ended_sessions_refuse_every_token(record: SessionRecord, now: float) -> None:
    for presented in (TOKENS[5], TOKENS[4], TOKENS[2], TOKENS[6]):
        assert judge(presented, now, record) is Verdict.SESSION_ENDED


def test_session_is_live_until_its_expiry() -> None:
    assert judge(TOKENS[5], ROTATED + IDLE - 0.001) is Verdict.ROTATE


def test_token_of_another_session_is_invalid() -> None:
    stranger = lineage(GENERATION + 1, seed=2)[GENERATION]
    record = record_at(handle=stranger.handle)
    assert judge(TOKENS[5], ROTATED + 1.0, record) is Verdict.INVALID


def test_token_under_a_mac_key_the_session_did_not_pin_is_invalid() -> None:
    record = record_at(keys=PinnedKeys(mac=new_key_id(SeededRandom(3)), refresh="r", anti_csrf="c"))
    assert judge(TOKENS[5], ROTATED + 1.0, record) is Verdict.INVALID


# -- idle expiry -----------------------------------------------------------------------


def test_idle_expiry_slides_from_now() -> None:
    assert next_idle_expiry(record_at(), ROTATED + 100.0, IDLE) == ROTATED + 100.0 + IDLE


def test_idle_expiry_never_passes_the_absolute_expiry() -> None:
    record = record_at(absolute_expires_at=ROTATED + 200.0)
    assert next_idle_expiry(record, ROTATED + 100.0, IDLE) == ROTATED + 200.0
