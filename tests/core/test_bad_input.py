"""Every malformed request field answers INVALID_ARGUMENT naming the field.

Never UNKNOWN or INTERNAL, and no status text leaks a traceback or the storage engine.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

import grpc
import pytest
from grpc_status import rpc_status

from sessioncore.v1 import session_service_pb2 as pb
from tests.core.conftest import LiveSession
from tests.support.grpc_helpers import Api, bad_request_field, random_handle, rpc_error

Build = Callable[[LiveSession, Any], Any]
EMPTY = {"empty": ""}

BAD_USER_IDS = {"empty": "", "257 chars": "u" * 257, "NUL": "user\x00id"}
BAD_OBJECTS = {
    "array": "[]",
    "number": "1",
    "string": '"text"',
    "null": "null",
    "true": "true",
    "truncated literal": "nul",
    "unclosed": "{",
    "single quotes": "{'a': 1}",
    "trailing data": "{} {}",
    "NaN": '{"a": NaN}',
    "Infinity": '{"a": Infinity}',
    "1e999": '{"a": 1e999}',
    "-1E400": '{"a": [-1E400]}',
}
OVERSIZED_CLAIMS = '{"k": "' + "x" * 2100 + '"}'
OVERSIZED_DATA = '{"k": "' + "x" * 70_000 + '"}'
BAD_HANDLES = {
    "empty": "",
    "short": "abc",
    "21 chars": "A" * 21,
    "23 chars": "A" * 23,
    "outside alphabet": "!" * 22,
    "standard base64": "+" * 22,
    "padded": "A" * 22 + "==",
    "non-zero trailing bits": "A" * 21 + "B",
    "whitespace": " " + "A" * 21,
    "NUL": "A" * 21 + "\x00",
}


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


BAD_PAGE_TOKENS = {
    "garbage": "garbage",
    "symbols": "!!!",
    "NUL": "\x00",
    "huge number": b64url(b"[" + b"9" * 400 + b',"AAAAAAAAAAAAAAAAAAAAAA"]'),
    "deep nesting": b64url(b"[" * 100_000),
    "NaN position": b64url(b'[NaN,"AAAAAAAAAAAAAAAAAAAAAA"]'),
    "1e999 position": b64url(b'[1e999,"AAAAAAAAAAAAAAAAAAAAAA"]'),
}
BAD_IPS = {
    "not an address": "localhost",
    "zone id": "fe80::1%eth0",
    "huge zone id": "fe80::1%" + "A" * 100_000,
    "NUL in zone id": "::1%\x00<script>",
}


CLAIMS = "access_token_claims_json"
DATA = "session_data_json"
BAD_CLAIMS = BAD_OBJECTS | {"oversized": OVERSIZED_CLAIMS}
BAD_DATA = BAD_OBJECTS | {"oversized": OVERSIZED_DATA}
HANDLE_LISTS = {
    "none": [],
    "one malformed": ["abc"],
    "1001": ["A" * 22] * 1001,
}
PAGE_SIZES = {"-1": -1, "1001": 1001, "int32 min": -(2**31)}

# (rpc, field, a request carrying `value` in that field, the bad values by name)
FIELDS: list[tuple[str, str, Build, dict[str, Any]]] = [
    ("CreateSession", "user_id", lambda s, v: pb.CreateSessionRequest(user_id=v), BAD_USER_IDS),
    (
        "RevokeUserSessions",
        "user_id",
        lambda s, v: pb.RevokeUserSessionsRequest(user_id=v),
        BAD_USER_IDS,
    ),
    (
        "ListUserSessions",
        "user_id",
        lambda s, v: pb.ListUserSessionsRequest(user_id=v),
        BAD_USER_IDS,
    ),
    (
        "CreateSession",
        CLAIMS,
        lambda s, v: pb.CreateSessionRequest(user_id="u", access_token_claims_json=v),
        BAD_CLAIMS,
    ),
    (
        "UpdateAccessTokenClaims",
        CLAIMS,
        lambda s, v: pb.UpdateAccessTokenClaimsRequest(handle=s.handle, access_token_claims_json=v),
        BAD_CLAIMS,
    ),
    (
        "RegenerateAccessToken",
        CLAIMS,
        lambda s, v: pb.RegenerateAccessTokenRequest(
            access_token=s.access_token, access_token_claims_json=v
        ),
        BAD_CLAIMS,
    ),
    (
        "CreateSession",
        DATA,
        lambda s, v: pb.CreateSessionRequest(user_id="u", session_data_json=v),
        BAD_DATA,
    ),
    (
        "UpdateSessionData",
        DATA,
        lambda s, v: pb.UpdateSessionDataRequest(handle=s.handle, session_data_json=v),
        BAD_DATA,
    ),
    ("GetSession", "handle", lambda s, v: pb.GetSessionRequest(handle=v), BAD_HANDLES),
    (
        "UpdateSessionData",
        "handle",
        lambda s, v: pb.UpdateSessionDataRequest(handle=v, session_data_json="{}"),
        BAD_HANDLES,
    ),
    (
        "UpdateAccessTokenClaims",
        "handle",
        lambda s, v: pb.UpdateAccessTokenClaimsRequest(handle=v, access_token_claims_json="{}"),
        BAD_HANDLES,
    ),
    (
        "RevokeSessions",
        "handles",
        lambda s, v: pb.RevokeSessionsRequest(handles=[s.handle, v]),
        BAD_HANDLES,
    ),
    ("RevokeSessions", "handles", lambda s, v: pb.RevokeSessionsRequest(handles=v), HANDLE_LISTS),
    (
        "RevokeUserSessions",
        "keep_handle",
        lambda s, v: pb.RevokeUserSessionsRequest(user_id=s.user_id, keep_handle=v),
        {k: v for k, v in BAD_HANDLES.items() if v},  # An empty keep_handle keeps none.
    ),
    (
        "ListUserSessions",
        "page_size",
        lambda s, v: pb.ListUserSessionsRequest(user_id=s.user_id, page_size=v),
        PAGE_SIZES,
    ),
    (
        "ListUserSessions",
        "page_token",
        lambda s, v: pb.ListUserSessionsRequest(user_id=s.user_id, page_token=v),
        BAD_PAGE_TOKENS,
    ),
    (
        "CreateSession",
        "client.ip_address",
        lambda s, v: pb.CreateSessionRequest(user_id="u", client=pb.ClientMetadata(ip_address=v)),
        BAD_IPS,
    ),
    (
        "UpdateSessionData",
        DATA,
        lambda s, v: pb.UpdateSessionDataRequest(handle=s.handle, session_data_json=v),
        {"omitted (would wipe the data)": ""},
    ),
    (
        "UpdateAccessTokenClaims",
        CLAIMS,
        lambda s, v: pb.UpdateAccessTokenClaimsRequest(handle=s.handle, access_token_claims_json=v),
        {"omitted (would wipe the claims)": ""},
    ),
    ("VerifySession", "access_token", lambda s, v: pb.VerifySessionRequest(access_token=v), EMPTY),
    (
        "RefreshSession",
        "refresh_token",
        lambda s, v: pb.RefreshSessionRequest(refresh_token=v),
        EMPTY,
    ),
    (
        "RegenerateAccessToken",
        "access_token",
        lambda s, v: pb.RegenerateAccessTokenRequest(access_token=v),
        EMPTY,
    ),
]
CASES = [
    pytest.param(rpc, field, build, value, id=f"{rpc}-{field}-{name}")
    for rpc, field, build, values in FIELDS
    for name, value in values.items()
]


def assert_clean_text(err: grpc.RpcError) -> None:
    status = rpc_status.from_call(err)
    texts = [err.details() or "", status.message if status else ""]
    for text in texts:
        assert "Traceback" not in text and 'File "' not in text, text
        assert "sqlite" not in text.lower(), text


def names_field(actual: str, expected: str) -> bool:
    """`handles` is also named by one element, as in `handles[1]`."""
    return actual == expected or re.fullmatch(re.escape(expected) + r"\[\d+\]", actual) is not None


@pytest.mark.parametrize(("rpc", "field", "build", "value"), CASES)
def test_malformed_field_is_invalid_argument(
    live_api: Api, live: LiveSession, rpc: str, field: str, build: Build, value: Any
) -> None:
    err = rpc_error(getattr(live_api, rpc), build(live, value))
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT, (err.code(), err.details())
    assert names_field(bad_request_field(err), field), bad_request_field(err)
    assert_clean_text(err)


def test_boundary_values_are_accepted(live_api: Api, live: LiveSession) -> None:
    created = live_api.CreateSession(
        pb.CreateSessionRequest(user_id="u" * 256, access_token_claims_json="")
    )
    assert created.session.user_id == "u" * 256
    assert created.session.access_token_claims_json == "{}"
    for size in (0, 1, 1000):
        live_api.ListUserSessions(pb.ListUserSessionsRequest(user_id=live.user_id, page_size=size))
    keep_none = pb.RevokeUserSessionsRequest(user_id="u" * 256, keep_handle="")
    assert list(live_api.RevokeUserSessions(keep_none).revoked_handles) == [created.session.handle]
    unknown = pb.RevokeSessionsRequest(handles=[random_handle() for _ in range(1000)])
    assert list(live_api.RevokeSessions(unknown).revoked_handles) == []
