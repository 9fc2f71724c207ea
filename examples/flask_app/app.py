"""The example app's views: sign in, list and revoke sessions, sign out.

Server-rendered HTML and plain form POSTs, so the anti-CSRF mode is `none`: the session
cookies are SameSite=Lax and every state-changing request must come from the app's own
origin (the driver checks Origin / Sec-Fetch-Site). When the access token has expired, a
page answers with a small form that POSTs to /auth/refresh/continue (under the refresh
path, so the refresh cookie is sent) and comes back.
"""

from __future__ import annotations

import datetime
import urllib.parse
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, abort, redirect, render_template, request, url_for

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

REFRESH_PAGE_PATH = "/auth/refresh/continue"


def create_app(settings: Mapping[str, Any], users: UserStore | None = None) -> Flask:
    """The example app; `settings` are SESSION_CORE_* keys (target, API key, API origin)."""
    app = Flask(__name__)
    app.config.update({"SESSION_CORE_ANTI_CSRF": "none", **settings})
    sessions = SessionCore(app)
    store = users or demo_store()
    _add_session_handlers(sessions)
    _add_account_views(app, store)
    _add_session_views(app, sessions, store)
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


def _add_session_handlers(sessions: SessionCore) -> None:
    @sessions.unauthorised_handler
    def to_login(_exc: SessionError) -> Any:
        return redirect(url_for("login_form"), 303)

    @sessions.token_theft_handler
    def theft(_exc: SessionError) -> Any:
        return redirect(url_for("login_form", notice="theft"), 303)

    @sessions.try_refresh_handler
    def refresh_first(exc: SessionError) -> Any:
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

    @app.post("/logout")
    @session_required
    def logout() -> Response:
        current_session.revoke()
        return redirect(url_for("login_form", notice="signed-out"), 303)
