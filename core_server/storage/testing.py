"""The contract suite every `SessionStore` must pass.

A plugin, ours or a third party's, runs it by subclassing `StoreContract` in one of
its test modules and providing a `store` fixture that yields a fresh, empty store and
closes it afterwards::

    import pytest
    from core_server.storage.testing import StoreContract
    from my_plugin import MyStore

    class TestMyStore(StoreContract):
        @pytest.fixture
        def store(self, tmp_path):
            store = MyStore.from_url(f"mystore://{tmp_path}/db")
            yield store
            store.close()

pytest then collects every `test_*` method below against that store. The class name
does not start with `Test`, so importing it does not run it on its own. Records (from
`testing_records`) use fixed times around `NOW` (never the wall clock), so expiry is
exact and reproducible; only the feed's `recorded_at` is the store's own clock. The
revocation-feed cases live in `testing_feed` and the stored-key cases in `testing_keys`;
both are included here. Plugins add backend-specific tests (locking, connection loss)
beside their subclass.
"""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from core_server.domain.models import ClientInfo, RotateResult
from core_server.storage.base import SessionStore
from core_server.storage.errors import DuplicateError
from core_server.storage.testing_feed import FeedContract
from core_server.storage.testing_keys import KeyContract
from core_server.storage.testing_records import (
    NEW_HASH,
    NOW,
    OLD_HASH,
    OTHER_CLAIMS_JSON,
    RACERS,
    UNICODE_JSON,
    make_record,
    make_rotation,
)


class StoreContract(FeedContract, KeyContract):
    """Behaviour every store must show; subclass it and provide a `store` fixture.

    The revocation-feed cases come from `FeedContract` (in `testing_feed`) and the
    stored-key cases from `KeyContract` (in `testing_keys`), so a plugin still
    subclasses this one class.
    """

    # -- insert and get ------------------------------------------------------------

    def test_insert_then_get_round_trips_every_field_exactly(self, store: SessionStore) -> None:
        record = make_record(
            access_token_claims_json=UNICODE_JSON,
            session_data_json=UNICODE_JSON,
            client=ClientInfo(user_agent="Mozilla/5.0 (日本語)", ip_address="2001:db8::1"),
            anti_csrf=False,
            generation=7,
            previous_hash=b"\x01" * 32,
            rotated_at=NOW - 30.125,
        )
        store.insert_session(record)
        assert store.get_session(record.handle) == record

    def test_insert_of_an_existing_handle_raises_duplicate_error(self, store: SessionStore) -> None:
        store.insert_session(make_record())
        with pytest.raises(DuplicateError):
            store.insert_session(make_record(user_id="someone-else"))
        assert store.get_session("handle-1") == make_record()

    def test_get_of_a_missing_handle_returns_none(self, store: SessionStore) -> None:
        assert store.get_session("no-such-handle") is None

    # -- rotation ------------------------------------------------------------------

    def test_rotate_moves_to_the_next_generation(self, store: SessionStore) -> None:
        record = make_record()
        store.insert_session(record)
        result = store.rotate_refresh_token(make_rotation(record), NOW)
        assert result is RotateResult.ROTATED
        assert store.get_session(record.handle) == dataclasses.replace(
            record,
            generation=2,
            current_hash=NEW_HASH,
            previous_hash=OLD_HASH,
            rotated_at=NOW,
            idle_expires_at=NOW + 1800,
        )

    @pytest.mark.parametrize("stale", [{"expected_generation": 0}, {"expected_hash": b"\x02" * 32}])
    def test_rotate_with_stale_expectation_conflicts_and_writes_nothing(
        self, store: SessionStore, stale: dict[str, Any]
    ) -> None:
        record = make_record()
        store.insert_session(record)
        result = store.rotate_refresh_token(make_rotation(record, **stale), NOW)
        assert result is RotateResult.CONFLICT
        assert store.get_session(record.handle) == record

    @pytest.mark.parametrize(
        "ended",
        [
            {"revoked_at": NOW - 1},
            {"idle_expires_at": NOW - 1},
            {"absolute_expires_at": NOW - 1},
            {"idle_expires_at": NOW},  # expiring exactly now counts as expired
        ],
    )
    def test_rotate_of_an_ended_session_conflicts(
        self, store: SessionStore, ended: dict[str, Any]
    ) -> None:
        record = make_record(**ended)
        store.insert_session(record)
        assert store.rotate_refresh_token(make_rotation(record), NOW) is RotateResult.CONFLICT
        assert store.get_session(record.handle) == record

    def test_rotate_never_extends_past_the_absolute_expiry(self, store: SessionStore) -> None:
        record = make_record(absolute_expires_at=NOW + 100)
        store.insert_session(record)
        far = make_rotation(record, idle_expires_at=NOW + 10_000)
        assert store.rotate_refresh_token(far, NOW) is RotateResult.ROTATED
        assert not store.update_session_data(record.handle, "{}", NOW + 100)
        assert store.delete_expired(NOW + 100, 10) == 1

    def test_racing_rotations_with_one_expectation_rotate_exactly_once(
        self, store: SessionStore
    ) -> None:
        record = make_record()
        store.insert_session(record)
        barrier = threading.Barrier(RACERS)

        def rotate(i: int) -> RotateResult:
            rotation = make_rotation(record, new_hash=bytes([i]) * 32)
            barrier.wait(timeout=30)
            return store.rotate_refresh_token(rotation, NOW)

        with ThreadPoolExecutor(RACERS) as pool:
            results = list(pool.map(rotate, range(RACERS), timeout=60))
        assert results.count(RotateResult.ROTATED) == 1
        winner = results.index(RotateResult.ROTATED)
        stored = store.get_session(record.handle)
        assert stored is not None
        assert (stored.generation, stored.current_hash) == (2, bytes([winner]) * 32)

    # -- data and claims -----------------------------------------------------------

    def test_updates_of_a_live_session_leave_rotation_state_untouched(
        self, store: SessionStore
    ) -> None:
        record = make_record(generation=3, previous_hash=b"\x05" * 32, rotated_at=NOW - 5)
        store.insert_session(record)
        assert store.update_session_data(record.handle, UNICODE_JSON, NOW)
        assert store.update_access_token_claims(record.handle, OTHER_CLAIMS_JSON, NOW)
        assert store.get_session(record.handle) == dataclasses.replace(
            record, session_data_json=UNICODE_JSON, access_token_claims_json=OTHER_CLAIMS_JSON
        )

    @pytest.mark.parametrize("ended", [{"revoked_at": NOW - 1}, {"idle_expires_at": NOW}])
    def test_updates_of_an_ended_session_return_false(
        self, store: SessionStore, ended: dict[str, Any]
    ) -> None:
        record = make_record(**ended)
        store.insert_session(record)
        assert not store.update_session_data(record.handle, '{"x":1}', NOW)
        assert not store.update_access_token_claims(record.handle, '{"x":1}', NOW)
        assert not store.update_session_data("no-such-handle", '{"x":1}', NOW)
        assert store.get_session(record.handle) == record

    # -- revocation ----------------------------------------------------------------

    def test_revoke_returns_exactly_the_handles_that_were_live(self, store: SessionStore) -> None:
        store.insert_session(make_record(handle="a"))
        store.insert_session(make_record(handle="b"))
        store.insert_session(make_record(handle="expired", idle_expires_at=NOW - 1))
        revoked = store.revoke_sessions(["a", "missing", "b", "expired"], NOW)
        assert sorted(revoked) == ["a", "b"]
        assert store.get_session("a") == make_record(handle="a", revoked_at=NOW)
        assert store.get_session("expired") == make_record(
            handle="expired", idle_expires_at=NOW - 1
        )

    def test_revoking_twice_returns_nothing_the_second_time(self, store: SessionStore) -> None:
        store.insert_session(make_record())
        assert store.revoke_sessions(["handle-1"], NOW) == ["handle-1"]
        assert store.revoke_sessions(["handle-1"], NOW + 1) == []
        assert store.get_session("handle-1") == make_record(revoked_at=NOW)

    def test_revoke_many_handles_at_once(self, store: SessionStore) -> None:
        handles = [f"h-{i:05}" for i in range(2500)]
        for handle in handles[::2]:
            store.insert_session(make_record(handle=handle))
        assert sorted(store.revoke_sessions(handles, NOW)) == handles[::2]

    def test_revoke_user_sessions_keeps_one_and_spares_other_users(
        self, store: SessionStore
    ) -> None:
        for handle in ("a1", "a2", "a3"):
            store.insert_session(make_record(handle=handle, user_id="alice"))
        store.insert_session(make_record(handle="b1", user_id="bob"))
        assert sorted(store.revoke_user_sessions("alice", "a2", NOW)) == ["a1", "a3"]
        assert store.list_user_sessions("alice", NOW, None, 10) == [
            make_record(handle="a2", user_id="alice")
        ]
        assert store.revoke_user_sessions("alice", None, NOW) == ["a2"]
        assert store.get_session("b1") == make_record(handle="b1", user_id="bob")

    # -- listing and sweeping ------------------------------------------------------

    def test_list_pages_cover_every_live_session_once_in_order(self, store: SessionStore) -> None:
        live = [("e", NOW - 50), ("c", NOW - 40), ("a", NOW - 40), ("b", NOW - 40), ("d", 1.0)]
        for handle, created_at in live:
            store.insert_session(make_record(handle=handle, created_at=created_at))
        store.insert_session(make_record(handle="0-expired", absolute_expires_at=NOW))
        store.insert_session(make_record(handle="0-revoked", revoked_at=NOW - 1))
        store.insert_session(make_record(handle="0-other", user_id="user-2"))
        pages: list[list[str]] = []
        after: tuple[float, str] | None = None
        while page := store.list_user_sessions("user-1", NOW, after, 2):
            pages.append([record.handle for record in page])
            after = (page[-1].created_at, page[-1].handle)
        assert pages == [["d", "e"], ["a", "b"], ["c"]]

    def test_delete_expired_removes_only_expired_sessions_up_to_limit(
        self, store: SessionStore
    ) -> None:
        expired = {"x1": NOW - 100, "x2": NOW - 1, "x3": NOW}
        for handle, idle in expired.items():
            store.insert_session(make_record(handle=handle, idle_expires_at=idle))
        store.insert_session(make_record(handle="live"))
        # Revoked but unexpired sessions stay, so their tokens still read as "ended".
        store.insert_session(make_record(handle="revoked", revoked_at=NOW - 1))
        assert store.delete_expired(NOW, 2) == 2
        assert store.delete_expired(NOW, 10) == 1
        assert store.delete_expired(NOW, 10) == 0
        assert all(store.get_session(handle) is None for handle in expired)
        assert store.get_session("live") == make_record(handle="live")
        assert store.get_session("revoked") is not None
