"""`request.session_core`: the per-request slot the middleware attaches.

It holds the request's session (verified lazily, on first access to `.session`, or by
`session_required`, or just created) and the effects due on its response. It lives on
the request object, so nothing of one request ever reaches another's response.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest

from session_core_driver.django.adapter import web_request
from session_core_driver.django.errors import as_django
from session_core_driver.django.registry import Installed
from session_core_driver.django.session import DjangoSession
from session_core_driver.errors import SessionError, TryRefreshToken, Unauthorised
from session_core_driver.web.csrf import origin_allowed
from session_core_driver.web.handlers import WebSessions
from session_core_driver.web.messages import NO_EFFECTS, ResponseEffects, WebResponse
from session_core_driver.web.responses import classify
from session_core_driver.web.validators import ClaimValidator, run_validators

_UNSET: Any = object()


class RequestSessionCore:
    """Sessions for one Django request: `session`, `require`, `create`, refresh, sign out."""

    def __init__(self, installed: Installed, request: HttpRequest) -> None:
        self._installed = installed
        self._request = request
        self._session: DjangoSession | None = _UNSET
        self.effects: ResponseEffects = NO_EFFECTS

    def __repr__(self) -> str:
        return "RequestSessionCore()"

    # The slot (SessionSlot protocol).
    def add(self, effects: ResponseEffects) -> None:
        self.effects = self.effects + effects

    def replace(self, effects: ResponseEffects) -> None:
        """Drop what was due so far (a cleared session makes earlier cookies moot)."""
        self.effects = effects

    def forget_session(self) -> None:
        self._session = None

    @property
    def web(self) -> WebSessions:
        return self._installed.web

    @property
    def session(self) -> DjangoSession | None:
        """The request's session, verified on first access with the default checks.

        None when the request carries no valid session (nothing is cleared then: a
        guarded view answers session errors, see `session_required`).
        """
        if self._session is _UNSET:
            try:
                self.require()
            except (TryRefreshToken, Unauthorised):
                self._session = None
        return self._session

    def require(
        self,
        *,
        anti_csrf_check: bool | None = None,
        check_database: bool | None = None,
        validators: Iterable[ClaimValidator] = (),
    ) -> DjangoSession:
        """Verify the request's session with these checks (blocking: one core call at most).

        Raises the driver's session errors, InvalidClaims as SessionPermissionDenied.
        """
        installed = self._installed
        database = installed.settings.check_database if check_database is None else check_database
        try:
            verified, token = installed.web.verify(
                web_request(self._request),
                anti_csrf_check=anti_csrf_check,
                check_database=database,
            )
            run_validators(verified.claims, tuple(validators))
        except SessionError as exc:
            raise as_django(exc) from exc
        self._session = DjangoSession(installed.web, self, verified, token)
        return self._session

    async def arequire(self, **checks: Any) -> DjangoSession:
        """`require` off the event loop (in a worker thread)."""
        return await sync_to_async(lambda: self.require(**checks), thread_sensitive=False)()

    def create(
        self,
        user_id: str,
        *,
        access_token_claims: Mapping[str, Any] | None = None,
        session_data: Mapping[str, Any] | None = None,
        absolute_lifetime_seconds: int | None = None,
    ) -> DjangoSession:
        """Start a session for a user the app has just authenticated (a login view).

        Session cookies or headers the request carries are ignored: the response
        overwrites them. Raises InvalidRequest / SessionTooLarge for bad ids or claims.
        """
        web = self._installed.web
        created, effects = web.create(
            web_request(self._request),
            user_id,
            access_token_claims=access_token_claims,
            session_data=session_data,
            absolute_lifetime_seconds=absolute_lifetime_seconds,
        )
        self.replace(effects)
        self._session = DjangoSession(web, self, created.verified(), created.tokens.access_token)
        return self._session

    async def acreate(self, user_id: str, **options: Any) -> DjangoSession:
        return await sync_to_async(
            lambda: self.create(user_id, **options), thread_sensitive=False
        )()

    def origin_is_allowed(self) -> bool:
        """False for a foreign origin (login CSRF): check it in login views."""
        return origin_allowed(self._installed.web.config, web_request(self._request))

    def refresh(self) -> WebResponse:
        """Run the refresh handling on this request; its cookies go on this response."""
        return self._queued(self._installed.web.refresh(web_request(self._request)))

    def sign_out(self) -> WebResponse:
        """Run the sign-out handling on this request; its cookies go on this response."""
        return self._queued(self._installed.web.sign_out(web_request(self._request)))

    def error_response(self, exc: SessionError) -> WebResponse:
        """The table's answer to `exc`; its effects are queued on this response."""
        answer = self._installed.web.error_response(web_request(self._request), exc)
        if classify(exc).clears_session:
            self.replace(answer.effects)
            self._session = None
        else:
            self.add(answer.effects)
        return answer

    def _queued(self, answer: WebResponse) -> WebResponse:
        self.replace(answer.effects)
        return answer
