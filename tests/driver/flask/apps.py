"""The Flask app the HTTP tests run: a login route, guarded routes and unguarded ones.

Routes:
    POST /login            {"user_id", "claims"?, "data"?} -> create_new_session
    GET|POST /me           guarded: the session's user id, handle and claims
    GET /me/db             guarded with check_database=True
    POST /claims           guarded: merge the JSON body into the claims, read them back
    GET /admin             guarded with a claim validator (role == admin)
    GET /slow-me           waits for `release` (bounded), then the guarded /me
    GET /public            unguarded
    GET /forbidden-ish     unguarded: the app's own 401, for reasons of its own
    GET /always-try-refresh guarded: the view itself raises TryRefreshToken
    POST /auth/refresh/continue  the refresh handling under the refresh path (a form's)
The refresh and sign-out views are mounted at /auth/refresh and /auth/signout, and
every call to the refresh path is counted.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, jsonify, request

from session_core_driver import TryRefreshToken
from session_core_driver.flask import (
    SessionCore,
    claim_equals,
    create_new_session,
    current_session,
    handle_refresh,
    session_required,
)
from tests.support.core_process import CoreProcess

SLOW_WAIT_SECONDS = 10.0


@dataclass
class GuardedApp:
    app: Flask
    sessions: SessionCore
    release: threading.Event = field(default_factory=threading.Event)
    calls: Counter[str] = field(default_factory=Counter)

    def stop(self) -> None:
        """Stop the revocation poller, if the app started one."""
        with self.app.app_context():
            poller = self.sessions.web.verifier.revocations
        if poller is not None:
            poller.stop()


def settings_for(core: CoreProcess, api_origin: str, **overrides: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "SESSION_CORE_TARGET": core.target,
        "SESSION_CORE_API_KEY": core.secrets.api_keys[0],
        "SESSION_CORE_API_ORIGIN": api_origin,
        "SESSION_CORE_REVOCATION_FEED": False,
        "SESSION_CORE_ANTI_CSRF": "none",
    }
    return settings | {f"SESSION_CORE_{k.upper()}": v for k, v in overrides.items()}


def build_app(core: CoreProcess, api_origin: str, **overrides: Any) -> GuardedApp:
    """The test app, configured for `core`; overrides are SESSION_CORE_* keys, lower case."""
    app = Flask(__name__)
    app.config.update(settings_for(core, api_origin, **overrides))
    built = GuardedApp(app, SessionCore(app))
    _add_routes(built)
    return built


def _session_view() -> dict[str, Any]:
    return {
        "user_id": current_session.user_id,
        "handle": current_session.handle,
        "claims": current_session.claims,
    }


def _add_routes(built: GuardedApp) -> None:
    app = built.app

    @app.before_request
    def count() -> None:
        built.calls[request.path] += 1

    @app.post("/login")
    def login() -> Any:
        body = request.get_json()
        session = create_new_session(
            body["user_id"],
            access_token_claims=body.get("claims"),
            session_data=body.get("data"),
        )
        return jsonify(handle=session.handle, user_id=session.user_id)

    @app.route("/me", methods=["GET", "POST"])
    @session_required
    def me() -> Any:
        return jsonify(_session_view())

    @app.get("/me/db")
    @session_required(check_database=True)
    def me_db() -> Any:
        return jsonify(_session_view())

    @app.post("/claims")
    @session_required
    def claims() -> Any:
        current_session.merge_claims(request.get_json())
        return jsonify(_session_view())

    @app.get("/admin")
    @session_required(validators=[claim_equals("role", "admin")])
    def admin() -> Any:
        return jsonify(_session_view())

    @app.get("/slow-me")
    def slow_me() -> Any:
        assert built.release.wait(SLOW_WAIT_SECONDS), "the test never released /slow-me"
        return me()

    @app.get("/public")
    def public() -> Any:
        return jsonify(ok=True)

    @app.get("/forbidden-ish")
    def forbidden_ish() -> Any:
        return jsonify(message="not for you"), 401

    @app.post("/auth/refresh/continue")
    def refresh_continue() -> Any:
        answer = handle_refresh()
        return jsonify(dict(answer.body)), answer.status

    @app.get("/always-try-refresh")
    @session_required
    def always_try_refresh() -> Any:
        raise TryRefreshToken("expired")
