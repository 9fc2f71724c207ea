"""The MongoDB store while its server crashes, restarts or hangs on a lock.

A server of this module's own (not the run's shared one) is killed and started again
under a store that stays open, as a core process would keep it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from core_server import deadlines
from core_server.domain.models import RotateResult
from core_server.storage.errors import StorageTimeout, StorageUnavailable
from core_server.storage.testing_records import NOW, make_record, make_rotation
from session_core_mongodb import MongoStore
from session_core_mongodb.url import DEFAULT_OPTIONS
from tests.support.ferretdb import FerretDBServer, database_of

SELECTION_SECONDS = DEFAULT_OPTIONS["serverSelectionTimeoutMS"] / 1000
RECOVERY_BOUND_SECONDS = 10.0


@pytest.fixture(scope="module")
def server() -> Iterator[FerretDBServer]:
    server = FerretDBServer.create()
    yield server
    server.destroy()


@pytest.fixture
def url(server: FerretDBServer) -> str:
    if not server.is_running():
        server.start()  # a test failed while it was down
    return server.fresh_url()


@pytest.fixture
def store(url: str) -> Iterator[MongoStore]:
    store = MongoStore.from_url(url)
    yield store
    store.close()


def once_back(store: MongoStore, handle: str) -> None:
    """Read as a retrying caller would, until the server answers again (bounded)."""
    give_up = time.monotonic() + RECOVERY_BOUND_SECONDS
    while True:
        try:
            store.get_session(handle)
            return
        except StorageUnavailable:
            if time.monotonic() > give_up:
                raise
        time.sleep(0.1)


def test_a_killed_server_is_unavailable_fast_and_the_same_store_recovers(
    server: FerretDBServer, store: MongoStore
) -> None:
    record = make_record()
    store.insert_session(record)
    server.kill()
    try:
        for call in (lambda: store.get_session(record.handle), lambda: store.read_feed(None)):
            started = time.monotonic()
            with pytest.raises(StorageUnavailable) as info:
                call()
            assert not isinstance(info.value, StorageTimeout)
            assert time.monotonic() - started < SELECTION_SECONDS + 1
    finally:
        server.start()
    once_back(store, record.handle)
    assert store.get_session(record.handle) == record  # the crash lost nothing acknowledged
    assert store.rotate_refresh_token(make_rotation(record), NOW) is RotateResult.ROTATED


def test_a_deadline_shorter_than_the_outage_is_a_timeout(
    server: FerretDBServer, store: MongoStore
) -> None:
    server.kill()
    try:
        with pytest.raises(StorageUnavailable):  # the client learns the server is gone
            store.get_session("handle-1")
        started = time.monotonic()
        with deadlines.deadline_in(0.3), pytest.raises(StorageTimeout):
            store.get_session("handle-1")
        assert time.monotonic() - started < 1.5
    finally:
        server.start()


def test_a_write_stuck_on_a_lock_ends_at_the_deadline(
    server: FerretDBServer, url: str, store: MongoStore
) -> None:
    store.insert_session(make_record(handle="first"))  # the database file exists now
    with server.write_lock(database_of(url)):
        started = time.monotonic()
        with deadlines.deadline_in(0.5), pytest.raises(StorageTimeout):
            store.insert_session(make_record())
        assert time.monotonic() - started < 2
        assert store.get_session("first") is not None  # reads go on meanwhile
    once_back(store, "first")
    store.insert_session(make_record(handle="after"))
