"""An application's own 401 is told apart from a session 401, so clients never loop (B7).

The documented client policy (docs/python-driver.md): refresh only on a 401 that carries
`sc-session-error: try-refresh-token`, at most `cap` times for one request, then surface
the last answer. The harness below follows it; the server counts the refreshes it saw.
"""

from __future__ import annotations

import httpx
import pytest

from tests.driver.flask.checks import session_message
from tests.driver.flask.conftest import Serve

SESSION_MESSAGES = {"try refresh token", "unauthorised", "token theft detected"}


def call_with_refresh(
    http: httpx.Client, method: str, path: str, cap: int
) -> tuple[httpx.Response, int]:
    """(the answer surfaced, refreshes made) under the documented retry policy."""
    refreshes = 0
    while True:
        response = http.request(method, path)
        wants_refresh = response.headers.get("sc-session-error") == "try-refresh-token"
        if response.status_code != 401 or not wants_refresh or refreshes >= cap:
            return response, refreshes
        refreshes += 1
        if http.post("/auth/refresh").status_code != 200:
            return response, refreshes


@pytest.mark.parametrize("cap", [1, 3])
def test_B7_an_app_401_never_triggers_a_refresh(serve: Serve, cap: int) -> None:
    server, app = serve()
    with server.client() as http:
        http.post("/login", json={"user_id": f"b7-app-{cap}"})
        response, refreshes = call_with_refresh(http, "GET", "/forbidden-ish", cap)
    assert (response.status_code, response.json()) == (401, {"message": "not for you"})
    assert "sc-session-error" not in response.headers
    assert refreshes == 0 and app.calls["/auth/refresh"] == 0


@pytest.mark.parametrize("cap", [1, 3])
def test_B7_a_session_401_that_persists_is_refreshed_at_most_cap_times(
    serve: Serve, cap: int
) -> None:
    server, app = serve()
    with server.client() as http:
        http.post("/login", json={"user_id": f"b7-session-{cap}"})
        response, refreshes = call_with_refresh(http, "GET", "/always-try-refresh", cap)
    assert session_message(response) == (401, "try refresh token", "expired")
    assert refreshes == cap
    assert app.calls["/auth/refresh"] == cap  # the server saw N refreshes, not unbounded
    assert app.calls["/always-try-refresh"] == cap + 1


def test_B7_every_driver_401_is_marked_and_app_401s_are_not(serve: Serve) -> None:
    server, _ = serve()
    with server.client() as http:
        no_session = http.get("/me")
        app_own = http.get("/forbidden-ish")
    assert no_session.headers["sc-session-error"] == "unauthorised"
    assert no_session.json()["message"] in SESSION_MESSAGES
    assert "sc-session-error" not in app_own.headers
    assert app_own.json().get("message") not in SESSION_MESSAGES
