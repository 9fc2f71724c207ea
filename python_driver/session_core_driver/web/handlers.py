"""WebSessions: the session handling every web adapter shares (Flask, Django, the gateway).

It reads a WebRequest, talks to the core through SessionCoreClient / SessionVerifier,
and answers with a WebResponse or ResponseEffects; adapters only move values in and out.

Guarantees (DESIGN section 4):
- a request carrying no session cookie or header never has anything cleared;
- cross-site and anti-CSRF failures never clear cookies and never reach the refresh
  token's rotation;
- theft, an ended session, and a refresh without its refresh token (while other session
  cookies are present) clear every session cookie (or send `sc-front-token: remove`);
- every response that hands out or clears tokens is `Cache-Control: no-store`.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import time
from collections.abc import Callable, Mapping
from typing import Any

from session_core_driver.client import SessionCoreClient
from session_core_driver.errors import (
    InvalidRequest,
    SessionError,
    TryRefreshToken,
    Unauthorised,
)
from session_core_driver.sessions import NewSession, RefreshedSession, VerifiedSession
from session_core_driver.verifier import SessionVerifier
from session_core_driver.web import names
from session_core_driver.web.alerts import CoreAlerts
from session_core_driver.web.config import WebConfig
from session_core_driver.web.csrf import anti_csrf_token, cross_site_check_passes
from session_core_driver.web.effects import SessionWriter
from session_core_driver.web.errors import SessionTooLarge
from session_core_driver.web.messages import (
    NO_EFFECTS,
    ResponseEffects,
    WebRequest,
    WebResponse,
)
from session_core_driver.web.responses import error_response
from session_core_driver.web.transport import (
    ambiguous_session,
    carries_session,
    read_access_token,
    read_refresh_token,
    session_cookie_names,
    too_long,
)

MAX_USER_AGENT_LENGTH = 1024  # the core's limit on stored client metadata
REFRESHED = {"message": "session refreshed"}
SIGNED_OUT = {"message": "signed out"}
METHOD_NOT_ALLOWED = WebResponse(405, {"message": "method not allowed", "reason": "method"})
AMBIGUOUS_SESSION = "ambiguous_session"


class WebSessions:
    """Verify, create, refresh, update and end sessions for HTTP requests.

    `clock` gives seconds since the epoch (cookie lifetimes are counted from it).
    """

    def __init__(
        self,
        client: SessionCoreClient,
        verifier: SessionVerifier,
        config: WebConfig,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.verifier = verifier
        self.config = config
        self.writer = SessionWriter(config, clock)
        self.alerts = CoreAlerts()

    def verify(
        self,
        request: WebRequest,
        *,
        anti_csrf_check: bool | None = None,
        check_database: bool = False,
    ) -> tuple[VerifiedSession, str]:
        """The session the request's access token proves, and that token.

        `anti_csrf_check=None` checks state-changing requests only. Raises
        Unauthorised("no_session", clear_session=False) for a request without any
        session, TryRefreshToken("missing_access_token") when other session cookies are
        there but the access token is not, TryRefreshToken("anti_csrf") for a failed
        cross-site check, Unauthorised("ambiguous_session") when a session cookie arrived
        more than once, TryRefreshToken("invalid") for a token longer than the core
        accepts, and whatever the verifier raises.
        """
        token = read_access_token(self.config, request)
        ambiguous = ambiguous_session(self.config, request)
        if token is None and not ambiguous:
            if carries_session(self.config, request):
                raise TryRefreshToken("missing_access_token")
            raise Unauthorised("no_session", clear_session=False)
        check = request.is_state_changing if anti_csrf_check is None else anti_csrf_check
        if check and not cross_site_check_passes(self.config, _as_state_changing(request)):
            raise TryRefreshToken("anti_csrf")
        if ambiguous or token is None:
            raise Unauthorised(AMBIGUOUS_SESSION)
        if too_long(token):
            raise TryRefreshToken("invalid")
        try:
            verified = self.verifier.verify(
                token,
                anti_csrf_token(self.config, request) or None,
                check_anti_csrf=check and self.config.uses_cookies,
                check_database=check_database,
            )
        except InvalidRequest as exc:
            if exc.field != "access_token":
                raise
            raise TryRefreshToken("invalid") from None  # what the client sent is no token
        return verified, token

    def create(
        self,
        request: WebRequest,
        user_id: str,
        *,
        access_token_claims: Mapping[str, Any] | None = None,
        session_data: Mapping[str, Any] | None = None,
        absolute_lifetime_seconds: int | None = None,
    ) -> tuple[NewSession, ResponseEffects]:
        """Start a session and the effects that hand its tokens to the client.

        Ignores any session cookie or header the request carries: the response sets the
        new session's cookies at our paths (overwriting ours; a cookie of the same name
        planted at another Path or Domain stays, and later requests carrying both are
        refused as ambiguous_session). If the tokens would be too large for browsers the
        new session is revoked again and SessionTooLarge is raised.
        """
        created = self.client.create_session(
            user_id,
            access_token_claims=access_token_claims,
            session_data=session_data,
            anti_csrf=self.config.sessions_need_anti_csrf,
            user_agent=_user_agent(request),
            ip_address=_ip_address(request.remote_addr),
            absolute_lifetime_seconds=absolute_lifetime_seconds,
        )
        session = created.session
        try:
            effects = self.writer.new_tokens(
                created.tokens, session.user_id, session.access_token_claims
            )
        except SessionError:
            self.client.revoke_sessions([session.handle])
            raise
        return created, effects

    def regenerate(
        self,
        access_token: str,
        claims: Mapping[str, Any] | None = None,
        *,
        previous_claims: Mapping[str, Any] | None = None,
    ) -> tuple[VerifiedSession, ResponseEffects]:
        """Store `claims` (when given) and hand out an access token carrying them.

        An access token that already expired gets no successor (the claims reach the
        next refresh): no effects then. If the new token would be too large for browsers,
        `previous_claims` (when given) are stored back and SessionTooLarge is raised, so
        no later refresh hands out the oversized token either.
        """
        fresh, verified = self.client.regenerate_access_token(access_token, claims)
        if fresh is None:
            return verified, NO_EFFECTS
        session_expires_at = self.client.get_session(verified.handle).expires_at
        try:
            effects = self.writer.new_access_token(
                fresh, verified.expires_at, verified.user_id, verified.claims, session_expires_at
            )
        except SessionTooLarge:
            if claims is not None and previous_claims is not None:
                self.client.update_access_token_claims(verified.handle, previous_claims)
            raise
        return verified, effects

    def revoke(self, handle: str) -> ResponseEffects:
        """Revoke one session and clear it in the client of this request."""
        self.client.revoke_sessions([handle])
        return self.writer.cleared()

    def refresh(self, request: WebRequest) -> WebResponse:
        """Handle a call to the refresh endpoint (POST only)."""
        if request.method != "POST":
            return METHOD_NOT_ALLOWED
        refresh_token = read_refresh_token(self.config, request)
        try:
            if refresh_token is None and not carries_session(self.config, request):
                raise Unauthorised("no_session", clear_session=False)
            if not cross_site_check_passes(self.config, request):
                raise Unauthorised("anti_csrf", clear_session=False)
            if ambiguous_session(self.config, request):
                raise Unauthorised(AMBIGUOUS_SESSION)
            if refresh_token is None:
                raise Unauthorised("missing_refresh_token")
            refreshed = self._refresh(refresh_token, anti_csrf_token(self.config, request))
            session = refreshed.session
            effects = self.writer.new_tokens(
                refreshed.tokens, session.user_id, session.access_token_claims
            )
        except SessionError as exc:
            return self.error_response(request, exc)
        return WebResponse(200, REFRESHED, effects)

    def _refresh(self, refresh_token: str, anti_csrf: str) -> RefreshedSession:
        """Rotate `refresh_token`; one the core refuses as malformed is not authentic."""
        if too_long(refresh_token):
            raise Unauthorised("invalid")
        try:
            return self.client.refresh_session(refresh_token, anti_csrf)
        except InvalidRequest as exc:
            if exc.field != "refresh_token":
                raise
            raise Unauthorised("invalid") from None

    def sign_out(self, request: WebRequest) -> WebResponse:
        """Handle a call to the sign-out endpoint (POST only).

        Revokes the session of the request's access token and clears it in the client.
        A session that already ended (revoked elsewhere) still answers 200 and clears.
        """
        if request.method != "POST":
            return METHOD_NOT_ALLOWED
        try:
            verified, _ = self.verify(request, anti_csrf_check=True)
            effects = self.revoke(verified.handle)
        except Unauthorised as exc:
            if not exc.clear_session:
                return self.error_response(request, exc)
            effects = self.writer.cleared()
        except SessionError as exc:
            return self.error_response(request, exc)
        return WebResponse(200, SIGNED_OUT, effects)

    def error_response(self, request: WebRequest, exc: SessionError) -> WebResponse:
        """The answer the outcome table gives `exc` for this request (core errors logged)."""
        self.alerts.note(exc)
        return error_response(exc, self.clearing(request))

    def clearing(self, request: WebRequest) -> ResponseEffects:
        """The clearing effects, or none when the request carried no session at all."""
        if not carries_session(self.config, request):
            return NO_EFFECTS
        if ambiguous_session(self.config, request):
            planted = request.repeated_cookies & set(session_cookie_names(self.config))
            return self.writer.cleared_planted(planted, request.path) + self.writer.cleared()
        return self.writer.cleared()


def _as_state_changing(request: WebRequest) -> WebRequest:
    """The request as the cross-site checks see it when a view asks for them explicitly."""
    if request.is_state_changing:
        return request
    return dataclasses.replace(request, method="POST")


def _user_agent(request: WebRequest) -> str:
    agent = (request.header(names.USER_AGENT) or "").replace("\x00", "")
    return agent[:MAX_USER_AGENT_LENGTH]


def _ip_address(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return ""
