"""A revocation whose feed entry cannot be written still succeeds; the sweeper adds the entry.

SQLite only: a trigger makes every insert into the feed fail, as a storage fault
between the revocation and its entry would.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from sessioncore.v1 import session_service_pb2 as pb
from tests.support.core_process import CoreFactory, CoreProcess
from tests.support.feed import Poller, handles_in, revoke
from tests.support.grpc_helpers import (
    assert_outcome,
    assert_session_ended,
    create_session,
    new_user,
    refresh_tokens,
    verify_tokens,
)
from tests.support.waiting import wait_for

SWEEP_INTERVAL_SECONDS = 0.25
SWEEP_BOUND_SECONDS = 8 * SWEEP_INTERVAL_SECONDS


@pytest.fixture(scope="module")
def sweeping_core(core_factory: CoreFactory) -> CoreProcess:
    return core_factory.start(
        {"storage": "sqlite", "sweep_interval_seconds": SWEEP_INTERVAL_SECONDS}
    )


@contextlib.contextmanager
def feed_writes_failing(path: Path) -> Iterator[None]:
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute(
            "CREATE TRIGGER feed_down BEFORE INSERT ON revocation_feed"
            " BEGIN SELECT RAISE(ABORT, 'feed down'); END"
        )
        try:
            yield
        finally:
            conn.execute("DROP TRIGGER feed_down")


def test_revocation_succeeds_and_the_sweeper_adds_the_missing_entry(
    sweeping_core: CoreProcess,
) -> None:
    api = sweeping_core.stub()
    created = create_session(api, new_user("feed-down"))
    handle = created.session.handle
    poller = Poller(api)
    poller.poll()

    with feed_writes_failing(sweeping_core.db_path):
        assert revoke(api, handle) == [handle]
        assert_session_ended(verify_tokens(api, created.tokens, check_database=True))
        assert handle not in handles_in(poller.poll())
    assert wait_for(lambda: handle in handles_in(poller.poll()), timeout=SWEEP_BOUND_SECONDS)
    assert "revocation feed append failed" in sweeping_core.stderr_text()


def test_theft_is_still_answered_when_its_entry_cannot_be_written(
    sweeping_core: CoreProcess,
) -> None:
    api = sweeping_core.stub()
    created = create_session(api, new_user("theft-feed-down"))
    t0 = created.tokens
    t1 = refresh_tokens(api, t0).tokens
    refresh_tokens(api, t1)
    poller = Poller(api)
    poller.poll()

    with feed_writes_failing(sweeping_core.db_path):
        theft = refresh_tokens(api, t0)
    assert_outcome(theft, pb.OUTCOME_TOKEN_THEFT_DETECTED, pb.REASON_TOKEN_REUSED)
    assert wait_for(
        lambda: created.session.handle in handles_in(poller.poll()), timeout=SWEEP_BOUND_SECONDS
    )
    # Reconciled from the session row, which keeps no theft details.
    assert not poller.entry(created.session.handle).HasField("theft")
