"""VerifySession: anti-CSRF binding (C1), tampered tokens (C3), malformed headers (C4)."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable

import grpc
import pytest

from sessioncore.v1 import session_service_pb2 as pb
from tests.conformance.conftest import StartCore
from tests.support.core_process import CoreSecrets
from tests.support.grpc_helpers import (
    Api,
    assert_outcome,
    bad_request_field,
    create_session,
    get_session,
    rpc_error,
    verify,
    verify_tokens,
)
from tests.support.tokens import b64url_encode, decode_jwt, json_segment

CLAIMS = {"role": "editor", "tenant": 42}


def assert_rejected(response: pb.VerifySessionResponse) -> None:
    """An access token that cannot be used: try refresh, claims never returned."""
    assert_outcome(response, pb.OUTCOME_TRY_REFRESH_TOKEN, pb.REASON_INVALID_TOKEN)
    assert not response.session.handle and not response.session.user_id


def test_C1_verify_checks_the_anti_csrf_token(api: Api) -> None:
    before = int(time.time())
    created = create_session(api, "c1-user", claims=CLAIMS, anti_csrf=True)
    tokens, handle = created.tokens, created.session.handle

    ok = verify_tokens(api, tokens)
    assert_outcome(ok, pb.OUTCOME_OK, pb.REASON_UNSPECIFIED)
    assert (ok.session.handle, ok.session.user_id) == (handle, "c1-user")
    assert json.loads(ok.session.access_token_claims_json) == CLAIMS
    jwt = decode_jwt(tokens.access_token.token)
    assert jwt.header == {"alg": "RS256", "typ": "at+jwt", "kid": jwt.header["kid"]}
    assert isinstance(jwt.header["kid"], str) and jwt.header["kid"]
    assert ok.session.access_token_expires_at.seconds == jwt.payload["exp"]
    assert jwt.payload["exp"] - jwt.payload["iat"] == 900
    assert before <= jwt.payload["iat"] <= time.time() + 1
    # The AT carries a binding to the anti-CSRF token, never the token itself.
    assert jwt.payload["sc_csrf"] and jwt.payload["sc_csrf"] != tokens.anti_csrf_token

    other = create_session(api, "c1-other", anti_csrf=True).tokens.anti_csrf_token
    for wrong in ("", other, tokens.anti_csrf_token[:-1], "x" * 43):
        response = verify(api, tokens.access_token.token, wrong)
        assert_outcome(response, pb.OUTCOME_TRY_REFRESH_TOKEN, pb.REASON_ANTI_CSRF)

    skipped = verify(api, tokens.access_token.token, skip_anti_csrf=True)
    assert_outcome(skipped, pb.OUTCOME_OK)
    # A failed anti-CSRF check revokes nothing.
    assert_outcome(verify_tokens(api, tokens, check_database=True), pb.OUTCOME_OK)
    assert_outcome(get_session(api, handle), pb.OUTCOME_OK)


def test_C1_session_without_anti_csrf_needs_no_token(api: Api) -> None:
    created = create_session(api, "c1-plain", anti_csrf=False)
    assert created.tokens.anti_csrf_token == ""
    response = verify(api, created.tokens.access_token.token)
    assert_outcome(response, pb.OUTCOME_OK)
    assert response.session.handle == created.session.handle


def _altered_payload(token: str) -> str:
    header, _, signature = token.split(".")
    payload = decode_jwt(token).payload | {"sub": "admin"}
    return ".".join((header, json_segment(payload), signature))


def _flipped_signature(token: str) -> str:
    header, payload, signature = token.split(".")
    flipped = "A" if signature[10] != "A" else "B"
    return ".".join((header, payload, signature[:10] + flipped + signature[11:]))


def test_C3_tampered_or_random_access_tokens_are_try_refresh(
    api: Api, start_core: StartCore
) -> None:
    tokens = create_session(api, claims=CLAIMS, anti_csrf=False).tokens
    other_deployment = start_core(secrets=CoreSecrets.generate()).stub()
    foreign = create_session(other_deployment, claims=CLAIMS, anti_csrf=False).tokens
    token = tokens.access_token.token
    header, payload, signature = token.split(".")
    payload_bytes = bytearray(json.dumps(decode_jwt(token).payload).encode())
    payload_bytes[2] ^= 0x01
    candidates = [
        _altered_payload(token),
        ".".join((header, b64url_encode(bytes(payload_bytes)), signature)),
        _flipped_signature(token),
        ".".join((header, payload, "")),
        secrets.token_urlsafe(48),
        "x",
        "\u00e9\u00e9\u00e9",
        tokens.refresh_token.token,
        foreign.access_token.token,
    ]
    for candidate in candidates:
        assert_rejected(verify(api, candidate))
    assert_outcome(verify(api, token), pb.OUTCOME_OK)


def test_C3_empty_access_token_is_invalid_argument(api: Api) -> None:
    err = rpc_error(api.VerifySession, pb.VerifySessionRequest(access_token=""))
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert bad_request_field(err) == "access_token"


def _header_of(token: str) -> dict[str, object]:
    return decode_jwt(token).header


def _replace_header(token: str, raw: str) -> str:
    _, payload, signature = token.split(".")
    return ".".join((raw, payload, signature))


def _set_header(token: str, **changes: object) -> str:
    return _replace_header(token, json_segment(_header_of(token) | changes))


def _drop_header(token: str, name: str) -> str:
    header = {k: v for k, v in _header_of(token).items() if k != name}
    return _replace_header(token, json_segment(header))


def _segments(token: str, count: int) -> str:
    parts = token.split(".")
    return ".".join((parts * 2)[:count])


# Each builds a token from a genuine one, keeping its payload and signature.
MALFORMED_HEADERS: dict[str, Callable[[str], str]] = {
    "two parts": lambda t: _segments(t, 2),
    "four parts": lambda t: _segments(t, 4),
    "six parts": lambda t: _segments(t, 6),
    "bad base64url": lambda t: _replace_header(t, t.split(".")[0][:-2] + "*!"),
    "padded base64url": lambda t: _replace_header(t, t.split(".")[0] + "=="),
    "whitespace": lambda t: _replace_header(t, " " + t.split(".")[0]),
    "bad json": lambda t: _replace_header(t, b64url_encode(b'{"alg":"RS256",')),
    "json array": lambda t: _replace_header(t, json_segment([_header_of(t)])),
    "json string": lambda t: _replace_header(t, json_segment("header")),
    "typ JWT": lambda t: _set_header(t, typ="JWT"),
    "typ missing": lambda t: _drop_header(t, "typ"),
    "alg none": lambda t: _set_header(t, alg="none"),
    "alg none, no signature": lambda t: _set_header(t, alg="none").rsplit(".", 1)[0] + ".",
    "alg HS256": lambda t: _set_header(t, alg="HS256"),
    "alg PS256": lambda t: _set_header(t, alg="PS256"),
    "alg ES256": lambda t: _set_header(t, alg="ES256"),
    "kid missing": lambda t: _drop_header(t, "kid"),
    "kid number": lambda t: _set_header(t, kid=7),
    "kid null": lambda t: _set_header(t, kid=None),
    "kid list": lambda t: _set_header(t, kid=[_header_of(t)["kid"]]),
    "kid unknown": lambda t: _set_header(t, kid=f"{_header_of(t)['kid']}x"),
    "crit unknown": lambda t: _set_header(t, crit=["sc_unknown"], sc_unknown=1),
    "jku": lambda t: _set_header(t, jku="https://evil.example/jwks.json"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_HEADERS))
def test_C4_malformed_jwt_headers_are_try_refresh(api: Api, case: str) -> None:
    token = create_session(api, claims=CLAIMS, anti_csrf=False).tokens.access_token.token
    assert_outcome(verify(api, token), pb.OUTCOME_OK)
    assert_rejected(verify(api, MALFORMED_HEADERS[case](token)))
