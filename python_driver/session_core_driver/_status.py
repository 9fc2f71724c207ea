"""The driver's two translation tables: gRPC statuses and business outcomes to exceptions.

Statuses (transport, authentication, validation) are translated once, here, by
`translate_rpc_error`; business outcomes (try refresh, unauthorised, theft) by
`raise_for_outcome`. Nothing else in the driver inspects a status code or an outcome.
Messages carry the core's status message (which never holds a token), never a token.
"""

from __future__ import annotations

from typing import Any, NoReturn

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from session_core_driver.errors import (
    CoreAuthError,
    CoreUnavailable,
    InvalidRequest,
    SessionError,
    TokenTheftDetected,
    TryRefreshToken,
    Unauthorised,
)
from sessioncore.v1 import session_service_pb2 as pb

# Reason strings carried by TryRefreshToken and Unauthorised (machine-readable, stable).
REASONS: dict[int, str] = {
    pb.REASON_UNSPECIFIED: "unspecified",
    pb.REASON_INVALID_TOKEN: "invalid",
    pb.REASON_EXPIRED_TOKEN: "expired",
    pb.REASON_ANTI_CSRF: "anti_csrf",
    pb.REASON_SESSION_ENDED: "session_ended",
    pb.REASON_UNKNOWN_GENERATION: "unknown_generation",
    pb.REASON_TOKEN_REUSED: "token_reused",
}
_UNAVAILABLE = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})


def translate_rpc_error(error: grpc.RpcError) -> SessionError:
    """The driver exception for a failed call; raise it `from error`.

    UNAUTHENTICATED → CoreAuthError; UNAVAILABLE and DEADLINE_EXCEEDED → CoreUnavailable;
    INVALID_ARGUMENT → InvalidRequest naming the field of the google.rpc BadRequest
    detail ("request" when the core sent none); anything else → SessionError.
    """
    code = error.code() if isinstance(error, grpc.Call) else None
    message = f"{code.name if code else 'UNKNOWN'}: {_details(error)}"
    if code is grpc.StatusCode.UNAUTHENTICATED:
        return CoreAuthError(message)
    if code in _UNAVAILABLE:
        return CoreUnavailable(message)
    if code is grpc.StatusCode.INVALID_ARGUMENT:
        field, rule = _bad_request(error)
        return InvalidRequest(field, rule)
    return SessionError(message)


def raise_for_outcome(outcome: int, reason: int, session: Any = None) -> None:
    """Return for OUTCOME_OK; raise the exception of any other outcome.

    TRY_REFRESH_TOKEN → TryRefreshToken(reason); UNAUTHORISED → Unauthorised(reason),
    with `clear_session=False` for an anti-CSRF failure (the client keeps its cookies);
    TOKEN_THEFT_DETECTED → TokenTheftDetected with the revoked session's handle and user
    id (from `session`, a `pb.Session`, when the core sent it).
    """
    if outcome == pb.OUTCOME_OK:
        return
    text = REASONS.get(reason, "unspecified")
    if outcome == pb.OUTCOME_TRY_REFRESH_TOKEN:
        raise TryRefreshToken(text)
    if outcome == pb.OUTCOME_UNAUTHORISED:
        raise Unauthorised(text, clear_session=reason != pb.REASON_ANTI_CSRF)
    if outcome == pb.OUTCOME_TOKEN_THEFT_DETECTED:
        _theft(session)
    raise SessionError(f"the core answered an unknown outcome {outcome}")


def _theft(session: Any) -> NoReturn:
    handle = str(session.handle) if session is not None else ""
    user_id = str(session.user_id) if session is not None else ""
    raise TokenTheftDetected(handle, user_id)


def _details(error: grpc.RpcError) -> str:
    details = error.details() if isinstance(error, grpc.Call) else None
    return str(details) if details else "no details"


def _bad_request(error: grpc.RpcError) -> tuple[str, str]:
    """The first field violation of the BadRequest detail, or ("request", message)."""
    try:
        status = rpc_status.from_call(error) if isinstance(error, grpc.Call) else None
    except ValueError:  # a status whose code or message disagrees with the call's
        status = None
    for detail in status.details if status is not None else ():
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad_request = error_details_pb2.BadRequest()
            detail.Unpack(bad_request)
            if bad_request.field_violations:
                violation = bad_request.field_violations[0]
                return str(violation.field), str(violation.description)
    return "request", _details(error)
