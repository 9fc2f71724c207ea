"""Keeping the revocation feed whole: the sweeper's upkeep and polls across processes.

The sweeper prunes entries past their retention and adds entries for revocations that
lack one (a crash between a revocation and its entry). Two core processes on one
storage stand for a deployment; entries committed late must still reach a poller, and
a poller de-duplicating by sequence sees each revocation exactly once.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conformance.conftest import StartCore
from tests.support.core_process import CoreFactory, CoreProcess
from tests.support.feed import Poller, handles_in, revoke
from tests.support.grpc_helpers import create_session, new_user, seconds
from tests.support.storage import BackendSupport, StorageInspector, rows_for, session_row
from tests.support.storage_writes import writer_for
from tests.support.waiting import sleep_past, wait_for

RETENTION_SECONDS = 3  # access-token lifetime 3 s, no leeway
SWEEP_INTERVAL_SECONDS = 0.25
# The sweeper must act within this bound (8x its interval) once there is work.
SWEEP_BOUND_SECONDS = 8 * SWEEP_INTERVAL_SECONDS
REVOCATIONS_PER_CORE = 12
LATE_BY_SECONDS = 0.5


@pytest.fixture(scope="module")
def sweeping_core(start_core: StartCore) -> CoreProcess:
    return start_core(
        access_token_lifetime_seconds=RETENTION_SECONDS,
        leeway_seconds=0,
        sweep_interval_seconds=SWEEP_INTERVAL_SECONDS,
    )


@pytest.fixture(scope="module")
def two_cores(
    start_core: StartCore, core_factory: CoreFactory, backend: BackendSupport
) -> tuple[CoreProcess, CoreProcess]:
    """Two core processes of one deployment on the same storage."""
    first = start_core()
    shared = {"storage": backend.name, "storage_url": first.config["storage_url"]}
    return first, core_factory.start(shared)


def feed_rows(inspector: StorageInspector, handle: str) -> int:
    """How many stored rows name the handle besides its session row."""
    return len(rows_for(inspector, handle)) - 1


@pytest.mark.slow
def test_sweeper_prunes_feed_entries_past_their_retention(
    sweeping_core: CoreProcess, backend: BackendSupport
) -> None:
    api, inspector = sweeping_core.stub(), backend.inspector(sweeping_core)
    handle = create_session(api, new_user("prune")).session.handle
    poller = Poller(api)
    poller.poll()
    revoke(api, handle)
    poller.poll()
    revoked_at = seconds(poller.entry(handle).revoked_at)
    assert feed_rows(inspector, handle) == 1

    sleep_past(revoked_at + RETENTION_SECONDS, margin=0)
    assert wait_for(lambda: feed_rows(inspector, handle) == 0, timeout=SWEEP_BOUND_SECONDS)
    assert session_row(inspector, handle).values["revoked_at"] is not None
    # Past the retention, reconciliation must not add the entry back.
    time.sleep(4 * SWEEP_INTERVAL_SECONDS)
    assert feed_rows(inspector, handle) == 0


def test_sweeper_adds_the_entry_of_a_revocation_written_without_one(
    sweeping_core: CoreProcess, backend: BackendSupport
) -> None:
    api = sweeping_core.stub()
    handle = create_session(api, new_user("reconcile")).session.handle
    poller = Poller(api)
    poller.poll()
    revoked_at = time.time() - 0.123456  # a value only this write could have produced

    writer_for(backend.name, sweeping_core).revoke_without_feed(handle, revoked_at)
    assert wait_for(
        lambda: handle in handles_in(poller.poll()), timeout=SWEEP_BOUND_SECONDS, interval=0.05
    )
    entry = poller.entry(handle)
    assert seconds(entry.revoked_at) == pytest.approx(revoked_at, abs=1e-6)
    assert not entry.HasField("theft")


def test_feed_sees_out_of_order_commits_exactly_once(
    two_cores: tuple[CoreProcess, CoreProcess], backend: BackendSupport
) -> None:
    first, second = two_cores
    api = first.stub()
    on_time, late = (create_session(api, new_user("order")).session.handle for _ in range(2))
    poller = Poller(second.stub())
    poller.poll()
    revoke(api, on_time)
    assert on_time in handles_in(poller.poll())

    # A revocation recorded before `on_time` commits only now, after the poller read
    # past it (on SQLite commits serialise, so this is written by hand).
    writer = writer_for(backend.name, first)
    recorded = writer.recorded_at(on_time) - LATE_BY_SECONDS
    writer.revoke_without_feed(late, recorded)
    writer.append_late_entry(late, recorded, recorded + 900, recorded)
    assert late in handles_in(poller.poll())
    assert sorted(h for h in poller.handles() if h in (on_time, late)) == sorted([on_time, late])


def test_a_revocation_blocked_behind_a_writer_is_not_skipped(
    two_cores: tuple[CoreProcess, CoreProcess], backend: BackendSupport
) -> None:
    first, second = two_cores
    api = first.stub()
    handle = create_session(api, new_user("blocked")).session.handle
    poller = Poller(second.stub())
    poller.poll()

    with ThreadPoolExecutor(1) as pool:
        with backend.inspector(first).write_lock():
            pending = pool.submit(revoke, api, handle)
            # The poller moves its cursor on while the revocation waits to commit.
            assert handle not in handles_in(poller.poll())
            assert not pending.done()
        assert pending.result(timeout=30) == [handle]
    assert handle in handles_in(poller.poll())


def test_concurrent_revocations_on_two_cores_are_each_seen_once(
    two_cores: tuple[CoreProcess, CoreProcess],
) -> None:
    apis = [core.stub() for core in two_cores]
    batches = [
        [create_session(a, new_user("both")).session.handle for _ in range(REVOCATIONS_PER_CORE)]
        for a in apis
    ]
    poller = Poller(apis[1])
    poller.poll()

    def revoke_each(index: int) -> None:
        for handle in batches[index]:
            assert revoke(apis[index], handle) == [handle]

    with ThreadPoolExecutor(2) as pool:
        writers = [pool.submit(revoke_each, i) for i in range(2)]
        while not all(w.done() for w in writers):
            poller.poll()
        for writer in writers:
            writer.result()
    poller.poll()
    ours = set(batches[0]) | set(batches[1])
    assert sorted(h for h in poller.handles() if h in ours) == sorted(ours)
