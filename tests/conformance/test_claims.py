"""Access-token claims and session data: updates (C18), reserved names (C19),
regeneration (C20) and exact JSON round-trips (C21)."""

from __future__ import annotations

import json
from typing import Any

import grpc
import pytest

from sessioncore.v1 import session_service_pb2 as pb
from tests.support.grpc_helpers import (
    Api,
    assert_outcome,
    bad_request_field,
    create_session,
    get_session,
    new_user,
    refresh_tokens,
    rpc_error,
    verify,
    verify_tokens,
)
from tests.support.json_exact import assert_json_identical
from tests.support.tokens import decode_jwt
from tests.support.waiting import sleep_past

CLAIMS_FIELD = "access_token_claims_json"
RESERVED_NAMES = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "sid", "sc_gen", "sc_csrf"]
RESERVED_NAMES += ["sc_", "sc_anything"]


def stored_claims(api: Api, handle: str) -> Any:
    response = get_session(api, handle)
    assert_outcome(response, pb.OUTCOME_OK)
    return json.loads(response.session.access_token_claims_json)


def update_claims(api: Api, handle: str, claims_json: str) -> pb.UpdateAccessTokenClaimsResponse:
    request = pb.UpdateAccessTokenClaimsRequest(handle=handle, access_token_claims_json=claims_json)
    response: pb.UpdateAccessTokenClaimsResponse = api.UpdateAccessTokenClaims(request)
    return response


def regenerate(
    api: Api, access_token: str, claims_json: str | None = None
) -> pb.RegenerateAccessTokenResponse:
    request = pb.RegenerateAccessTokenRequest(access_token=access_token)
    if claims_json is not None:
        request.access_token_claims_json = claims_json
    response: pb.RegenerateAccessTokenResponse = api.RegenerateAccessToken(request)
    return response


def test_C18_updated_claims_reach_the_next_access_token(api: Api) -> None:
    created = create_session(api, claims={"role": "user", "n": 1}, anti_csrf=True)
    handle, tokens = created.session.handle, created.tokens
    fresh = verify_tokens(api, tokens, check_database=True)
    assert_outcome(fresh, pb.OUTCOME_OK)
    assert fresh.claims_outdated is False

    assert_outcome(update_claims(api, handle, '{"role": "admin"}'), pb.OUTCOME_OK)
    assert stored_claims(api, handle) == {"role": "admin"}
    outdated = verify_tokens(api, tokens, check_database=True)
    assert_outcome(outdated, pb.OUTCOME_OK)
    assert outdated.claims_outdated is True
    assert json.loads(outdated.session.access_token_claims_json) == {"role": "user", "n": 1}

    regenerated = regenerate(api, tokens.access_token.token)
    assert_outcome(regenerated, pb.OUTCOME_OK)
    assert decode_jwt(regenerated.access_token.token).app_claims == {"role": "admin"}
    current = verify(
        api, regenerated.access_token.token, tokens.anti_csrf_token, check_database=True
    )
    assert_outcome(current, pb.OUTCOME_OK)
    assert current.claims_outdated is False

    refreshed = refresh_tokens(api, tokens)
    assert_outcome(refreshed, pb.OUTCOME_OK)
    assert decode_jwt(refreshed.tokens.access_token.token).app_claims == {"role": "admin"}


@pytest.mark.parametrize("name", RESERVED_NAMES)
def test_C19_reserved_claim_names_are_invalid_argument(api: Api, name: str) -> None:
    claims_json = json.dumps({name: "x", "ok": 1})
    create = pb.CreateSessionRequest(user_id=new_user(), access_token_claims_json=claims_json)
    live = create_session(api, claims={"keep": True}, anti_csrf=False)
    handle, token = live.session.handle, live.tokens.access_token.token
    update = pb.UpdateAccessTokenClaimsRequest(handle=handle, access_token_claims_json=claims_json)
    regen = pb.RegenerateAccessTokenRequest(
        access_token=token, access_token_claims_json=claims_json
    )

    for method, request in (
        (api.CreateSession, create),
        (api.UpdateAccessTokenClaims, update),
        (api.RegenerateAccessToken, regen),
    ):
        err = rpc_error(method, request)
        assert err.code() is grpc.StatusCode.INVALID_ARGUMENT, err
        assert bad_request_field(err) == CLAIMS_FIELD
    assert stored_claims(api, handle) == {"keep": True}


def test_C20_regenerate_a_live_token_keeps_its_expiry(api: Api) -> None:
    created = create_session(api, claims={"v": 1}, anti_csrf=True)
    old = created.tokens.access_token
    old_jwt = decode_jwt(old.token)

    plain = regenerate(api, old.token)
    assert_outcome(plain, pb.OUTCOME_OK)
    assert plain.access_token.token != old.token
    assert plain.access_token.expires_at == old.expires_at
    new_jwt = decode_jwt(plain.access_token.token)
    assert new_jwt.payload["exp"] == old_jwt.payload["exp"]
    assert (new_jwt.payload["sid"], new_jwt.payload["sub"]) == (
        created.session.handle,
        created.session.user_id,
    )
    assert new_jwt.payload["jti"] != old_jwt.payload["jti"]
    assert plain.session.handle == created.session.handle

    with_claims = regenerate(api, old.token, '{"v": 2, "extra": [1, 2]}')
    assert_outcome(with_claims, pb.OUTCOME_OK)
    assert with_claims.access_token.expires_at == old.expires_at
    assert decode_jwt(with_claims.access_token.token).app_claims == {"v": 2, "extra": [1, 2]}
    assert stored_claims(api, created.session.handle) == {"v": 2, "extra": [1, 2]}
    verified = verify(api, with_claims.access_token.token, created.tokens.anti_csrf_token)
    assert_outcome(verified, pb.OUTCOME_OK)


def test_C20_regenerate_an_expired_token_only_stores_the_claims(short_api: Api) -> None:
    created = create_session(short_api, claims={"v": 1}, anti_csrf=False)
    token = created.tokens.access_token.token
    sleep_past(decode_jwt(token).payload["exp"])

    response = regenerate(short_api, token, '{"v": 3}')
    assert_outcome(response, pb.OUTCOME_OK)
    assert not response.HasField("access_token")
    assert stored_claims(short_api, created.session.handle) == {"v": 3}
    # The answer reports the claims now stored, not the expired token's.
    assert json.loads(response.session.access_token_claims_json) == {"v": 3}


def test_C20_regenerate_for_a_revoked_session_is_unauthorised(api: Api) -> None:
    created = create_session(api, claims={"v": 1}, anti_csrf=False)
    api.RevokeSessions(pb.RevokeSessionsRequest(handles=[created.session.handle]))
    response = regenerate(api, created.tokens.access_token.token, '{"v": 4}')
    assert_outcome(response, pb.OUTCOME_UNAUTHORISED)
    assert not response.HasField("access_token")


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": depth}
    for level in range(depth - 1, 0, -1):
        value = {"level": level, "child": value}
    return value


ROUND_TRIP = {
    "empty": {},
    "nested 50 levels": _nested(50),
    "nulls": {"a": None, "list": [None, 0, None], "obj": {"b": None}},
    "large integers": {"big": 2**62, "negative": -(2**62), "past 2^53": 2**53 + 1, "zero": 0},
    "numbers keep their type": {"float": 1.0, "half": 0.5, "int": 1, "true": True, "false": False},
    "unicode": {
        "cjk": "漢字かなカナ한글",
        "emoji": "👩‍💻🚀🏳️‍🌈",
        "rtl": "שלום مرحبا",
        "名前": "Łukasz Ωμέγα",
        "escapes": 'quote " backslash \\ tab \t newline \n',
    },
}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize("case", sorted(ROUND_TRIP))
def test_C21_json_round_trips_exactly(api: Api, case: str) -> None:
    value = ROUND_TRIP[case]
    request = pb.CreateSessionRequest(
        user_id=new_user(),
        access_token_claims_json=_json(value),
        session_data_json=_json(value),
        anti_csrf=False,
    )
    created: pb.CreateSessionResponse = api.CreateSession(request)
    handle = created.session.handle

    assert_json_identical(decode_jwt(created.tokens.access_token.token).app_claims, value)
    verified = verify(api, created.tokens.access_token.token)
    assert_json_identical(json.loads(verified.session.access_token_claims_json), value)
    stored = get_session(api, handle).session
    assert_json_identical(json.loads(stored.access_token_claims_json), value)
    assert_json_identical(json.loads(stored.session_data_json), value)

    refreshed = refresh_tokens(api, created.tokens)
    assert_json_identical(decode_jwt(refreshed.tokens.access_token.token).app_claims, value)
    data = pb.UpdateSessionDataRequest(handle=handle, session_data_json=_json({"again": value}))
    assert_outcome(api.UpdateSessionData(data), pb.OUTCOME_OK)
    again = json.loads(get_session(api, handle).session.session_data_json)
    assert_json_identical(again, {"again": value})
