"""RefreshSession: after expiry (C2), non-authentic tokens (C7), anti-CSRF (C9)."""

from __future__ import annotations

import json

from sessioncore.v1 import session_service_pb2 as pb
from tests.conformance.conftest import StartCore
from tests.support.core_process import CoreSecrets
from tests.support.grpc_helpers import (
    Api,
    assert_outcome,
    create_session,
    get_session,
    listed_handles,
    refresh,
    refresh_tokens,
    verify,
    verify_tokens,
)
from tests.support.storage import StorageInspector, session_row
from tests.support.tokens import (
    RT_PREFIX,
    b64url_decode,
    decode_jwt,
    encode_refresh_token,
    flip_byte,
    parse_refresh_token,
)
from tests.support.waiting import sleep_past

CLAIMS = {"plan": "pro", "seats": 3}


def test_C2_expired_access_token_then_refresh(short_api: Api) -> None:
    created = create_session(short_api, "c2-user", claims=CLAIMS, anti_csrf=True)
    old = created.tokens
    jwt = decode_jwt(old.access_token.token)
    assert jwt.payload["exp"] - jwt.payload["iat"] == 1
    sleep_past(jwt.payload["exp"])

    expired = verify_tokens(short_api, old)
    assert_outcome(expired, pb.OUTCOME_TRY_REFRESH_TOKEN, pb.REASON_EXPIRED_TOKEN)

    refreshed = refresh_tokens(short_api, old)
    assert_outcome(refreshed, pb.OUTCOME_OK, pb.REASON_UNSPECIFIED)
    new = refreshed.tokens
    assert new.access_token.token != old.access_token.token
    assert new.refresh_token.token != old.refresh_token.token
    assert new.anti_csrf_token and new.anti_csrf_token != old.anti_csrf_token
    assert parse_refresh_token(new.refresh_token.token).generation == 1
    new_jwt = decode_jwt(new.access_token.token)
    assert new_jwt.payload["sid"] == created.session.handle
    assert new_jwt.payload["sub"] == "c2-user"
    assert new_jwt.app_claims == CLAIMS
    assert refreshed.session.handle == created.session.handle
    verified = verify_tokens(short_api, new)
    assert_outcome(verified, pb.OUTCOME_OK)
    assert json.loads(verified.session.access_token_claims_json) == CLAIMS


def _non_authentic_variants(token: str) -> dict[str, str]:
    body = b64url_decode(token.removeprefix(RT_PREFIX))
    variants = {
        "truncated by one char": token[:-1],
        "truncated body": encode_refresh_token(body[:95]),
        "body too long": encode_refresh_token(body + b"\x00"),
        "padded": token + "=",
        "other version": "scr2_" + token.removeprefix(RT_PREFIX),
        "no prefix": token.removeprefix(RT_PREFIX),
        "standard base64 chars": token.replace("-", "+").replace("_", "/"),
    }
    for name, index in (("handle", 3), ("generation", 23), ("key id", 30)):
        variants[f"{name} byte changed"] = flip_byte(token, index)
    for name, index in (("secret", 40), ("tag", 90)):
        variants[f"{name} byte changed"] = flip_byte(token, index)
    return {k: v for k, v in variants.items() if v != token}


def test_C7_non_authentic_refresh_tokens_get_one_error_shape(
    api: Api, start_core: StartCore
) -> None:
    created = create_session(api, claims=CLAIMS, anti_csrf=False)
    rt0 = created.tokens.refresh_token.token
    other_deployment = start_core(secrets=CoreSecrets.generate())
    foreign = create_session(other_deployment.stub(), anti_csrf=False).tokens.refresh_token.token

    responses = {"other deployment": refresh(api, foreign)}
    responses |= {name: refresh(api, rt) for name, rt in _non_authentic_variants(rt0).items()}
    for name, response in responses.items():
        assert_outcome(response, pb.OUTCOME_UNAUTHORISED, pb.REASON_INVALID_TOKEN)
        assert response == responses["other deployment"], name
        assert not response.HasField("tokens") and not response.HasField("session"), name

    # None of them rotated or revoked the genuine lineage.
    assert_outcome(get_session(api, created.session.handle), pb.OUTCOME_OK)
    successor = refresh(api, rt0)
    assert_outcome(successor, pb.OUTCOME_OK)
    assert parse_refresh_token(successor.tokens.refresh_token.token).generation == 1


def test_C9_refresh_without_valid_anti_csrf_changes_nothing(
    api: Api, inspector: StorageInspector
) -> None:
    user = "c9-user"
    created = create_session(api, user, claims=CLAIMS, anti_csrf=True)
    handle, tokens = created.session.handle, created.tokens
    other_csrf = create_session(api, anti_csrf=True).tokens.anti_csrf_token
    rt0 = tokens.refresh_token.token

    csrf = tokens.anti_csrf_token
    changed = csrf[:-1] + ("E" if csrf[-1] == "A" else "A")
    for wrong in ("", other_csrf, changed, csrf[:-1], csrf * 2):
        response = refresh(api, rt0, wrong)
        assert_outcome(response, pb.OUTCOME_UNAUTHORISED, pb.REASON_ANTI_CSRF)
        assert not response.HasField("tokens")

    stored = get_session(api, handle)
    assert_outcome(stored, pb.OUTCOME_OK)
    assert stored.session.last_refreshed_at == stored.session.created_at
    assert session_row(inspector, handle).values["generation"] == 0
    assert listed_handles(api, user).count(handle) == 1

    ok = refresh(api, rt0, tokens.anti_csrf_token)
    assert_outcome(ok, pb.OUTCOME_OK)
    assert parse_refresh_token(ok.tokens.refresh_token.token).generation == 1
    assert_outcome(verify(api, tokens.access_token.token, tokens.anti_csrf_token), pb.OUTCOME_OK)
