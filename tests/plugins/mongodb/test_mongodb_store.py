"""The MongoDB plugin on FerretDB: the shared contract and races, plus what a server shows.

Every store gets a database of its own on the run's FerretDB server. Beyond the
contract: two stores (two processes) racing, untrusted values that look like query
operators, idempotent index creation, bounded rotation records, a sweep cut short, and
the server killed, locked and restarted under the store.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from core_server.domain.models import RotateResult
from core_server.storage import registry
from core_server.storage.testing import StoreContract
from core_server.storage.testing_records import NOW, make_key, make_record, make_rotation
from session_core_mongodb import MongoStore
from session_core_mongodb.documents import record_id
from session_core_mongodb.sessions import PRUNE_AFTER_SECONDS
from tests.plugins.store_races import StoreRaces
from tests.support.ferretdb import FerretDBServer, database_of

RACERS = 8
# Strings that would be operators or code if they ever reached a query as documents.
OPERATOR_LOOKALIKES = ['{"$ne": ""}', "$where", "$gt", "this.user_id != ''", "a.b", "$"]


@pytest.fixture
def url(ferretdb_server: FerretDBServer) -> str:
    """The URL of a fresh, empty database."""
    return ferretdb_server.fresh_url()


@pytest.fixture
def mongo_store(url: str) -> Iterator[MongoStore]:
    store = MongoStore.from_url(url)
    yield store
    store.close()


class TestMongoStore(StoreContract, StoreRaces):
    @pytest.fixture
    def store(self, mongo_store: MongoStore) -> MongoStore:
        return mongo_store


def raw(server: FerretDBServer, url: str, collection: str, query: dict[str, Any]) -> list[Any]:
    with server.client() as client:
        return list(client[database_of(url)][collection].find(query))


def test_registry_opens_the_mongodb_plugin(url: str) -> None:
    assert registry.load("mongodb") is MongoStore
    store = registry.open_store("mongodb", url)
    try:
        assert store.get_session("missing") is None
    finally:
        store.close()


def test_two_processes_racing_rotations_rotate_exactly_once(url: str) -> None:
    """Two stores on one database stand for two core processes with their own clients."""
    stores = [MongoStore.from_url(url) for _ in range(2)]
    try:
        record = make_record()
        stores[0].insert_session(record)
        barrier = threading.Barrier(RACERS)

        def rotate(i: int) -> RotateResult:
            rotation = make_rotation(record, new_hash=bytes([i]) * 32)
            barrier.wait(timeout=30)
            return stores[i % 2].rotate_refresh_token(rotation, NOW)

        with ThreadPoolExecutor(RACERS) as pool:
            results = list(pool.map(rotate, range(RACERS), timeout=60))
        assert results.count(RotateResult.ROTATED) == 1
        winner = results.index(RotateResult.ROTATED)
        for store in stores:
            stored = store.get_session(record.handle)
            assert stored is not None
            assert (stored.generation, stored.current_hash) == (2, bytes([winner]) * 32)
    finally:
        for store in stores:
            store.close()


def test_values_that_look_like_operators_are_plain_strings(mongo_store: MongoStore) -> None:
    for i, user_id in enumerate(OPERATOR_LOOKALIKES):
        mongo_store.insert_session(make_record(handle=f"op-{i}", user_id=user_id))
    mongo_store.insert_session(make_record(handle="bystander", user_id="user-1"))
    for i, user_id in enumerate(OPERATOR_LOOKALIKES):
        listed = mongo_store.list_user_sessions(user_id, NOW, None, 50)
        assert [record.handle for record in listed] == [f"op-{i}"]
    assert mongo_store.revoke_user_sessions('{"$ne": ""}', None, NOW) == ["op-0"]
    assert mongo_store.revoke_sessions(["$where", '{"$ne": ""}'], NOW) == []
    live = mongo_store.get_session("bystander")
    assert live is not None and live.revoked_at is None


@pytest.mark.parametrize("not_text", [{"$ne": ""}, ["a"], 7])
def test_a_query_document_is_refused_before_any_query(
    mongo_store: MongoStore, not_text: Any
) -> None:
    mongo_store.insert_session(make_record())
    with pytest.raises(TypeError):
        mongo_store.list_user_sessions(not_text, NOW, None, 10)
    with pytest.raises(TypeError):
        mongo_store.get_session(not_text)


def test_opening_twice_creates_the_indexes_once(url: str, ferretdb_server: FerretDBServer) -> None:
    for _ in range(2):
        MongoStore.from_url(url).close()
    with ferretdb_server.client() as client:
        names = set(client[database_of(url)]["rotations"].index_information())
    assert {"_id_", "one_record_per_generation", "by_expiry"} <= names


def test_rotation_records_stay_few_however_often_a_session_rotates(
    mongo_store: MongoStore, url: str, ferretdb_server: FerretDBServer
) -> None:
    record = make_record(absolute_expires_at=NOW + 10 * PRUNE_AFTER_SECONDS)
    mongo_store.insert_session(record)
    step = PRUNE_AFTER_SECONDS / 4
    for n in range(1, 21):
        now = NOW + n * step
        current = mongo_store.get_session(record.handle)
        assert current is not None
        rotation = make_rotation(
            current, new_hash=n.to_bytes(32, "big"), rotated_at=now, idle_expires_at=now + step * 2
        )
        assert mongo_store.rotate_refresh_token(rotation, now) is RotateResult.ROTATED
    records = raw(ferretdb_server, url, "rotations", {"h": record.handle})
    # Written within the last PRUNE_AFTER_SECONDS: the newest and the four before it.
    assert sorted(doc["g"] for doc in records) == list(range(17, 22))
    assert sum(1 for doc in records if not doc.get("superseded")) == 1


def test_a_sweep_cut_short_is_finished_by_the_next(
    mongo_store: MongoStore, url: str, ferretdb_server: FerretDBServer
) -> None:
    record = make_record(idle_expires_at=NOW - 1)
    mongo_store.insert_session(record)
    marker = {"_id": record_id(record.handle, 2), "h": record.handle, "g": 2, "since": NOW}
    marker |= {"swept": True}
    marker |= {"absolute_expires_at": NOW, "expires_at": NOW - 1}
    with ferretdb_server.client() as client:
        client[database_of(url)]["rotations"].insert_one(marker)  # then the sweeper died
    assert mongo_store.get_session(record.handle) is None
    assert mongo_store.delete_expired(NOW, 10) == 1
    for collection in ("sessions", "session_data", "session_claims"):
        assert raw(ferretdb_server, url, collection, {}) == []
    assert [doc["g"] for doc in raw(ferretdb_server, url, "rotations", {})] == [2]
    # The marker keeps generation 2 from a late rotation until it is old.
    mongo_store.delete_expired(NOW + PRUNE_AFTER_SECONDS + 1, 10)
    assert raw(ferretdb_server, url, "rotations", {}) == []


KEY_ROUNDS = 10


def race(racers: int, act: Callable[[int], bool]) -> list[bool]:
    barrier = threading.Barrier(racers)

    def one(i: int) -> bool:
        barrier.wait(timeout=30)
        return act(i)

    with ThreadPoolExecutor(racers) as pool:
        return list(pool.map(one, range(racers), timeout=60))


def test_key_revocations_and_rewraps_have_one_winner_round_after_round(
    mongo_store: MongoStore,
) -> None:
    """Where a conditional update could let two racers "win", the unique inserts do not."""
    for n in range(KEY_ROUNDS):
        key_id = f"key-{n}"
        assert mongo_store.insert_key(make_key(key_id=key_id, slot=f"signing/{n + 1}"))

        def revoke(i: int, key_id: str = key_id) -> bool:
            return mongo_store.revoke_key(key_id, NOW + i)

        revoked = race(RACERS, revoke)
        assert revoked.count(True) == 1
        wrapper = "kek-1"
        for step in range(3):  # each step re-wraps from the wrapper the last one won

            def rewrap(i: int, key_id: str = key_id, wrapper: str = wrapper, s: int = step) -> bool:
                return mongo_store.rewrap_key(key_id, wrapper, bytes([i, s]) * 20, f"kek-{s}-{i}")

            won = race(RACERS, rewrap)
            assert won.count(True) == 1
            wrapper = f"kek-{step}-{won.index(True)}"
        (stored,) = [k for k in mongo_store.list_keys() if k.key_id == key_id]
        assert stored.revoked_at == NOW + revoked.index(True)
        assert stored.wrapping_key_id == wrapper
