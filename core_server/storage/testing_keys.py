"""The stored-keys part of the store contract; `StoreContract` includes it.

Keys are built with `make_key` around the fixed `NOW`; every expectation is the key as
inserted with the fields a call may change replaced by hand, so a store that writes a
column it should not (or drops one) fails the whole-key comparison.
"""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from core_server.domain.models import KeyKind, StoredKey
from core_server.storage.base import SessionStore
from core_server.storage.testing_records import NOW, RACERS, make_key

# More ids than one statement binds in the SQLite store (500 per chunk).
MANY_KEYS = 1100
REWRAPPED_SECRET = b"\xffrewrapped\x00" * 6


def make_mac_key(number: int, **overrides: Any) -> StoredKey:
    """The `number`th MAC key: no public part and no schedule, unlike `make_key`'s."""
    key = make_key(
        key_id=f"mac-{number}",
        kind=KeyKind.MAC,
        slot=f"mac/{number}",
        algorithm="HS256",
        public_jwk_json="",
        sign_from=None,
        sign_until=None,
        verify_until=None,
        delete_at=None,
    )
    return dataclasses.replace(key, **overrides)


def keys_by_id(store: SessionStore) -> dict[str, StoredKey]:
    return {key.key_id: key for key in store.list_keys()}


class KeyContract:
    """Stored-key behaviour every store must show."""

    # -- insert and list -----------------------------------------------------------

    def test_insert_key_into_a_taken_slot_or_id_returns_false(self, store: SessionStore) -> None:
        first = make_key()
        assert store.insert_key(first)
        assert not store.insert_key(make_key(key_id="key-2"))
        assert not store.insert_key(make_key(slot="signing/2"))
        assert store.list_keys() == [first]

    def test_keys_round_trip_exactly(self, store: SessionStore) -> None:
        keys = [  # in key_id order
            make_key(),
            make_key(key_id="key-3", slot="signing/3", revoked_at=NOW + 0.125),
            make_mac_key(1),
        ]
        for key in keys:
            assert store.insert_key(key)
        assert sorted(store.list_keys(), key=lambda key: key.key_id) == keys

    # -- revocation ----------------------------------------------------------------

    def test_revoke_key_returns_true_once_and_keeps_the_first_time(
        self, store: SessionStore
    ) -> None:
        key, other = make_key(), make_mac_key(1)
        store.insert_key(key)
        store.insert_key(other)
        assert store.revoke_key(key.key_id, NOW) is True
        assert store.revoke_key(key.key_id, NOW + 5) is False
        assert keys_by_id(store) == {
            key.key_id: dataclasses.replace(key, revoked_at=NOW),
            other.key_id: other,
        }

    def test_revoke_of_an_unknown_key_returns_false(self, store: SessionStore) -> None:
        store.insert_key(make_key())
        assert store.revoke_key("no-such-key", NOW) is False
        assert store.list_keys() == [make_key()]

    def test_racing_revocations_of_one_key_revoke_it_exactly_once(
        self, store: SessionStore
    ) -> None:
        store.insert_key(make_key())
        barrier = threading.Barrier(RACERS)

        def revoke(i: int) -> bool:
            barrier.wait(timeout=30)
            return store.revoke_key("key-1", NOW + i)

        with ThreadPoolExecutor(RACERS) as pool:
            results = list(pool.map(revoke, range(RACERS), timeout=60))
        assert results.count(True) == 1
        winner = results.index(True)
        assert store.list_keys() == [make_key(revoked_at=NOW + winner)]

    # -- re-wrapping ---------------------------------------------------------------

    def test_rewrap_with_the_expected_wrapping_key_changes_only_secret_and_wrapper(
        self, store: SessionStore
    ) -> None:
        key = make_key(revoked_at=NOW - 1)
        other = make_mac_key(1)
        store.insert_key(key)
        store.insert_key(other)
        assert store.rewrap_key(key.key_id, "kek-1", REWRAPPED_SECRET, "kek-2") is True
        assert keys_by_id(store) == {
            key.key_id: dataclasses.replace(
                key, wrapped_secret=REWRAPPED_SECRET, wrapping_key_id="kek-2"
            ),
            other.key_id: other,
        }

    def test_rewrap_with_a_stale_wrapping_key_id_writes_nothing(self, store: SessionStore) -> None:
        key = make_key()
        store.insert_key(key)
        assert store.rewrap_key(key.key_id, "kek-0", REWRAPPED_SECRET, "kek-2") is False
        assert store.rewrap_key("no-such-key", "kek-1", REWRAPPED_SECRET, "kek-2") is False
        assert store.list_keys() == [key]
        assert store.rewrap_key(key.key_id, "kek-1", REWRAPPED_SECRET, "kek-2") is True
        # The wrapper just replaced is stale now: a second re-wrap from it loses.
        assert store.rewrap_key(key.key_id, "kek-1", b"late", "kek-3") is False
        assert store.list_keys() == [
            dataclasses.replace(key, wrapped_secret=REWRAPPED_SECRET, wrapping_key_id="kek-2")
        ]

    def test_racing_rewraps_from_one_wrapper_rewrap_exactly_once(self, store: SessionStore) -> None:
        store.insert_key(make_key())
        barrier = threading.Barrier(RACERS)

        def rewrap(i: int) -> bool:
            barrier.wait(timeout=30)
            return store.rewrap_key("key-1", "kek-1", bytes([i]) * 40, f"kek-new-{i}")

        with ThreadPoolExecutor(RACERS) as pool:
            results = list(pool.map(rewrap, range(RACERS), timeout=60))
        assert results.count(True) == 1
        winner = results.index(True)
        assert store.list_keys() == [
            make_key(wrapped_secret=bytes([winner]) * 40, wrapping_key_id=f"kek-new-{winner}")
        ]

    # -- deletion ------------------------------------------------------------------

    def test_delete_keys_returns_how_many_existed_and_keeps_the_rest(
        self, store: SessionStore
    ) -> None:
        keys = [make_mac_key(number) for number in (1, 2, 3)]
        for key in keys:
            store.insert_key(key)
        assert store.delete_keys(["mac-1", "no-such-key", "mac-3", "mac-1"]) == 2
        assert store.list_keys() == [keys[1]]
        assert store.delete_keys([]) == 0
        assert store.delete_keys(["mac-1"]) == 0
        assert store.list_keys() == [keys[1]]

    def test_delete_many_keys_at_once(self, store: SessionStore) -> None:
        ids = [f"mac-{number}" for number in range(1, MANY_KEYS + 1)]
        for number in range(1, MANY_KEYS + 1, 2):
            store.insert_key(make_mac_key(number))
        kept = make_mac_key(MANY_KEYS + 1)
        store.insert_key(kept)
        assert store.delete_keys(ids) == len(ids[::2])
        assert store.list_keys() == [kept]
