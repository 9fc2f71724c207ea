"""Session scenarios B13 (driver part) and B14 against real cores.

B13: stateless verification keeps accepting a revoked session's access token until it
expires, unless the revocation feed or a database check says otherwise; each mode has
its documented latency bound (docs/revocation.md). B14: claims changed mid-session reach
the next access token at once through a regeneration, never by overwriting reserved
claims, and an offline change by handle reaches the next refresh.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from session_core_driver import (
    InvalidRequest,
    SessionCoreClient,
    TryRefreshToken,
    Unauthorised,
)
from tests.conformance.conftest import StartCore
from tests.driver.conftest import MakeVerifier, client_for
from tests.driver.forge import parts
from tests.support.core_process import REPO_ROOT, CoreProcess, environment_without_settings
from tests.support.grpc_helpers import new_user
from tests.support.storage import BackendSupport
from tests.support.storage_writes import writer_for
from tests.support.waiting import sleep_past, wait_for

FEED_BOUND_SECONDS = 2.0
POLL_SECONDS = 0.25


def test_B13_revoked_sessions_under_each_verification_mode(
    client: SessionCoreClient,
    core: CoreProcess,
    backend: BackendSupport,
    make_verifier: MakeVerifier,
) -> None:
    no_feed = make_verifier()
    with_feed = make_verifier(poll=POLL_SECONDS)

    revoked = client.create_session(new_user("b13-revoked"))
    token = revoked.tokens.access_token
    client.revoke_sessions([revoked.session.handle])
    # (a) Without the feed, local verification accepts until exp + leeway (documented).
    assert no_feed.verify(token).handle == revoked.session.handle
    # With the feed (the default), the revocation is seen within the bound.
    assert wait_for(lambda: _refused(with_feed, token), timeout=FEED_BOUND_SECONDS)
    # (b) A database check refuses at once.
    with pytest.raises(Unauthorised) as caught:
        no_feed.verify(token, check_database=True)
    assert caught.value.reason == "session_ended" and caught.value.clear_session

    deleted = client.create_session(new_user("b13-deleted"))
    writer_for(backend.name, core).delete_session(deleted.session.handle)
    # A row deleted behind the core's back writes no feed entry: only the database knows.
    time.sleep(4 * POLL_SECONDS)
    assert with_feed.verify(deleted.tokens.access_token).handle == deleted.session.handle
    with pytest.raises(Unauthorised):
        with_feed.verify(deleted.tokens.access_token, check_database=True)


@pytest.fixture(scope="module")
def short_core(start_core: StartCore) -> CoreProcess:
    """Access tokens live 2-3 s (times are whole seconds), with no leeway."""
    return start_core(access_token_lifetime_seconds=3, leeway_seconds=0)


def test_B13_after_the_access_token_expires_verify_says_refresh_and_refresh_says_unauthorised(
    short_core: CoreProcess, backend: BackendSupport, make_verifier: MakeVerifier
) -> None:
    with client_for(short_core) as short:
        verifier = make_verifier(short, leeway=0)
        revoked = short.create_session(new_user("b13-expiry-revoked"))
        deleted = short.create_session(new_user("b13-expiry-deleted"))
        short.revoke_sessions([revoked.session.handle])
        writer_for(backend.name, short_core).delete_session(deleted.session.handle)
        assert verifier.verify(deleted.tokens.access_token).user_id  # until it expires

        sleep_past(
            max(revoked.tokens.access_token_expires_at, deleted.tokens.access_token_expires_at)
        )
        for created in (revoked, deleted):
            with pytest.raises(TryRefreshToken) as expired:
                verifier.verify(created.tokens.access_token)
            assert expired.value.reason == "expired"
            with pytest.raises(Unauthorised) as refused:
                short.refresh_session(created.tokens.refresh_token)
            assert refused.value.reason == "session_ended" and refused.value.clear_session


def _refused(verifier: object, token: str) -> bool:
    try:
        verifier.verify(token)  # type: ignore[attr-defined]
    except Unauthorised:
        return True
    return False


def test_B14_claims_changed_mid_request_reach_a_new_access_token_at_once(
    client: SessionCoreClient, make_verifier: MakeVerifier
) -> None:
    verifier = make_verifier()
    created = client.create_session(new_user("b14"), access_token_claims={"plan": "free"})
    first = verifier.verify(created.tokens.access_token)
    assert first.claims == {"plan": "free"}

    # "In the handler": store the merged claims and get the new token in one call.
    merged = first.claims | {"role": "admin"}
    token, session = client.regenerate_access_token(created.tokens.access_token, merged)
    assert token is not None and session.claims == {"plan": "free", "role": "admin"}
    # The next request, with the new token, sees the claim without any refresh.
    second = verifier.verify(token)
    assert second.claims == {"plan": "free", "role": "admin"}
    assert (second.handle, second.generation) == (first.handle, first.generation)
    assert parts(token)[1]["role"] == "admin"

    # Removing a key is replacing the claims without it.
    without = {k: v for k, v in second.claims.items() if k != "role"}
    token, session = client.regenerate_access_token(token, without)
    assert token is not None and verifier.verify(token).claims == {"plan": "free"}

    # Reserved claims are refused by the core, never overwritten.
    for reserved in ({"sub": "root"}, {"exp": 4102444800}, {"sid": "x"}, {"sc_gen": 9}):
        with pytest.raises(InvalidRequest) as caught:
            client.regenerate_access_token(token, reserved)
        assert caught.value.field == "access_token_claims_json"
        with pytest.raises(InvalidRequest):
            client.update_access_token_claims(created.session.handle, reserved)
    assert verifier.verify(token).user_id == created.session.user_id
    assert client.get_session(created.session.handle).access_token_claims == {"plan": "free"}


_UPDATER = """
import json, sys
from session_core_driver import SessionCoreClient
target, key, handle, claims = sys.argv[1:]
with SessionCoreClient(target, api_key=key) as client:
    client.update_access_token_claims(handle, json.loads(claims))
"""


def test_B14_claims_updated_by_handle_from_another_process_arrive_with_the_next_refresh(
    client: SessionCoreClient, core: CoreProcess, make_verifier: MakeVerifier
) -> None:
    verifier = make_verifier()
    created = client.create_session(new_user("b14-offline"), access_token_claims={"plan": "free"})
    done = subprocess.run(
        [
            *(sys.executable, "-c", _UPDATER, core.target, core.secrets.api_keys[0]),
            *(created.session.handle, '{"plan": "pro"}'),
        ],
        cwd=REPO_ROOT,
        env=environment_without_settings(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # The token already issued keeps its claims; a database check says they are outdated.
    assert verifier.verify(created.tokens.access_token).claims == {"plan": "free"}
    assert verifier.verify(created.tokens.access_token, check_database=True).claims_outdated
    refreshed = client.refresh_session(created.tokens.refresh_token)
    assert verifier.verify(refreshed.tokens.access_token).claims == {"plan": "pro"}
    assert refreshed.session.access_token_claims == {"plan": "pro"}
