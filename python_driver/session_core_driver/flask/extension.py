"""SessionCore: the Flask extension (`SessionCore(app)` or `SessionCore()` + `init_app`).

`init_app` reads the settings once from `app.config` (defaults seeded with setdefault),
builds the client, verifier and WebSessions, keeps them in `app.extensions["session_core"]`,
mounts the refresh and sign-out views (unless SESSION_CORE_MOUNT_VIEWS is False), and
registers the hooks that put each request's pending cookies and headers on its response.

Default answers follow the outcome table (JSON `{"message", "reason"}`); register your
own with `unauthorised_handler`, `try_refresh_handler`, `token_theft_handler` and
`invalid_claims_handler`. A handler only chooses the body and status: the driver still
clears or keeps the cookies as the table says and marks the answer `sc-session-error`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app
from flask.typing import ResponseReturnValue

from session_core_driver.client import SessionCoreClient
from session_core_driver.errors import (
    InvalidClaims,
    SessionError,
    TokenTheftDetected,
    TryRefreshToken,
    Unauthorised,
)
from session_core_driver.flask import views
from session_core_driver.flask.adapter import apply_effects, to_flask, web_request
from session_core_driver.flask.protection import create_new_session, session_required
from session_core_driver.flask.registry import EXTENSION_KEY, Installed, installed
from session_core_driver.flask.settings import read_settings
from session_core_driver.flask.state import discard_request_state, request_state
from session_core_driver.verifier import SessionVerifier
from session_core_driver.web.handlers import WebSessions
from session_core_driver.web.responses import classify
from session_core_driver.web.settings import make_web_sessions

Handler = Callable[[Any], ResponseReturnValue]


class SessionCore:
    """Sessions for a Flask app. `client` / `verifier` may be passed to share them."""

    def __init__(
        self,
        app: Flask | None = None,
        *,
        client: SessionCoreClient | None = None,
        verifier: SessionVerifier | None = None,
    ) -> None:
        self._client = client
        self._verifier = verifier
        self._handlers: dict[type[SessionError], Handler] = {}
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        settings = read_settings(app, need_api_key=self._client is None)
        web = make_web_sessions(settings, self._client, self._verifier)
        app.extensions[EXTENSION_KEY] = Installed(self, web, settings)
        app.after_request(_apply_pending_effects)
        app.teardown_request(_discard_state)
        app.register_error_handler(SessionError, self.error_response)
        if settings.mount_views:
            app.register_blueprint(views.make_blueprint(settings.web))

    @property
    def web(self) -> WebSessions:
        """The current app's WebSessions (client, verifier, config)."""
        return installed().web

    @property
    def client(self) -> SessionCoreClient:
        return installed().web.client

    def unauthorised_handler(self, handler: Handler) -> Handler:
        return self._register(Unauthorised, handler)

    def try_refresh_handler(self, handler: Handler) -> Handler:
        return self._register(TryRefreshToken, handler)

    def token_theft_handler(self, handler: Handler) -> Handler:
        return self._register(TokenTheftDetected, handler)

    def invalid_claims_handler(self, handler: Handler) -> Handler:
        return self._register(InvalidClaims, handler)

    def error_response(self, exc: SessionError) -> Response:
        """The answer to a session error in this request (registered for SessionError).

        The cookies are cleared or kept as the outcome table says, whatever the handler
        returns; an answer that clears drops any cookie set earlier in the request.
        """
        answer = installed().web.error_response(web_request(), exc)
        state = request_state()
        if classify(exc).clears_session:
            state.replace(answer.effects)
            state.session = None
        else:
            state.add(answer.effects)
        handler = self._handler_for(exc)
        if handler is None:
            return to_flask(answer)
        return current_app.make_response(handler(exc))

    def _register(self, kind: type[SessionError], handler: Handler) -> Handler:
        self._handlers[kind] = handler
        return handler

    def _handler_for(self, exc: SessionError) -> Handler | None:
        for kind in type(exc).__mro__:
            if kind in self._handlers:
                return self._handlers[kind]
        return None

    # The module-level API, also reachable from the extension object.
    protected = staticmethod(session_required)
    create_new_session = staticmethod(create_new_session)


def _apply_pending_effects(response: Response) -> Response:
    state = request_state()
    return apply_effects(response, state.effects) if state.effects else response


def _discard_state(_exc: BaseException | None) -> None:
    discard_request_state()
