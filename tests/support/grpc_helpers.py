"""Small helpers to call SessionService over gRPC and read its answers."""

from __future__ import annotations

import functools
import json
import secrets
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import grpc
from google.protobuf import duration_pb2, timestamp_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from sessioncore.v1 import session_service_pb2 as pb
from sessioncore.v1 import session_service_pb2_grpc as pb_grpc

API_KEY_HEADER = "x-api-key"
DEFAULT_TIMEOUT_SECONDS = 10.0

JsonObject = Mapping[str, Any]


def call(
    method: Callable[..., Any],
    request: Any,
    key: str | None,
    timeout: float | None = DEFAULT_TIMEOUT_SECONDS,
) -> Any:
    """Invoke one stub method with `key` as `x-api-key` (none when key is None)."""
    metadata = () if key is None else ((API_KEY_HEADER, key),)
    return method(request, metadata=metadata, timeout=timeout)


def session_stub(channel: grpc.Channel) -> Any:
    """A plain SessionService stub (the generated class is untyped)."""
    return pb_grpc.SessionServiceStub(channel)  # type: ignore[no-untyped-call]


class Api:
    """A SessionService stub whose calls carry one API key and a bounded deadline."""

    def __init__(self, channel: grpc.Channel, key: str | None) -> None:
        self.stub = session_stub(channel)
        self.key = key

    def __getattr__(self, name: str) -> Callable[[Any], Any]:
        return functools.partial(call, getattr(self.stub, name), key=self.key)


def rpc_error(method: Callable[[Any], Any], request: Any) -> grpc.RpcError:
    """Call and return the RpcError it raised; fail if it answered instead."""
    try:
        response = method(request)
    except grpc.RpcError as err:
        return err
    raise AssertionError(f"expected an error status, got a response: {response}")


def bad_request_field(err: grpc.RpcError) -> str:
    """The field named by the first violation of the BadRequest detail of `err`."""
    status = rpc_status.from_call(err)
    assert status is not None, f"no google.rpc.Status details on {err}"
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad_request = error_details_pb2.BadRequest()
            detail.Unpack(bad_request)
            return str(bad_request.field_violations[0].field)
    raise AssertionError(f"no BadRequest detail in {status}")


def new_user(prefix: str = "user") -> str:
    """A user id no other test uses, so tests can share one core."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def random_handle() -> str:
    """A well-formed handle (22 chars of base64url, 16 bytes) that no session has."""
    return secrets.token_urlsafe(16)


def seconds(ts: timestamp_pb2.Timestamp) -> float:
    return float(ts.seconds + ts.nanos / 1e9)


def create_session(
    api: Api,
    user_id: str | None = None,
    *,
    claims: JsonObject | None = None,
    data: JsonObject | None = None,
    anti_csrf: bool = True,
    client: pb.ClientMetadata | None = None,
    absolute_lifetime_seconds: int | None = None,
) -> pb.CreateSessionResponse:
    """Create a session and check that the core accepted it."""
    request = pb.CreateSessionRequest(
        user_id=new_user() if user_id is None else user_id,
        access_token_claims_json=json.dumps(claims) if claims is not None else "",
        session_data_json=json.dumps(data) if data is not None else "",
        anti_csrf=anti_csrf,
        client=client,
    )
    if absolute_lifetime_seconds is not None:
        request.absolute_lifetime.CopyFrom(duration_pb2.Duration(seconds=absolute_lifetime_seconds))
    response: pb.CreateSessionResponse = api.CreateSession(request)
    assert response.session.handle and response.tokens.refresh_token.token
    return response


def refresh(api: Api, refresh_token: str, anti_csrf_token: str = "") -> pb.RefreshSessionResponse:
    request = pb.RefreshSessionRequest(refresh_token=refresh_token, anti_csrf_token=anti_csrf_token)
    response: pb.RefreshSessionResponse = api.RefreshSession(request)
    return response


def refresh_tokens(api: Api, tokens: pb.Tokens) -> pb.RefreshSessionResponse:
    """Refresh with what a client holds (its RT and the anti-CSRF token beside it)."""
    return refresh(api, tokens.refresh_token.token, tokens.anti_csrf_token)


def verify(
    api: Api,
    access_token: str,
    anti_csrf_token: str = "",
    *,
    check_database: bool = False,
    skip_anti_csrf: bool = False,
) -> pb.VerifySessionResponse:
    request = pb.VerifySessionRequest(
        access_token=access_token,
        anti_csrf_token=anti_csrf_token,
        check_database=check_database,
        skip_anti_csrf=skip_anti_csrf,
    )
    response: pb.VerifySessionResponse = api.VerifySession(request)
    return response


def verify_tokens(
    api: Api, tokens: pb.Tokens, *, check_database: bool = False
) -> pb.VerifySessionResponse:
    return verify(
        api, tokens.access_token.token, tokens.anti_csrf_token, check_database=check_database
    )


def get_session(api: Api, handle: str) -> pb.GetSessionResponse:
    response: pb.GetSessionResponse = api.GetSession(pb.GetSessionRequest(handle=handle))
    return response


def listed_handles(api: Api, user_id: str) -> list[str]:
    """Every live session handle of a user, oldest first, across all pages."""
    handles: list[str] = []
    page_token = ""
    for _ in range(100):
        request = pb.ListUserSessionsRequest(user_id=user_id, page_size=50, page_token=page_token)
        page = api.ListUserSessions(request)
        handles.extend(session.handle for session in page.sessions)
        page_token = page.next_page_token
        if not page_token:
            return handles
    raise AssertionError("ListUserSessions did not reach its last page in 100 pages")


def assert_outcome(response: Any, outcome: int, reason: int | None = None) -> None:
    """Check a response's outcome (and reason when given), showing names on failure."""
    got = (pb.Outcome.Name(response.outcome), pb.Reason.Name(response.reason))
    want_reason = got[1] if reason is None else pb.Reason.Name(reason)
    assert got == (pb.Outcome.Name(outcome), want_reason), response


def assert_session_ended(response: Any) -> None:
    assert_outcome(response, pb.OUTCOME_UNAUTHORISED, pb.REASON_SESSION_ENDED)
