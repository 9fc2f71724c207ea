"""SessionCoreClient: every RPC of `sessioncore.v1.SessionService`, typed and translated.

Every call sends the API key (`x-api-key`) and a deadline, and goes over the next
channel of a small per-process pool. A failed call raises from the driver's exception
tree (translated once, in `_status`), and a business outcome other than OK raises its
exception (TryRefreshToken, Unauthorised, TokenTheftDetected), so a method that returns
has succeeded. The client is thread-safe and fork-safe: channels are created lazily in
each process. Token values are never logged or put into exception messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import grpc
from google.protobuf.duration_pb2 import Duration

from session_core_driver import _codec
from session_core_driver._channels import ChannelPool
from session_core_driver._status import raise_for_outcome, translate_rpc_error
from session_core_driver.errors import SessionError
from session_core_driver.sessions import (
    NewSession,
    RefreshedSession,
    RevocationPage,
    SessionInfo,
    VerifiedSession,
)
from sessioncore.v1 import session_service_pb2 as pb

API_KEY_HEADER = "x-api-key"
DEFAULT_TARGET = "127.0.0.1:7380"
DEFAULT_TIMEOUT_SECONDS = 5.0
DEFAULT_CHANNELS = 4
# A bound on the pages one listing walks: 10^5 pages of up to 1000 sessions.
MAX_PAGES = 100_000


class SessionCoreClient:
    """A client of one core deployment (one target, one API key).

    `channels` gRPC channels are opened lazily (per process, so it is safe to build the
    client before a pre-fork server forks); `timeout` is the deadline of every call in
    seconds; `credentials` (grpc.ssl_channel_credentials(...)) switches to TLS or mTLS.
    """

    def __init__(
        self,
        target: str = DEFAULT_TARGET,
        api_key: str = "",
        channels: int = DEFAULT_CHANNELS,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        credentials: grpc.ChannelCredentials | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.target = target
        self.timeout = timeout
        self._metadata = ((API_KEY_HEADER, api_key),) if api_key else ()
        self._pool = ChannelPool(target, channels, credentials)

    def __repr__(self) -> str:  # never the API key
        return f"SessionCoreClient(target={self.target!r})"

    # -- create / verify / refresh ---------------------------------------------------

    def create_session(
        self,
        user_id: str,
        *,
        access_token_claims: Mapping[str, Any] | None = None,
        session_data: Mapping[str, Any] | None = None,
        anti_csrf: bool = False,
        user_agent: str = "",
        ip_address: str = "",
        absolute_lifetime_seconds: int | None = None,
    ) -> NewSession:
        """Start a session for a user the application has authenticated.

        Raises InvalidRequest naming the field the core refused (user id, a reserved or
        oversized claim, bad metadata, a lifetime out of range).
        """
        request = pb.CreateSessionRequest(
            user_id=user_id,
            access_token_claims_json=_codec.json_text(
                access_token_claims, "access_token_claims_json"
            ),
            session_data_json=_codec.json_text(session_data, "session_data_json"),
            anti_csrf=anti_csrf,
            client=pb.ClientMetadata(user_agent=user_agent, ip_address=ip_address),
        )
        if absolute_lifetime_seconds is not None:
            request.absolute_lifetime.CopyFrom(Duration(seconds=absolute_lifetime_seconds))
        response = self._call("CreateSession", request)
        return NewSession(
            session=_codec.session_info(response.session), tokens=_codec.tokens(response.tokens)
        )

    def verify_session(
        self,
        access_token: str,
        anti_csrf_token: str = "",
        *,
        check_database: bool = False,
        skip_anti_csrf: bool = False,
    ) -> VerifiedSession:
        """Ask the core to verify an access token (with `check_database`, also its session).

        Raises TryRefreshToken (expired, invalid, "anti_csrf") or Unauthorised (the
        database check found the session ended). Prefer SessionVerifier for the hot
        path: it verifies locally, without this round trip.
        """
        request = pb.VerifySessionRequest(
            access_token=access_token,
            anti_csrf_token=anti_csrf_token,
            skip_anti_csrf=skip_anti_csrf,
            check_database=check_database,
        )
        response = self._call("VerifySession", request)
        raise_for_outcome(response.outcome, response.reason)
        return _codec.verified(response.session, access_token, response.claims_outdated)

    def refresh_session(self, refresh_token: str, anti_csrf_token: str = "") -> RefreshedSession:
        """Exchange a refresh token for its successor and a new access token.

        Raises Unauthorised (not authentic, session ended, or reason "anti_csrf" with
        `clear_session=False`: nothing was rotated) or TokenTheftDetected (the session
        has been revoked). A retry with the same token inside the grace window returns
        the same successor.
        """
        request = pb.RefreshSessionRequest(
            refresh_token=refresh_token, anti_csrf_token=anti_csrf_token
        )
        response = self._call("RefreshSession", request)
        raise_for_outcome(response.outcome, response.reason, response.session)
        return _codec.refreshed(response)

    # -- revoke / list / read / update -------------------------------------------------

    def revoke_sessions(self, handles: Iterable[str]) -> list[str]:
        """End the sessions with these handles (1 to 1000); returns those that were live."""
        response = self._call("RevokeSessions", pb.RevokeSessionsRequest(handles=list(handles)))
        return list(response.revoked_handles)

    def revoke_user_sessions(self, user_id: str, keep_handle: str | None = None) -> list[str]:
        """End every live session of a user but `keep_handle`; returns the handles ended."""
        request = pb.RevokeUserSessionsRequest(user_id=user_id, keep_handle=keep_handle or "")
        return list(self._call("RevokeUserSessions", request).revoked_handles)

    def list_user_sessions(self, user_id: str, page_size: int = 50) -> Iterator[SessionInfo]:
        """Every live session of a user, oldest first, walking all pages lazily.

        Raises SessionError if the core ever hands back a page token it gave before
        (which would loop for ever).
        """
        token, seen = "", set()
        for _ in range(MAX_PAGES):
            request = pb.ListUserSessionsRequest(
                user_id=user_id, page_size=page_size, page_token=token
            )
            response = self._call("ListUserSessions", request)
            yield from (_codec.session_info(s) for s in response.sessions)
            token = response.next_page_token
            if not token:
                return
            if token in seen:
                raise SessionError("the core repeated a page token")
            seen.add(token)
        raise SessionError(f"listing did not end within {MAX_PAGES} pages")

    def get_session(self, handle: str) -> SessionInfo:
        """One live session; raises Unauthorised("session_ended") if it ended or never was."""
        response = self._call("GetSession", pb.GetSessionRequest(handle=handle))
        raise_for_outcome(response.outcome, response.reason)
        return _codec.session_info(response.session)

    def update_session_data(self, handle: str, data: Mapping[str, Any]) -> None:
        """Replace the server-side data of a live session; Unauthorised if it ended."""
        request = pb.UpdateSessionDataRequest(
            handle=handle, session_data_json=_codec.json_text(data, "session_data_json")
        )
        response = self._call("UpdateSessionData", request)
        raise_for_outcome(response.outcome, response.reason)

    def update_access_token_claims(self, handle: str, claims: Mapping[str, Any]) -> None:
        """Replace the application claims of a live session's next access tokens.

        Tokens already issued keep their claims until regenerated or refreshed. Raises
        InvalidRequest for a reserved or oversized claim, Unauthorised if the session ended.
        """
        request = pb.UpdateAccessTokenClaimsRequest(
            handle=handle,
            access_token_claims_json=_codec.json_text(claims, "access_token_claims_json"),
        )
        response = self._call("UpdateAccessTokenClaims", request)
        raise_for_outcome(response.outcome, response.reason)

    def regenerate_access_token(
        self, access_token: str, claims: Mapping[str, Any] | None = None
    ) -> tuple[str | None, VerifiedSession]:
        """A new access token for the same session (with `claims` stored first, if given).

        Returns (None, session) when the presented token has already expired: only the
        stored claims changed, and they reach the next refresh. Raises TryRefreshToken
        for a token that is not ours, Unauthorised if the session ended.
        """
        request = pb.RegenerateAccessTokenRequest(access_token=access_token)
        if claims is not None:
            request.access_token_claims_json = _codec.json_text(claims, "access_token_claims_json")
        response = self._call("RegenerateAccessToken", request)
        raise_for_outcome(response.outcome, response.reason)
        fresh = response.access_token.token if response.HasField("access_token") else None
        return fresh, _codec.verified(response.session, fresh or access_token)

    # -- keys and the revocation feed ----------------------------------------------------

    def get_jwks(self) -> tuple[str, int]:
        """The published JWK Set as JSON and how long (seconds) it may be cached."""
        response = self._call("GetJwks", pb.GetJwksRequest())
        return response.jwks_json, response.max_age_seconds

    def list_revocations(self, cursor: str = "") -> RevocationPage:
        """One read of the revocation feed; an empty cursor reads the whole current set."""
        response = self._call("ListRevocations", pb.ListRevocationsRequest(cursor=cursor))
        return _codec.revocation_page(response)

    def close(self) -> None:
        """Close this process's channels; a later call opens new ones."""
        self._pool.close()

    def __enter__(self) -> SessionCoreClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _call(self, method: str, request: Any) -> Any:
        stub = self._pool.stub()
        try:
            return getattr(stub, method)(request, metadata=self._metadata, timeout=self.timeout)
        except grpc.RpcError as exc:
            raise translate_rpc_error(exc) from exc
