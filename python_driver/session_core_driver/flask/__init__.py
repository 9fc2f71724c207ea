"""session_core_driver.flask: sessions for Flask apps.

    core = SessionCore(app)            # or SessionCore() + core.init_app(app)

    @app.post("/login")
    def login():
        ...  # check the password
        create_new_session(user_id)

    @app.get("/me")
    @session_required
    def me():
        return {"user": current_session.user_id}

Settings are read once from `app.config` (see `session_core_driver.flask.settings`).
"""

from __future__ import annotations

from session_core_driver.flask.extension import SessionCore
from session_core_driver.flask.protection import (
    create_new_session,
    current_session,
    get_current_session,
    origin_is_allowed,
    session_required,
)
from session_core_driver.flask.session import FlaskSession
from session_core_driver.flask.views import handle_refresh, handle_sign_out, make_blueprint
from session_core_driver.web.validators import claim_equals, claim_includes

__all__ = [
    "FlaskSession",
    "SessionCore",
    "claim_equals",
    "claim_includes",
    "create_new_session",
    "current_session",
    "get_current_session",
    "handle_refresh",
    "handle_sign_out",
    "make_blueprint",
    "origin_is_allowed",
    "session_required",
]
