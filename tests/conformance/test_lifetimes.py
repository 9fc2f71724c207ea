"""Session and token lifetimes: refresh cycles (C22) and "remember me" (C28)."""

from __future__ import annotations

import pytest

from sessioncore.v1 import session_service_pb2 as pb
from tests.conformance.conftest import StartCore
from tests.support.grpc_helpers import (
    Api,
    assert_outcome,
    assert_session_ended,
    create_session,
    new_user,
    refresh_tokens,
    seconds,
    verify_tokens,
)
from tests.support.storage import BackendSupport, rows_for, session_row
from tests.support.tokens import decode_jwt
from tests.support.waiting import sleep_past, sleep_until

DEFAULT_IDLE_SECONDS = 1_209_600
DEFAULT_ABSOLUTE_SECONDS = 7_776_000
DEFAULT_ACCESS_TOKEN_SECONDS = 900
CYCLE_AT_SECONDS = 3
CYCLE_IDLE_SECONDS = 6


def assert_slid(response: pb.RefreshSessionResponse, idle_seconds: int) -> None:
    """After a refresh the idle expiry, and with it the RT's expiry, restart from now."""
    session = response.session
    expected = seconds(session.last_refreshed_at) + idle_seconds
    assert seconds(session.idle_expires_at) == pytest.approx(expected, abs=1e-3)
    assert response.tokens.refresh_token.expires_at == session.idle_expires_at


@pytest.mark.slow
def test_C22_five_refresh_cycles_keep_one_row_and_slide_expiry(
    start_core: StartCore, backend: BackendSupport
) -> None:
    core = start_core(
        access_token_lifetime_seconds=CYCLE_AT_SECONDS,
        leeway_seconds=0,
        idle_lifetime_seconds=CYCLE_IDLE_SECONDS,
    )
    api, inspector = core.stub(), backend.inspector(core)
    created = create_session(api, new_user("c22"), claims={"c": 22}, anti_csrf=True)
    handle, tokens = created.session.handle, created.tokens
    rt_expiries = [seconds(tokens.refresh_token.expires_at)]

    for cycle in range(1, 6):
        for _ in range(2):
            assert_outcome(verify_tokens(api, tokens), pb.OUTCOME_OK)
        exp = decode_jwt(tokens.access_token.token).payload["exp"]
        sleep_past(exp)
        expired = verify_tokens(api, tokens)
        assert_outcome(expired, pb.OUTCOME_TRY_REFRESH_TOKEN, pb.REASON_EXPIRED_TOKEN)
        response = refresh_tokens(api, tokens)
        assert_outcome(response, pb.OUTCOME_OK)
        assert_slid(response, CYCLE_IDLE_SECONDS)
        tokens = response.tokens
        rt_expiries.append(seconds(tokens.refresh_token.expires_at))
        assert len(rows_for(inspector, handle)) == 1
        assert session_row(inspector, handle).values["generation"] == cycle
    assert rt_expiries == sorted(rt_expiries) and len(set(rt_expiries)) == 6
    # Five cycles outlast the 6 s idle lifetime many times over: only sliding kept it.
    assert rt_expiries[-1] - rt_expiries[0] > 2 * CYCLE_IDLE_SECONDS


@pytest.mark.slow
def test_C22_absolute_cap_ends_a_constantly_refreshed_session(start_core: StartCore) -> None:
    core = start_core(access_token_lifetime_seconds=1, leeway_seconds=0, idle_lifetime_seconds=6)
    api = core.stub()
    created = create_session(api, new_user("c22-cap"), anti_csrf=False, absolute_lifetime_seconds=4)
    start, cap = seconds(created.session.created_at), seconds(created.session.absolute_expires_at)
    tokens = created.tokens
    for offset in (1.0, 2.0, 3.0):
        sleep_until(start + offset)
        response = refresh_tokens(api, tokens)
        assert_outcome(response, pb.OUTCOME_OK)
        tokens = response.tokens
        assert seconds(tokens.refresh_token.expires_at) == pytest.approx(cap, abs=1e-3)
        assert decode_jwt(tokens.access_token.token).payload["exp"] <= cap
    sleep_past(cap, margin=0.3)
    assert_session_ended(refresh_tokens(api, tokens))


def test_C28_absolute_lifetime_at_create_overrides_the_default(api: Api) -> None:
    default = create_session(api).session
    assert seconds(default.absolute_expires_at) - seconds(default.created_at) == pytest.approx(
        DEFAULT_ABSOLUTE_SECONDS, abs=1e-3
    )
    assert seconds(default.idle_expires_at) - seconds(default.created_at) == pytest.approx(
        DEFAULT_IDLE_SECONDS, abs=1e-3
    )
    remembered = create_session(api, absolute_lifetime_seconds=30 * 86_400).session
    lifetime = seconds(remembered.absolute_expires_at) - seconds(remembered.created_at)
    assert lifetime == pytest.approx(30 * 86_400, abs=1e-3)


def test_C28_access_token_never_outlives_the_session(api: Api) -> None:
    created = create_session(api, anti_csrf=True, absolute_lifetime_seconds=120)
    cap = seconds(created.session.absolute_expires_at)
    assert cap - seconds(created.session.created_at) == pytest.approx(120, abs=1e-3)
    for tokens in (created.tokens, refresh_tokens(api, created.tokens).tokens):
        exp = decode_jwt(tokens.access_token.token).payload["exp"]
        # The default AT lifetime (900 s) would end long after the session's 120 s.
        assert cap - 1 <= exp <= cap
        assert tokens.access_token.expires_at.seconds == exp
        assert seconds(tokens.refresh_token.expires_at) == pytest.approx(cap, abs=1e-3)
        verified = verify_tokens(api, tokens)
        assert seconds(verified.session.access_token_expires_at) <= cap


def test_C28_default_access_token_lifetime(api: Api) -> None:
    tokens = create_session(api).tokens
    payload = decode_jwt(tokens.access_token.token).payload
    assert payload["exp"] - payload["iat"] == DEFAULT_ACCESS_TOKEN_SECONDS
