"""Conversions between protobuf messages and the service's values; nothing else."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol, TypeVar

from google.protobuf.timestamp_pb2 import Timestamp

from core_server.domain.access_tokens import AccessTokenClaims
from core_server.domain.models import ClientInfo, FeedEntry, FeedKind, SessionRecord
from core_server.new_sessions import NewSession
from core_server.outcomes import (
    IssuedAccessToken,
    IssuedTokens,
    Outcome,
    Reason,
    RevocationPage,
)
from core_server.validation import canonical_json
from sessioncore.v1 import session_service_pb2 as pb

OUTCOMES = {
    Outcome.OK: pb.OUTCOME_OK,
    Outcome.TRY_REFRESH_TOKEN: pb.OUTCOME_TRY_REFRESH_TOKEN,
    Outcome.UNAUTHORISED: pb.OUTCOME_UNAUTHORISED,
    Outcome.TOKEN_THEFT_DETECTED: pb.OUTCOME_TOKEN_THEFT_DETECTED,
}
REASONS = {
    Reason.NONE: pb.REASON_UNSPECIFIED,
    Reason.INVALID_TOKEN: pb.REASON_INVALID_TOKEN,
    Reason.EXPIRED_TOKEN: pb.REASON_EXPIRED_TOKEN,
    Reason.ANTI_CSRF: pb.REASON_ANTI_CSRF,
    Reason.SESSION_ENDED: pb.REASON_SESSION_ENDED,
    Reason.UNKNOWN_GENERATION: pb.REASON_UNKNOWN_GENERATION,
    Reason.TOKEN_REUSED: pb.REASON_TOKEN_REUSED,
}


class _Answered(Protocol):
    @property
    def outcome(self) -> Outcome: ...
    @property
    def reason(self) -> Reason: ...


Response = TypeVar("Response")


def answer(response_type: Callable[..., Response], result: _Answered) -> Response:
    """A response carrying the `outcome` and `reason` of a service result."""
    return response_type(outcome=OUTCOMES[result.outcome], reason=REASONS[result.reason])


def timestamp(seconds: float) -> Timestamp:
    whole = math.floor(seconds)
    return Timestamp(seconds=whole, nanos=min(round((seconds - whole) * 1e9), 999_999_999))


def new_session(request: pb.CreateSessionRequest) -> NewSession:
    lifetime = None
    if request.HasField("absolute_lifetime"):
        lifetime = request.absolute_lifetime.seconds + request.absolute_lifetime.nanos / 1e9
    return NewSession(
        user_id=request.user_id,
        access_token_claims_json=request.access_token_claims_json,
        session_data_json=request.session_data_json,
        anti_csrf=request.anti_csrf,
        client=ClientInfo(request.client.user_agent, request.client.ip_address),
        absolute_lifetime_seconds=lifetime,
    )


def session(record: SessionRecord) -> pb.Session:
    return pb.Session(
        handle=record.handle,
        user_id=record.user_id,
        created_at=timestamp(record.created_at),
        last_refreshed_at=timestamp(record.last_refreshed_at),
        idle_expires_at=timestamp(record.idle_expires_at),
        absolute_expires_at=timestamp(record.absolute_expires_at),
        client=pb.ClientMetadata(
            user_agent=record.client.user_agent, ip_address=record.client.ip_address
        ),
        access_token_claims_json=record.access_token_claims_json,
        session_data_json=record.session_data_json,
        anti_csrf=record.anti_csrf,
    )


def access_token(issued: IssuedAccessToken) -> pb.AccessToken:
    return pb.AccessToken(token=issued.token, expires_at=timestamp(issued.expires_at))


def tokens(issued: IssuedTokens) -> pb.Tokens:
    return pb.Tokens(
        access_token=access_token(issued.access_token),
        refresh_token=pb.RefreshToken(
            token=issued.refresh_token, expires_at=timestamp(issued.refresh_expires_at)
        ),
        anti_csrf_token=issued.anti_csrf_token,
    )


def verified(claims: AccessTokenClaims) -> pb.VerifiedSession:
    return pb.VerifiedSession(
        handle=claims.handle,
        user_id=claims.user_id,
        access_token_claims_json=canonical_json(claims.app_claims),
        access_token_expires_at=timestamp(claims.expires_at),
    )


def revocation(entry: FeedEntry) -> pb.Revocation:
    """One feed entry; the subject is a session handle or a key id by the entry's kind."""
    message = pb.Revocation(revoked_at=timestamp(entry.revoked_at), sequence=entry.sequence)
    if entry.kind is FeedKind.SESSION:
        message.session_handle = entry.subject
    else:
        message.key_id = entry.subject
    if entry.theft is not None:
        message.theft.CopyFrom(
            pb.TheftEvent(
                user_id=entry.theft.user_id,
                presented_generation=entry.theft.presented_generation,
                current_generation=entry.theft.current_generation,
            )
        )
    return message


def revocations(page: RevocationPage) -> pb.ListRevocationsResponse:
    return pb.ListRevocationsResponse(
        revocations=[revocation(entry) for entry in page.entries],
        next_cursor=page.next_cursor,
        snapshot=page.snapshot,
    )
