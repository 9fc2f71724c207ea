"""Idle and absolute expiry, and the sweeper (C17, A25).

The expiry core idles sessions out after 2 s and sweeps only every 60 s, so expired rows
stay in storage and reads must filter them; the sweeper core sweeps every 0.5 s.
"""

from __future__ import annotations

import time

import pytest

from sessioncore.v1 import session_service_pb2 as pb
from tests.conformance.conftest import StartCore
from tests.support.core_process import CoreProcess
from tests.support.grpc_helpers import (
    Api,
    assert_outcome,
    assert_session_ended,
    create_session,
    get_session,
    listed_handles,
    new_user,
    refresh_tokens,
    seconds,
)
from tests.support.storage import BackendSupport, rows_for
from tests.support.tokens import decode_jwt
from tests.support.waiting import sleep_past, sleep_until, wait_for

IDLE_SECONDS = 2
SWEEPER_IDLE_SECONDS = 3
SWEEP_INTERVAL_SECONDS = 0.5
# The sweeper must act within this bound (5x its interval) once a session expired.
SWEEP_BOUND_SECONDS = 5 * SWEEP_INTERVAL_SECONDS


@pytest.fixture(scope="module")
def idle_core(start_core: StartCore) -> CoreProcess:
    return start_core(
        access_token_lifetime_seconds=1, leeway_seconds=0, idle_lifetime_seconds=IDLE_SECONDS
    )


@pytest.fixture(scope="module")
def idle_api(idle_core: CoreProcess) -> Api:
    return idle_core.stub()


def end_updates(api: Api, handle: str) -> None:
    """UpdateSessionData and UpdateAccessTokenClaims both answer that the session ended."""
    data = pb.UpdateSessionDataRequest(handle=handle, session_data_json='{"a": 1}')
    assert_session_ended(api.UpdateSessionData(data))
    claims = pb.UpdateAccessTokenClaimsRequest(handle=handle, access_token_claims_json="{}")
    assert_session_ended(api.UpdateAccessTokenClaims(claims))


def test_C17_expired_session_is_not_listed_read_or_updated(
    idle_api: Api, idle_core: CoreProcess, backend: BackendSupport
) -> None:
    user = new_user("c17")
    created = create_session(idle_api, user, anti_csrf=True)
    handle, session = created.session.handle, created.session
    assert seconds(session.idle_expires_at) - seconds(session.created_at) == pytest.approx(
        IDLE_SECONDS, abs=1e-3
    )
    assert listed_handles(idle_api, user) == [handle]

    sleep_past(seconds(session.idle_expires_at), margin=0.3)
    assert listed_handles(idle_api, user) == []
    assert_session_ended(get_session(idle_api, handle))
    end_updates(idle_api, handle)
    assert_session_ended(refresh_tokens(idle_api, created.tokens))
    # Still stored (no sweep yet): the reads above filtered on expiry themselves.
    assert len(rows_for(backend.inspector(idle_core), handle)) == 1


def test_C17_sweeper_deletes_expired_sessions(
    start_core: StartCore, backend: BackendSupport
) -> None:
    core = start_core(
        idle_lifetime_seconds=SWEEPER_IDLE_SECONDS, sweep_interval_seconds=SWEEP_INTERVAL_SECONDS
    )
    api, inspector = core.stub(), backend.inspector(core)
    expiring = create_session(api, new_user("c17-sweep"))
    handle = expiring.session.handle
    assert len(rows_for(inspector, handle)) == 1

    sleep_past(seconds(expiring.session.idle_expires_at), margin=0.05)
    fresh = create_session(api, new_user("c17-fresh")).session
    assert wait_for(lambda: not rows_for(inspector, handle), timeout=SWEEP_BOUND_SECONDS)
    assert time.time() < seconds(fresh.idle_expires_at)
    assert len(rows_for(inspector, fresh.handle)) == 1  # Live sessions are kept.


def _refresh_ok(api: Api, tokens: pb.Tokens) -> pb.RefreshSessionResponse:
    response = refresh_tokens(api, tokens)
    assert_outcome(response, pb.OUTCOME_OK)
    return response


def test_A25_refresh_after_the_idle_timeout(idle_api: Api) -> None:
    user = new_user("a25-idle")
    idle = create_session(idle_api, user, anti_csrf=True)
    active = create_session(idle_api, user, anti_csrf=True)
    start = seconds(idle.session.created_at)

    sleep_until(start + 1.0)
    kept = _refresh_ok(idle_api, active.tokens)  # slides its idle expiry to ~3 s
    sleep_past(seconds(idle.session.idle_expires_at), margin=0.4)
    assert time.time() < seconds(kept.session.idle_expires_at) - 0.2

    assert_session_ended(refresh_tokens(idle_api, idle.tokens))
    assert listed_handles(idle_api, user) == [active.session.handle]
    _refresh_ok(idle_api, kept.tokens)


def test_A25_refresh_past_the_absolute_expiry_of_an_active_session(idle_api: Api) -> None:
    user = new_user("a25-absolute")
    created = create_session(idle_api, user, anti_csrf=False, absolute_lifetime_seconds=3)
    start, absolute = seconds(created.session.created_at), created.session.absolute_expires_at
    assert seconds(absolute) - start == pytest.approx(3, abs=1e-3)

    tokens = created.tokens
    for offset in (0.8, 1.6, 2.4):
        sleep_until(start + offset)
        response = _refresh_ok(idle_api, tokens)
        tokens = response.tokens
        assert seconds(tokens.refresh_token.expires_at) <= seconds(absolute) + 1e-3
        assert decode_jwt(tokens.access_token.token).payload["exp"] <= seconds(absolute)
    # By the idle rule alone the last refresh keeps it until ~4.4 s: only the absolute
    # expiry can end it at 3.3 s.
    assert seconds(response.session.last_refreshed_at) + IDLE_SECONDS > seconds(absolute) + 1
    sleep_past(seconds(absolute), margin=0.3)

    assert_session_ended(refresh_tokens(idle_api, tokens))
    assert listed_handles(idle_api, user) == []
    assert_session_ended(get_session(idle_api, created.session.handle))
