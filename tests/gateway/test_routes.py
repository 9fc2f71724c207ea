"""The gateway's own routes: JWKS, health, session.js, and JSON for every error."""

from __future__ import annotations

import json

from session_core_driver import SessionCoreClient
from session_core_gateway import SESSION_JS_PATH
from tests.gateway.conftest import StartDeployment, start_core
from tests.support.core_process import CoreFactory


def test_jwks_is_the_cores_key_set_cached_for_the_cores_max_age(
    gateway: StartDeployment, client: SessionCoreClient
) -> None:
    deployment = gateway()
    with deployment.server.client() as http:
        response = http.get("/.well-known/jwks.json")
    core_jwks, core_max_age = client.get_jwks()
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == f"public, max-age={core_max_age}"
    keys = response.json()["keys"]
    assert keys and keys == json.loads(core_jwks)["keys"]
    assert all("d" not in key for key in keys)  # public halves only


def test_health_is_ok_with_the_core_up_and_unavailable_once_it_stops(
    gateway: StartDeployment, core_factory: CoreFactory
) -> None:
    own_core = start_core(core_factory)  # this test stops it
    deployment = gateway(on_core=own_core)
    with deployment.server.client() as http:
        up = http.get("/health")
        own_core.stop()
        down = http.get("/health")
        jwks = http.get("/.well-known/jwks.json")
    assert (up.status_code, up.json()) == (200, {"status": "ok"})
    assert down.status_code == 503
    assert down.json() == {"status": "unavailable", "reason": "core_unavailable"}
    assert jwks.status_code == 503 and jwks.json()["reason"] == "core_unavailable"
    assert int(jwks.headers["retry-after"]) > 0


def test_health_is_unavailable_when_the_core_refuses_the_api_key(
    gateway: StartDeployment,
) -> None:
    deployment = gateway(api_key="sck_not-a-key-of-this-core")
    with deployment.server.client() as http:
        response = http.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "core_refused_api_key"}


def test_session_js_is_served_as_javascript_from_the_package(gateway: StartDeployment) -> None:
    deployment = gateway()
    with deployment.server.client() as http:
        response = http.get("/session.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content == SESSION_JS_PATH.read_bytes()


def test_errors_are_json_never_html(gateway: StartDeployment) -> None:
    deployment = gateway()

    @deployment.gateway.get("/test-only/boom")
    def boom() -> str:
        raise RuntimeError("a bug with request data in its message")

    with deployment.server.client() as http:
        missing = http.get("/no-such-page")
        wrong_method = http.get("/auth/refresh")
        crashed = http.get("/test-only/boom")
        static = http.get("/static/session.js")  # Flask's static route is off
    expected = [
        (missing, 404, "not found", "not_found"),
        (wrong_method, 405, "method not allowed", "method_not_allowed"),
        (crashed, 500, "internal error", "internal_error"),
        (static, 404, "not found", "not_found"),
    ]
    for response, status, message, reason in expected:
        assert response.status_code == status
        assert response.headers["content-type"] == "application/json"
        assert response.json() == {"message": message, "reason": reason}
        assert response.headers["cache-control"] == "no-store"
    assert "POST" in wrong_method.headers["allow"]
