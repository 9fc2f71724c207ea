"""The API key guards every SessionService RPC; health and reflection need none."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from sessioncore.v1 import session_service_pb2 as pb
from tests.core.conftest import LiveSession
from tests.support.core_process import CoreProcess
from tests.support.grpc_helpers import (
    Api,
    assert_outcome,
    call,
    get_session,
    new_user,
    session_stub,
)
from tests.support.tokens import parse_refresh_token

SERVICE_NAME = "sessioncore.v1.SessionService"

# Well-formed requests, so only the key can be the reason for a refusal. They name the
# live session: a refused call must not revoke, rotate or update it.
REQUESTS: dict[str, Callable[[LiveSession], Any]] = {
    "CreateSession": lambda s: pb.CreateSessionRequest(user_id=s.user_id),
    "VerifySession": lambda s: pb.VerifySessionRequest(
        access_token=s.access_token, anti_csrf_token=s.anti_csrf_token
    ),
    "RefreshSession": lambda s: pb.RefreshSessionRequest(
        refresh_token=s.refresh_token, anti_csrf_token=s.anti_csrf_token
    ),
    "RevokeSessions": lambda s: pb.RevokeSessionsRequest(handles=[s.handle]),
    "RevokeUserSessions": lambda s: pb.RevokeUserSessionsRequest(user_id=s.user_id),
    "ListUserSessions": lambda s: pb.ListUserSessionsRequest(user_id=s.user_id),
    "GetSession": lambda s: pb.GetSessionRequest(handle=s.handle),
    "UpdateSessionData": lambda s: pb.UpdateSessionDataRequest(
        handle=s.handle, session_data_json='{"hijacked": true}'
    ),
    "UpdateAccessTokenClaims": lambda s: pb.UpdateAccessTokenClaimsRequest(
        handle=s.handle, access_token_claims_json='{"hijacked": true}'
    ),
    "RegenerateAccessToken": lambda s: pb.RegenerateAccessTokenRequest(
        access_token=s.access_token, access_token_claims_json='{"hijacked": true}'
    ),
    "GetJwks": lambda s: pb.GetJwksRequest(),
}


WRONG_KEY_CASES = ["none", "empty", "unknown", "other case", "prefix", "suffix", "padded", "both"]


def wrong_keys(valid: tuple[str, str]) -> dict[str, str | None]:
    """Keys that must be refused, by WRONG_KEY_CASES name; None sends no key at all."""
    first, second = valid
    return {
        "none": None,
        "empty": "",
        "unknown": "sck-not-a-key",
        "other case": first.upper() if first.upper() != first else first.lower(),
        "prefix": first[:-1],
        "suffix": first + "x",
        "padded": f" {first} ",
        "both": f"{first},{second}",
    }


@pytest.mark.parametrize("rpc", sorted(REQUESTS))
@pytest.mark.parametrize("case", WRONG_KEY_CASES)
def test_wrong_or_missing_key_is_unauthenticated(
    live_core: CoreProcess, live: LiveSession, rpc: str, case: str
) -> None:
    stub = session_stub(live_core.channel())
    key = wrong_keys(live_core.secrets.api_keys)[case]
    with pytest.raises(grpc.RpcError) as info:
        call(getattr(stub, rpc), REQUESTS[rpc](live), key=key)
    assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED
    for valid in live_core.secrets.api_keys:
        assert valid not in (info.value.details() or "")


def test_key_in_another_header_is_unauthenticated(live_core: CoreProcess) -> None:
    stub = session_stub(live_core.channel())
    metadata = (("authorization", f"Bearer {live_core.secrets.api_keys[0]}"),)
    with pytest.raises(grpc.RpcError) as info:
        stub.GetJwks(pb.GetJwksRequest(), metadata=metadata, timeout=10)
    assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED


def test_refused_calls_changed_nothing(
    live_core: CoreProcess, live_api: Api, live: LiveSession
) -> None:
    stub = session_stub(live_core.channel())
    for rpc, build in REQUESTS.items():
        with pytest.raises(grpc.RpcError):
            call(getattr(stub, rpc), build(live), key="sck-not-a-key")
    stored = get_session(live_api, live.handle)
    assert_outcome(stored, pb.OUTCOME_OK)
    assert stored.session.session_data_json == "{}"
    assert json.loads(stored.session.access_token_claims_json) == {"k": 1}
    refreshed = live_api.RefreshSession(
        pb.RefreshSessionRequest(
            refresh_token=live.refresh_token, anti_csrf_token=live.anti_csrf_token
        )
    )
    assert_outcome(refreshed, pb.OUTCOME_OK)
    assert parse_refresh_token(refreshed.tokens.refresh_token.token).generation == 1


def test_either_configured_key_works(live_core: CoreProcess) -> None:
    for key in live_core.secrets.api_keys:
        api = live_core.stub(api_key=key)
        jwks = api.GetJwks(pb.GetJwksRequest())
        assert jwks.max_age_seconds > 0
        created = api.CreateSession(pb.CreateSessionRequest(user_id=new_user("auth")))
        assert created.session.handle


def test_health_check_needs_no_key(live_core: CoreProcess) -> None:
    stub = health_pb2_grpc.HealthStub(live_core.channel())
    response = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
    assert response.status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_lists_the_service_without_a_key(live_core: CoreProcess) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(live_core.channel())
    requests = iter([reflection_pb2.ServerReflectionRequest(list_services="")])
    (response,) = list(stub.ServerReflectionInfo(requests, timeout=10))
    names = {service.name for service in response.list_services_response.service}
    assert SERVICE_NAME in names
