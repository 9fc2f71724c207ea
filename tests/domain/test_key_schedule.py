"""The key schedule: which key signs, verifies, is created and deleted, at explicit times.

Every expected value is worked out by hand from one policy: keys sign for 100 s, are
published 10 s ahead (the JWKS max-age), access tokens live 20 s with 5 s of leeway and
sessions at most 1000 s. So a key signing from 1000 stops at 1100, verifies until 1125
and is deleted at 1135; its successor is due at 1080 and signs from 1090.
"""

from __future__ import annotations

import dataclasses
import math

import pytest

from core_server.domain.key_schedule import (
    KeyPolicy,
    KeyTimes,
    current_secrets,
    deletable,
    jwks_max_age,
    live_signing_keys,
    next_sign_from,
    next_slot,
    revocation_expires_at,
    signer,
    verifying,
)
from core_server.domain.models import KeyKind, StoredKey

POLICY = KeyPolicy(
    rotation_seconds=100,
    publish_lead_seconds=10,
    access_token_lifetime_seconds=20,
    leeway_seconds=5,
    max_session_lifetime_seconds=1000,
)


def signing(
    number: int,
    sign_from: float | None,
    *,
    revoked_at: float | None = None,
    algorithm: str = "RS256",
) -> StoredKey:
    """Signing key `signing/N` with POLICY's schedule from `sign_from` (None: no schedule)."""
    if sign_from is None:
        times: tuple[float | None, ...] = (None, None, None, None)
    else:
        times = (sign_from, sign_from + 100, sign_from + 125, sign_from + 135)
    return StoredKey(
        f"k{number}",
        KeyKind.SIGNING,
        f"signing/{number}",
        algorithm,
        b"wrapped",
        "kek",
        "{}",
        created_at=(sign_from or 0) - 10,
        sign_from=times[0],
        sign_until=times[1],
        verify_until=times[2],
        delete_at=times[3],
        revoked_at=revoked_at,
    )


def secret(kind: KeyKind, number: int, created_at: float) -> StoredKey:
    return StoredKey(
        f"{kind.value}{number}",
        kind,
        f"{kind.value}/{number}",
        "HS256",
        b"wrapped",
        "kek",
        "",
        created_at,
    )


def kek() -> StoredKey:
    return StoredKey("kek1", KeyKind.KEY_ENCRYPTION, "kek/1", "A256GCM", b"w", "m1", "", 0.0)


def ids(keys: list[StoredKey]) -> list[str]:
    return [key.key_id for key in keys]


# -- KeyPolicy ------------------------------------------------------------------------


def test_times_follow_the_policy() -> None:
    assert POLICY.times(1000) == KeyTimes(
        sign_from=1000, sign_until=1100, verify_until=1125, delete_at=1135
    )
    no_leeway = KeyPolicy(60, 5, 30, 0, 1000)
    assert no_leeway.times(0.5) == KeyTimes(0.5, 60.5, 90.5, 95.5)


def test_rotation_is_due_two_leads_before_the_signer_stops() -> None:
    assert POLICY.rotation_due_at(signing(1, 1000)) == 1080
    assert POLICY.rotation_due_at(signing(1, None)) == -math.inf


# -- live keys, signer, verifying ---------------------------------------------------------


def test_live_signing_keys_are_the_unrevoked_signing_keys_in_slot_order() -> None:
    keys = [
        signing(10, 1900),
        secret(KeyKind.MAC, 1, 0),
        signing(9, 1800),
        signing(2, 1100, revoked_at=1150),
        kek(),
        signing(1, 1000),
    ]
    # Numeric order: slot 10 after slot 9, though "10" < "9" as text.
    assert ids(live_signing_keys(keys)) == ["k1", "k9", "k10"]
    assert live_signing_keys([]) == []


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (999.9, None),  # before the first key signs
        (1000, "k1"),
        (1089.9, "k1"),
        (1090, "k2"),  # the successor takes over at its sign_from...
        (1099.9, "k2"),  # ...though the predecessor's window is still open
        (1189.9, "k2"),
        (1190, None),  # sign_until is exclusive and nothing follows
    ],
)
def test_signer_is_the_newest_key_inside_its_signing_window(
    now: float, expected: str | None
) -> None:
    keys = [signing(1, 1000), signing(2, 1090)]
    found = signer(keys, now)
    assert (found.key_id if found else None) == expected


def test_a_revoked_key_never_signs() -> None:
    keys = [signing(1, 1000), signing(2, 1090, revoked_at=1095)]
    assert signer(keys, 1095).key_id == "k1"  # type: ignore[union-attr]
    assert signer([signing(1, 1000, revoked_at=2000)], 1050) is None


def test_signer_breaks_a_tie_in_sign_from_by_the_newer_slot() -> None:
    keys = [signing(3, 1000), signing(4, 1000), signing(2, 1000)]
    assert signer(keys, 1050).key_id == "k4"  # type: ignore[union-attr]


def test_a_key_without_a_schedule_neither_signs_nor_verifies() -> None:
    keys = [signing(1, None)]
    assert signer(keys, 0) is None
    assert verifying(keys, -1e300) == []


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (900, ["k1", "k2"]),  # published keys verify before they sign
        (1124.9, ["k1", "k2"]),
        (1125, ["k2"]),  # verify_until is exclusive
        (1214.9, ["k2"]),
        (1215, []),
    ],
)
def test_verifying_keys_are_the_live_ones_before_their_verify_until(
    now: float, expected: list[str]
) -> None:
    keys = [signing(2, 1090), signing(1, 1000), secret(KeyKind.MAC, 1, 0)]
    assert ids(verifying(keys, now)) == expected


def test_a_revoked_key_stops_verifying_whatever_its_times() -> None:
    keys = [signing(1, 1000, revoked_at=1001), signing(2, 1090)]
    assert ids(verifying(keys, 1001)) == ["k2"]


# -- when the next key is due ---------------------------------------------------------------


def test_a_key_is_due_at_once_when_nothing_signs() -> None:
    assert next_sign_from([], 500, POLICY, "RS256") == 500
    assert next_sign_from([kek(), secret(KeyKind.MAC, 1, 0)], 500, POLICY, "RS256") == 500
    # The only key was revoked, or every process was down past its sign_until.
    assert next_sign_from([signing(1, 1000, revoked_at=1010)], 1010, POLICY, "RS256") == 1010
    assert next_sign_from([signing(1, 1000)], 1100, POLICY, "RS256") == 1100
    # A pending successor does not sign yet: something must sign now.
    assert (
        next_sign_from([signing(1, 1000, revoked_at=1085), signing(2, 1090)], 1085, POLICY, "RS256")
        == 1085
    )


@pytest.mark.parametrize(
    ("now", "expected"),
    [(1000, None), (1079.9, None), (1080, 1090), (1099, 1109)],
)
def test_the_successor_is_due_two_leads_before_the_end_and_signs_one_lead_later(
    now: float, expected: float | None
) -> None:
    assert next_sign_from([signing(1, 1000)], now, POLICY, "RS256") == expected


def test_no_second_successor_while_one_is_scheduled() -> None:
    assert next_sign_from([signing(1, 1000), signing(2, 1090)], 1085, POLICY, "RS256") is None
    # ...but a revoked successor does not count.
    keys = [signing(1, 1000), signing(2, 1090, revoked_at=1086)]
    assert next_sign_from(keys, 1086, POLICY, "RS256") == 1096


def test_an_emergency_key_that_ends_first_is_no_successor() -> None:
    # k2 was rotated in ahead of time (signs 1010-1110); k1 was then revoked and k3
    # replaced it at once (1001-1101). k3 outranks k2 by slot but ends first, so k2
    # still needs a successor when its own end nears.
    keys = [signing(1, 1000, revoked_at=1001), signing(2, 1010), signing(3, 1001)]
    assert signer(keys, 1050) == keys[1]
    assert next_sign_from(keys, 1089, POLICY, "RS256") is None
    assert next_sign_from(keys, 1090, POLICY, "RS256") == 1100


def test_the_successor_is_due_two_sign_leads_before_the_end() -> None:
    slow_poll = dataclasses.replace(POLICY, propagation_seconds=1)
    assert slow_poll.rotation_due_at(signing(1, 1000)) == 1078
    assert next_sign_from([signing(1, 1000)], 1078, slow_poll, "RS256") == 1089


def test_a_successor_signs_after_the_lead_plus_the_propagation() -> None:
    slow_poll = dataclasses.replace(POLICY, propagation_seconds=0.5)
    assert slow_poll.sign_lead_seconds == 10.5
    assert next_sign_from([signing(1, 1000)], 1080, slow_poll, "RS256") == 1090.5  # due 1079
    # A key due at once (nothing signs) has no lead to wait for.
    assert next_sign_from([], 1080, slow_poll, "RS256") == 1080


def test_a_new_algorithm_schedules_a_successor_early() -> None:
    assert next_sign_from([signing(1, 1000)], 1001, POLICY, "ES256") == 1011
    assert next_sign_from([signing(1, 1000), signing(2, 1011)], 1002, POLICY, "ES256") is None
    assert next_sign_from([signing(1, 1000, algorithm="ES256")], 1001, POLICY, "ES256") is None


def test_next_slot_counts_every_key_of_the_kind_revoked_or_not() -> None:
    keys = [signing(9, 1000), signing(10, 1090, revoked_at=1095), secret(KeyKind.MAC, 3, 0)]
    assert next_slot(keys, KeyKind.SIGNING) == "signing/11"
    assert next_slot(keys, KeyKind.MAC) == "mac/4"
    assert next_slot(keys, KeyKind.REFRESH) == "refresh/1"
    assert next_slot([], KeyKind.SIGNING) == "signing/1"


# -- secrets new sessions pin ---------------------------------------------------------


def all_secrets(number: int, created_at: float) -> list[StoredKey]:
    return [
        secret(kind, number, created_at)
        for kind in (KeyKind.MAC, KeyKind.REFRESH, KeyKind.ANTI_CSRF)
    ]


def test_new_sessions_pin_the_newest_secret_once_it_is_a_lead_old() -> None:
    keys = [*all_secrets(2, 1050), *all_secrets(1, 1000), signing(1, 1000)]
    before = current_secrets(keys, 1059.9, POLICY)
    assert {kind: key.key_id for kind, key in before.items()} == {
        KeyKind.MAC: "mac1",
        KeyKind.REFRESH: "refresh1",
        KeyKind.ANTI_CSRF: "anti_csrf1",
    }
    after = current_secrets(keys, 1060, POLICY)
    assert [key.key_id for key in after.values()] == ["mac2", "refresh2", "anti_csrf2"]


def test_on_first_start_the_oldest_secret_is_pinned_at_once() -> None:
    keys = [secret(KeyKind.MAC, 2, 1001), secret(KeyKind.MAC, 1, 1000)]
    assert current_secrets(keys, 1000, POLICY) == {KeyKind.MAC: keys[1]}
    assert current_secrets([], 1000, POLICY) == {}


def test_the_newest_ready_secret_wins_over_an_unready_newer_one() -> None:
    keys = [secret(KeyKind.MAC, n, created) for n, created in ((1, 0), (2, 500), (3, 995))]
    assert current_secrets(keys, 1000, POLICY)[KeyKind.MAC].key_id == "mac2"


# -- the JWKS cache lifetime ------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (1000, 10),  # nothing changes within a lead
        (1075, 5),  # the successor is due at 1080
        (1077.3, 2),  # whole seconds, rounded down
        (1079.5, 1),  # never below 1
        (1082, 1),  # past due with no successor seen yet: it may exist elsewhere
    ],
)
def test_jwks_max_age_is_cut_short_by_the_next_rotation(now: float, expected: int) -> None:
    assert jwks_max_age([signing(1, 1000)], now, POLICY) == expected


def test_jwks_max_age_is_cut_short_when_a_key_stops_verifying() -> None:
    keys = [signing(1, 1000), signing(2, 1090)]
    assert jwks_max_age(keys, 1085, POLICY) == 10  # successor exists; k1 verifies to 1125
    assert jwks_max_age(keys, 1120, POLICY) == 5  # k1 leaves the JWKS at 1125
    assert jwks_max_age(keys, 1165, POLICY) == 5  # k2's successor is due at 1170


def test_jwks_max_age_without_keys_is_the_lead() -> None:
    assert jwks_max_age([], 0, POLICY) == 10


# -- deletion ---------------------------------------------------------------------------


def test_signing_keys_are_deleted_at_delete_at_revoked_or_not() -> None:
    keys = [signing(1, 1000), signing(2, 1090, revoked_at=1095), kek()]
    assert deletable(keys, 1134.9, POLICY) == []
    assert ids(deletable(keys, 1135, POLICY)) == ["k1"]
    # Revoked at 1095, yet kept to its delete_at (1225), past its verify_until (1215).
    assert ids(deletable(keys, 1224.9, POLICY)) == ["k1"]
    assert ids(deletable(keys, 1225, POLICY)) == ["k1", "k2"]


def test_a_signing_key_without_a_schedule_is_deletable() -> None:
    assert ids(deletable([signing(1, None)], 0, POLICY)) == ["k1"]


def test_a_secret_goes_once_a_newer_one_outlived_every_session() -> None:
    keys = [secret(KeyKind.MAC, 1, 0), secret(KeyKind.MAC, 2, 100), secret(KeyKind.MAC, 3, 200)]
    # keep_for = max session lifetime + lead = 1010 s after the newer key's creation.
    assert deletable(keys, 1109.9, POLICY) == []
    assert ids(deletable(keys, 1110, POLICY)) == ["mac1"]
    assert ids(deletable(keys, 1210, POLICY)) == ["mac1", "mac2"]
    # The newest key of a kind is never deleted; the KEK never.
    assert ids(deletable([*keys, kek()], 1e12, POLICY)) == ["mac1", "mac2"]


def test_revocation_feed_entries_outlive_the_key_by_a_lead() -> None:
    assert revocation_expires_at(signing(1, 1000, revoked_at=1010), POLICY) == 1145
