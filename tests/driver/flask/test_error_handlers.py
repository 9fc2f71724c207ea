"""Session errors answer 401 JSON under blueprints, Flask-RESTful resources and apps
with their own catch-all error handlers, never 500 (B24); and custom handlers."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from flask import Blueprint, Flask, jsonify
from flask_restful import Api, Resource  # type: ignore[import-untyped]

from session_core_driver.flask import SessionCore, create_new_session, session_required
from tests.driver.flask.apps import settings_for
from tests.driver.flask.checks import jar, session_message
from tests.driver.flask.conftest import StartCore
from tests.driver.flask.live import LiveServer
from tests.support.core_process import CoreProcess
from tests.support.waiting import sleep_past

GUARDED = ["/bp/me", "/restful/me", "/plain/me"]


def build_b24_app(core: CoreProcess, api_origin: str) -> Flask:
    app = Flask(__name__)
    app.config.update(settings_for(core, api_origin, leeway=0))
    SessionCore(app)

    @app.errorhandler(Exception)
    def app_catch_all(exc: Exception) -> Any:
        return jsonify(message="app error handler"), 500

    blueprint = Blueprint("bp", __name__, url_prefix="/bp")

    @blueprint.errorhandler(Exception)
    def blueprint_catch_all(exc: Exception) -> Any:
        return jsonify(message="blueprint error handler"), 500

    @blueprint.get("/me")
    @session_required
    def bp_me() -> Any:
        return jsonify(ok=True)

    app.register_blueprint(blueprint)

    class Me(Resource):  # type: ignore[misc]
        method_decorators = (session_required,)

        def get(self) -> dict[str, bool]:
            return {"ok": True}

    Api(app).add_resource(Me, "/restful/me")

    @app.get("/plain/me")
    @session_required
    def plain_me() -> Any:
        return jsonify(ok=True)

    @app.post("/login")
    def login() -> Any:
        return jsonify(handle=create_new_session("b24-user").handle)

    return app


# Token times are whole seconds, so a 1 s token may expire at once; 3 s leaves the
# requests right after login at least 2 s, and the test sleeps past `exp` anyway.
SHORT_LIFETIME_SECONDS = 3


@pytest.fixture(scope="module")
def short_core(start_core: StartCore) -> CoreProcess:
    return start_core(access_token_lifetime_seconds=SHORT_LIFETIME_SECONDS, leeway_seconds=0)


@pytest.fixture
def b24_server(short_core: CoreProcess) -> Iterator[LiveServer]:
    server = LiveServer()
    server.serve(build_b24_app(short_core, server.url))
    yield server
    server.stop()


def get(server: LiveServer, path: str, access_token: str | None) -> httpx.Response:
    headers = {"cookie": f"sc_at={access_token}"} if access_token is not None else {}
    with server.client() as http:
        return http.get(path, headers=headers)


def test_B24_expired_malformed_and_missing_tokens_answer_401_everywhere(
    b24_server: LiveServer,
) -> None:
    with b24_server.client() as http:
        http.post("/login")
        token = jar(http)["sc_at"]
        assert all(http.get(path).status_code == 200 for path in GUARDED)
    sleep_past(_expiry(token))
    cases = [
        (token, "try refresh token"),
        ("not.a.token", "try refresh token"),
        (None, "unauthorised"),
    ]
    for access_token, message in cases:
        for path in GUARDED:
            response = get(b24_server, path, access_token)
            assert session_message(response)[:2] == (401, message), (path, response.text)
            assert response.headers["content-type"] == "application/json"


def _expiry(token: str) -> float:
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return float(claims["exp"])


def test_custom_handlers_choose_the_body_but_not_the_cookie_rules(
    short_core: CoreProcess,
) -> None:
    server = LiveServer()
    app = Flask(__name__)
    app.config.update(settings_for(short_core, server.url))
    sessions = SessionCore(app)

    @sessions.unauthorised_handler
    def unauthorised(exc: Exception) -> Any:
        return "<p>Please sign in</p>", 401

    @app.get("/page")
    @session_required
    def page() -> str:
        return "secret"

    server.serve(app)
    try:
        with server.client() as http, server.client() as anonymous:
            response = http.get("/page", headers={"cookie": "sc_at=x.y.z"})
            nothing = anonymous.get("/page")
    finally:
        server.stop()
    assert (response.status_code, response.json()["message"]) == (401, "try refresh token")
    assert (nothing.status_code, nothing.text) == (401, "<p>Please sign in</p>")
    assert nothing.headers["sc-session-error"] == "unauthorised"
    assert nothing.headers.get_list("set-cookie") == []  # no session: nothing cleared
