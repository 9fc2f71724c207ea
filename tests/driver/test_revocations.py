"""The revocation feed as the driver's verifier uses it, against real cores.

Bounds: the feed must reject a revoked session within 2 s (DESIGN section 5); the tests
poll every 0.25 s, so the bound leaves a margin of 8 poll intervals.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from session_core_driver import (
    CoreUnavailable,
    JwksCache,
    RevocationPoller,
    SessionCoreClient,
    SessionVerifier,
    TryRefreshToken,
    Unauthorised,
)
from tests.conformance.conftest import StartCore
from tests.driver.conftest import MakeVerifier, client_for
from tests.support.core_process import REPO_ROOT, CoreProcess, environment_without_settings
from tests.support.grpc_helpers import new_user
from tests.support.keys import kid_of, run_operator
from tests.support.storage import BackendSupport
from tests.support.storage_writes import writer_for
from tests.support.waiting import wait_for

POLL_SECONDS = 0.25
BOUND_SECONDS = 2.0  # >= 4 x POLL_SECONDS, as the documented p99 target
SUBPROCESS_TIMEOUT_SECONDS = 60.0

# Revokes handles through the driver in a process of its own, then prints when it returned.
_REVOKER = """
import sys, time
from session_core_driver import SessionCoreClient
target, key, *handles = sys.argv[1:]
with SessionCoreClient(target, api_key=key) as client:
    assert client.revoke_sessions(handles) == handles
    print(time.time(), flush=True)
"""


def revoke_elsewhere(core: CoreProcess, *handles: str) -> float:
    """Revoke `handles` from another OS process; the wall time its RevokeSessions returned."""
    done = subprocess.run(
        [sys.executable, "-c", _REVOKER, core.target, core.secrets.api_keys[0], *handles],
        cwd=REPO_ROOT,
        env=environment_without_settings(),
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return float(done.stdout.strip())


def rejected_at(verifier: SessionVerifier, token: str, bound: float) -> float | None:
    """Verify `token` every 10 ms until Unauthorised; the wall time it happened (None: never)."""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        try:
            verifier.verify(token)
        except Unauthorised as exc:
            assert exc.reason == "session_ended" and exc.clear_session
            return time.time()
        time.sleep(0.01)
    return None


def test_a_session_revoked_from_another_process_is_rejected_within_2_s(
    client: SessionCoreClient, core: CoreProcess, make_verifier: MakeVerifier
) -> None:
    verifier = make_verifier(poll=POLL_SECONDS)
    for trial in range(3):
        created = client.create_session(new_user(f"feed-{trial}"))
        token = created.tokens.access_token
        assert verifier.verify(token).handle == created.session.handle
        revoked_at = revoke_elsewhere(core, created.session.handle)
        seen = rejected_at(verifier, token, bound=BOUND_SECONDS + 5)
        assert seen is not None, "never rejected"
        assert seen - revoked_at < BOUND_SECONDS, f"rejected {seen - revoked_at:.2f} s late"
    assert verifier.revocations is not None and verifier.revocations.healthy


def test_fail_open_keeps_verifying_locally_and_fail_closed_refuses_when_the_core_stops(
    start_core: StartCore, make_verifier: MakeVerifier, caplog: pytest.LogCaptureFixture
) -> None:
    doomed = start_core()
    with client_for(doomed, timeout=1.0) as doomed_client:
        feed = {"poll": 0.1, "max_staleness": 0.5}
        fail_open = make_verifier(doomed_client, **feed)
        fail_closed = make_verifier(doomed_client, fail_closed=True, **feed)
        token = doomed_client.create_session(new_user("outage")).tokens.access_token
        for verifier in (fail_open, fail_closed):
            assert verifier.verify(token).user_id
            assert verifier.revocations is not None and verifier.revocations.healthy
        doomed.stop()
        assert wait_for(lambda: not fail_open.revocations.healthy, timeout=5)  # type: ignore[union-attr]
        assert wait_for(lambda: not fail_closed.revocations.healthy, timeout=5)  # type: ignore[union-attr]

        with caplog.at_level(logging.WARNING, logger="session_core_driver"):
            assert fail_open.verify(token).user_id
            assert fail_open.verify(token).user_id
        warnings = [r for r in caplog.records if "fail-open" in r.getMessage()]
        assert len(warnings) == 1, "warned once, not per request"
        assert token not in caplog.text
        with pytest.raises(CoreUnavailable):
            fail_closed.verify(token)


def test_an_unhealthy_feed_fails_closed_to_the_database_or_open_to_local_checks(
    client: SessionCoreClient, core: CoreProcess, backend: BackendSupport
) -> None:
    # The feed is read with a key the core refuses (a real misconfiguration): it never loads.
    with client_for(core, api_key="sck-not-configured") as refused:
        closed = RevocationPoller(refused, interval=0.1, fail_closed=True, startup_wait=0.3)
        opened = RevocationPoller(refused, interval=0.1, startup_wait=0.3)
        try:
            fail_closed = SessionVerifier(client, revocations=closed)
            fail_open = SessionVerifier(client, revocations=opened)
            live = client.create_session(new_user("live")).tokens.access_token
            gone = client.create_session(new_user("gone"))
            writer_for(backend.name, core).delete_session(gone.session.handle)
            assert not closed.healthy and not opened.healthy
            assert fail_closed.verify(live).user_id
            with pytest.raises(Unauthorised):  # the database check sees the row is gone
                fail_closed.verify(gone.tokens.access_token)
            assert fail_open.verify(gone.tokens.access_token).user_id
        finally:
            closed.stop()
            opened.stop()


@pytest.fixture(scope="module")
def lagging_core(start_core: StartCore) -> CoreProcess:
    """A core that rereads its keys only every 60 s: it keeps publishing a revoked key."""
    return start_core(key_poll_interval_seconds=60)


def test_a_revoked_kid_is_never_re_added_by_a_jwks_refetch(
    lagging_core: CoreProcess, make_verifier: MakeVerifier
) -> None:
    with client_for(lagging_core) as lagging:
        verifier = make_verifier(lagging, poll=POLL_SECONDS)
        token = lagging.create_session(new_user("kid")).tokens.access_token
        kid = kid_of(token)
        assert verifier.verify(token).user_id and kid in verifier.jwks.key_ids()

        run_operator(lagging_core, "keys", "revoke", kid).ok()
        poller = verifier.revocations
        assert poller is not None
        assert wait_for(lambda: poller.is_key_revoked(kid), timeout=BOUND_SECONDS)
        with pytest.raises(TryRefreshToken) as caught:
            verifier.verify(token)
        assert caught.value.reason == "key_revoked"

        # The lagging core still publishes the key; a refetch must not bring it back.
        assert f'"kid":"{kid}"' in lagging.get_jwks()[0], "precondition: still published"
        verifier.jwks.refresh()
        assert kid not in verifier.jwks.key_ids() and verifier.jwks.get(kid) is None
        with pytest.raises(TryRefreshToken):
            verifier.verify(token)
        # A cache told nothing of the revocation would hold it: the feed is what keeps it out.
        unaware = JwksCache(lagging)
        unaware.refresh()
        assert kid in unaware.key_ids()


def test_an_entry_committed_too_late_for_the_overlap_is_caught_by_the_periodic_snapshot(
    client: SessionCoreClient, core: CoreProcess, backend: BackendSupport
) -> None:
    reloading = RevocationPoller(client, interval=0.1, snapshot_interval=1.0)
    incremental = RevocationPoller(client, interval=0.1, snapshot_interval=3600.0)
    try:
        assert reloading.wait_ready(5) and incremental.wait_ready(5)
        handle = client.create_session(new_user("late")).session.handle
        now = time.time()
        # Recorded two minutes ago (before any overlap window), committed only now.
        writer_for(backend.name, core).append_late_entry(handle, now, now + 3600, now - 120)
        assert wait_for(lambda: reloading.is_revoked(handle), timeout=3.0)
        assert not incremental.is_revoked(handle), "only a snapshot can see such an entry"
    finally:
        reloading.stop()
        incremental.stop()


@pytest.fixture
def started_poller(client: SessionCoreClient) -> Iterator[RevocationPoller]:
    poller = RevocationPoller(client, interval=POLL_SECONDS)
    poller.start()
    yield poller
    poller.stop()


def test_a_poller_started_before_a_fork_works_in_the_child(
    client: SessionCoreClient, started_poller: RevocationPoller
) -> None:
    verifier = SessionVerifier(client, revocations=started_poller)
    parent_session = client.create_session(new_user("parent"))
    assert verifier.verify(parent_session.tokens.access_token).user_id
    assert started_poller.wait_ready(5) and started_poller.healthy

    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 1
        try:
            created = client.create_session(new_user("child"))
            assert verifier.verify(created.tokens.access_token).user_id
            client.revoke_sessions([created.session.handle])
            revoked = time.time()
            seen = rejected_at(verifier, created.tokens.access_token, bound=BOUND_SECONDS + 5)
            code = 0 if seen is not None and seen - revoked < BOUND_SECONDS else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    # The parent's poller was not disturbed by the child.
    client.revoke_sessions([parent_session.session.handle])
    assert rejected_at(verifier, parent_session.tokens.access_token, BOUND_SECONDS) is not None
