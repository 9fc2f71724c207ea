"""The thin gRPC servicer: decode, call one service method, encode."""

from __future__ import annotations

from grpc import ServicerContext as Context

from core_server.outcomes import Outcome
from core_server.rpc import codec
from core_server.rpc.errors import handled
from core_server.service import SessionService
from sessioncore.v1 import session_service_pb2 as pb
from sessioncore.v1 import session_service_pb2_grpc as pb_grpc


class SessionServicer(pb_grpc.SessionServiceServicer):
    def __init__(self, service: SessionService, default_deadline_seconds: float) -> None:
        self._service = service
        self.default_deadline_seconds = default_deadline_seconds

    @handled
    def CreateSession(
        self, request: pb.CreateSessionRequest, context: Context
    ) -> pb.CreateSessionResponse:
        record, tokens = self._service.create(codec.new_session(request))
        return pb.CreateSessionResponse(session=codec.session(record), tokens=codec.tokens(tokens))

    @handled
    def VerifySession(
        self, request: pb.VerifySessionRequest, context: Context
    ) -> pb.VerifySessionResponse:
        result = self._service.verify(
            request.access_token,
            request.anti_csrf_token,
            request.skip_anti_csrf,
            request.check_database,
        )
        response = codec.answer(pb.VerifySessionResponse, result)
        response.claims_outdated = result.claims_outdated
        if result.claims is not None:
            response.session.CopyFrom(codec.verified(result.claims))
        return response

    @handled
    def RefreshSession(
        self, request: pb.RefreshSessionRequest, context: Context
    ) -> pb.RefreshSessionResponse:
        result = self._service.refresh(request.refresh_token, request.anti_csrf_token)
        response = codec.answer(pb.RefreshSessionResponse, result)
        if result.tokens is not None:
            response.tokens.CopyFrom(codec.tokens(result.tokens))
        if result.session is not None:
            response.session.CopyFrom(codec.session(result.session))
        return response

    @handled
    def RevokeSessions(
        self, request: pb.RevokeSessionsRequest, context: Context
    ) -> pb.RevokeSessionsResponse:
        revoked = self._service.revoke_sessions(list(request.handles))
        return pb.RevokeSessionsResponse(revoked_handles=revoked)

    @handled
    def RevokeUserSessions(
        self, request: pb.RevokeUserSessionsRequest, context: Context
    ) -> pb.RevokeUserSessionsResponse:
        revoked = self._service.revoke_user_sessions(request.user_id, request.keep_handle)
        return pb.RevokeUserSessionsResponse(revoked_handles=revoked)

    @handled
    def ListUserSessions(
        self, request: pb.ListUserSessionsRequest, context: Context
    ) -> pb.ListUserSessionsResponse:
        page = self._service.list_user_sessions(
            request.user_id, request.page_size, request.page_token
        )
        return pb.ListUserSessionsResponse(
            sessions=[codec.session(record) for record in page.sessions],
            next_page_token=page.next_page_token,
        )

    @handled
    def GetSession(self, request: pb.GetSessionRequest, context: Context) -> pb.GetSessionResponse:
        result = self._service.get_session(request.handle)
        response = codec.answer(pb.GetSessionResponse, result)
        if result.session is not None:
            response.session.CopyFrom(codec.session(result.session))
        return response

    @handled
    def UpdateSessionData(
        self, request: pb.UpdateSessionDataRequest, context: Context
    ) -> pb.UpdateSessionDataResponse:
        result = self._service.update_session_data(request.handle, request.session_data_json)
        return codec.answer(pb.UpdateSessionDataResponse, result)

    @handled
    def UpdateAccessTokenClaims(
        self, request: pb.UpdateAccessTokenClaimsRequest, context: Context
    ) -> pb.UpdateAccessTokenClaimsResponse:
        result = self._service.update_access_token_claims(
            request.handle, request.access_token_claims_json
        )
        return codec.answer(pb.UpdateAccessTokenClaimsResponse, result)

    @handled
    def RegenerateAccessToken(
        self, request: pb.RegenerateAccessTokenRequest, context: Context
    ) -> pb.RegenerateAccessTokenResponse:
        claims = (
            request.access_token_claims_json
            if request.HasField("access_token_claims_json")
            else None
        )
        result = self._service.regenerate_access_token(request.access_token, claims)
        response = codec.answer(pb.RegenerateAccessTokenResponse, result)
        if result.access_token is not None:
            response.access_token.CopyFrom(codec.access_token(result.access_token))
        if result.claims is not None and result.outcome is Outcome.OK:
            response.session.CopyFrom(codec.verified(result.claims))
        return response

    @handled
    def GetJwks(self, request: pb.GetJwksRequest, context: Context) -> pb.GetJwksResponse:
        jwks_json, max_age = self._service.jwks()
        return pb.GetJwksResponse(jwks_json=jwks_json, max_age_seconds=max_age)

    @handled
    def ListRevocations(
        self, request: pb.ListRevocationsRequest, context: Context
    ) -> pb.ListRevocationsResponse:
        return codec.revocations(self._service.list_revocations(request.cursor))
