"""The example app's views: sign in, list and revoke sessions, sign out.

Server-rendered HTML and plain form POSTs, so the anti-CSRF mode is `none`: the session
cookies are SameSite=Lax and every state-changing request must come from the app's own
origin (the driver checks Origin / Sec-Fetch-Site). When the access token has expired, a
page answers with a small form that POSTs to /auth/refresh/continue (under the refresh
path, so the refresh cookie is sent) and comes back.

Every page also loads the browser helper `session.js` (served here from the gateway
package's file): the sessions page fetches `/api/me` through it, which refreshes an
expired access token by itself, and signs out with it. The forms keep working without
JavaScript. `/api/...` answers session errors as JSON (never a redirect or a page), so
the helper can tell them apart.
"""

from __future__ import annotations

import datetime
import urllib.parse
from collections.abc import Mapping
from typing import Any

from flask import (
    Flask,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from examples.common.users import UserStore, demo_store
from session_core_driver import SessionError, TryRefreshToken, Unauthorised
from session_core_driver.flask import (
    SessionCore,
    create_new_session,
    current_session,
    handle_refresh,
    origin_is_allowed,
    session_required,
)
from session_core_driver.web.responses import classify, error_body
from session_core_gateway.assets import SESSION_JS_PATH

REFRESH_PAGE_PATH = "/auth/refresh/continue"
API_PREFIX = "/api/"


def create_app(settings: Mapping[str, Any], users: UserStore | None = None) -> Flask:
    """The example app; `settings` are SESSION_CORE_* keys (target, API key, API origin)."""
    app = Flask(__name__)
    app.config.update({"SESSION_CORE_ANTI_CSRF": "none", **settings})
    sessions = SessionCore(app)
    store = users or demo_store()
    _add_session_handlers(sessions)
    _add_account_views(app, store)
    _add_session_views(app, sessions, store)
    _add_browser_helper(app, sessions)
    app.jinja_env.filters["when"] = _when
    return app


def _when(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect to another site.

    Browsers drop tabs and newlines from URLs and read a backslash as a slash (so "/",
    a tab, "/evil.example" would become "//evil.example"): any control character or
    backslash is refused, and the rest must parse as a bare path starting with one "/".
    """
    fallback = url_for("sessions_page")
    if not target or "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return fallback
    parts = urllib.parse.urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return fallback
    return fallback if parts.path.startswith("//") else target


def _api_answer(exc: SessionError) -> Any:
    """The driver's own JSON answer, for scripts (session.js reads its marker header)."""
    answer = classify(exc)
    return error_body(exc, answer), answer.status


def _add_session_handlers(sessions: SessionCore) -> None:
    @sessions.unauthorised_handler
    def to_login(exc: SessionError) -> Any:
        if request.path.startswith(API_PREFIX):
            return _api_answer(exc)
        return redirect(url_for("login_form"), 303)

    @sessions.token_theft_handler
    def theft(exc: SessionError) -> Any:
        if request.path.startswith(API_PREFIX):
            return _api_answer(exc)
        return redirect(url_for("login_form", notice="theft"), 303)

    @sessions.try_refresh_handler
    def refresh_first(exc: SessionError) -> Any:
        if request.path.startswith(API_PREFIX):
            return _api_answer(exc)  # the page's script refreshes and retries
        if isinstance(exc, TryRefreshToken) and exc.reason == "anti_csrf":
            # A request from another site: never lead the browser into a refresh.
            return Response("forbidden: cross-site request", 403, mimetype="text/plain")
        back = request.path if request.method == "GET" else url_for("sessions_page")
        return render_template("refresh.html", action=REFRESH_PAGE_PATH, next=back), 401


def _add_account_views(app: Flask, store: UserStore) -> None:
    @app.get("/")
    def home() -> Response:
        return redirect(url_for("sessions_page"))

    @app.get("/login")
    def login_form() -> str:
        return render_template("login.html", notice=request.args.get("notice"), error=None)

    @app.post("/login")
    def login() -> Any:
        if not origin_is_allowed():
            abort(403)  # login CSRF: only our own pages may sign someone in
        user = store.authenticate(
            request.form.get("username", ""), request.form.get("password", "")
        )
        if user is None:
            return render_template(
                "login.html", notice=None, error="Wrong username or password."
            ), 401
        create_new_session(user.username, access_token_claims={"name": user.display_name})
        return redirect(url_for("sessions_page"), 303)

    @app.post(REFRESH_PAGE_PATH)
    def refresh_page() -> Any:
        answer = handle_refresh()
        if answer.status == 200:
            return redirect(_safe_next(request.form.get("next")), 303)
        return redirect(url_for("login_form"), 303)


def _add_session_views(app: Flask, sessions: SessionCore, store: UserStore) -> None:
    @app.get("/sessions")
    @session_required
    def sessions_page() -> str:
        mine = list(sessions.client.list_user_sessions(current_session.user_id))
        return render_template(
            "sessions.html",
            name=current_session.claims.get("name", current_session.user_id),
            sessions=mine,
            current=current_session.handle,
        )

    @app.post("/sessions/<handle>/revoke")
    @session_required
    def revoke(handle: str) -> Response:
        try:
            owner = sessions.client.get_session(handle).user_id
        except Unauthorised:
            owner = None  # already ended: nothing to do
        if owner is not None and owner != current_session.user_id:
            abort(404)  # never reveal or touch another user's session
        if handle == current_session.handle:
            current_session.revoke()
            return redirect(url_for("login_form"), 303)
        if owner is not None:
            sessions.client.revoke_sessions([handle])
        return redirect(url_for("sessions_page"), 303)

    @app.post("/sessions/revoke-others")
    @session_required
    def revoke_others() -> Response:
        current_session.revoke_other_sessions()
        return redirect(url_for("sessions_page"), 303)

    @app.get(API_PREFIX + "me")
    @session_required
    def api_me() -> Response:
        return jsonify(user_id=current_session.user_id, claims=current_session.claims)

    @app.post("/logout")
    @session_required
    def logout() -> Response:
        current_session.revoke()
        return redirect(url_for("login_form", notice="signed-out"), 303)


def _add_browser_helper(app: Flask, sessions: SessionCore) -> None:
    @app.get("/session.js")
    def session_js() -> Response:
        # The helper ships inside the gateway package: serving that file keeps one copy.
        return send_file(SESSION_JS_PATH, mimetype="text/javascript", max_age=0)

    @app.context_processor
    def session_js_settings() -> dict[str, Any]:
        """The helper's options, from the same settings the driver uses."""
        config = sessions.web.config
        options = {
            "refreshUrl": config.refresh_path,
            "signOutUrl": config.signout_path,
            "transport": config.transport,
            "antiCsrf": config.anti_csrf_mode,
            "frontCookie": config.front_token_cookie_name,
        }
        return {"session_js_options": options}
