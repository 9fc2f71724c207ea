"""Anti-CSRF over HTTP: failures answer 401 with reason anti_csrf, rotate nothing, clear nothing.

Cases B11, A31 and A33, and the Origin / Sec-Fetch-Site checks on state-changing requests.
"""

from __future__ import annotations

import httpx
import pytest

from session_core_driver import SessionCoreClient
from tests.driver.flask.checks import assert_session_untouched, jar, session_message
from tests.driver.flask.conftest import Serve

# The header each mode needs, and a value that satisfies it (token mode: the real token).
MODE_HEADERS = {"token": "sc-anti-csrf", "custom_header": "sc-requested-with"}


def login(http: httpx.Client, user: str) -> tuple[str, str]:
    """Sign in; (handle, anti-CSRF token from the response, "" outside token mode)."""
    response = http.post("/login", json={"user_id": user})
    assert response.status_code == 200
    return response.json()["handle"], response.headers.get("sc-anti-csrf", "")


def assert_refused_without_effect(
    response: httpx.Response, http: httpx.Client, before: dict[str, str]
) -> None:
    assert session_message(response) == (401, "unauthorised", "anti_csrf")
    assert_session_untouched(response)
    assert jar(http) == before


def good_header(mode: str, token: str) -> dict[str, str]:
    return {MODE_HEADERS[mode]: token if mode == "token" else "fetch"}


@pytest.mark.parametrize("mode", ["token", "custom_header"])
def test_B11_refresh_without_the_anti_csrf_header_rotates_nothing_and_keeps_cookies(
    serve: Serve, client: SessionCoreClient, mode: str
) -> None:
    server, _ = serve(anti_csrf=mode)
    with server.client() as http:
        handle, token = login(http, f"b11-{mode}")
        before, stored = jar(http), client.get_session(handle)
        # Step 1: a cross-site form POST: the cookies come along, the header cannot.
        response = http.post("/auth/refresh", data={"x": "1"})
        assert_refused_without_effect(response, http, before)
        after = client.get_session(handle)  # still live: not revoked
        assert after.last_refreshed_at == stored.last_refreshed_at  # not rotated
        # Step 2: the page's own refresh, with the header, still works with those cookies.
        response = http.post("/auth/refresh", headers=good_header(mode, token))
        assert response.status_code == 200
        assert jar(http)["sc_rt"] != before["sc_rt"]
        assert http.get("/me").status_code == 200


@pytest.mark.parametrize("mode", ["token", "custom_header"])
def test_A31_missing_anti_csrf_header_is_refused_everywhere_without_clearing(
    serve: Serve, client: SessionCoreClient, mode: str
) -> None:
    server, _ = serve(anti_csrf=mode)
    with server.client() as http:
        handle, token = login(http, f"a31-{mode}")
        before = jar(http)
        assert_refused_without_effect(http.post("/auth/refresh"), http, before)
        guarded = http.post("/me")  # a state-changing guarded route
        assert session_message(guarded) == (401, "try refresh token", "anti_csrf")
        assert_session_untouched(guarded)
        signout = http.post("/auth/signout")
        assert session_message(signout) == (401, "try refresh token", "anti_csrf")
        assert_session_untouched(signout)
        assert http.get("/me").status_code == 200  # safe methods are not checked
        assert client.get_session(handle).handle == handle
        assert http.post("/me", headers=good_header(mode, token)).status_code == 200


def test_A33_another_sessions_anti_csrf_token_is_refused_as_A31(
    serve: Serve, client: SessionCoreClient
) -> None:
    server, _ = serve(anti_csrf="token")
    with server.client() as victim, server.client() as other:
        handle, _ = login(victim, "a33-victim")
        _, other_token = login(other, "a33-other")
        before, stored = jar(victim), client.get_session(handle)
        response = victim.post("/auth/refresh", headers={"sc-anti-csrf": other_token})
        assert_refused_without_effect(response, victim, before)
        assert client.get_session(handle).last_refreshed_at == stored.last_refreshed_at
        guarded = victim.post("/me", headers={"sc-anti-csrf": other_token})
        assert session_message(guarded) == (401, "try refresh token", "anti_csrf")
        assert_session_untouched(guarded)


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"sec-fetch-site": "cross-site"},
    ],
    ids=["foreign-origin", "null-origin", "cross-site-fetch"],
)
def test_cross_site_requests_are_refused_without_clearing(
    serve: Serve, headers: dict[str, str]
) -> None:
    server, _ = serve(anti_csrf="none")
    with server.client() as http:
        login(http, "origin-user")
        before = jar(http)
        assert_refused_without_effect(http.post("/auth/refresh", headers=headers), http, before)
        guarded = http.post("/me", headers=headers)
        assert session_message(guarded) == (401, "try refresh token", "anti_csrf")
        assert http.post("/auth/refresh", headers={"origin": server.url}).status_code == 200


def test_allowed_extra_origins_pass(serve: Serve) -> None:
    server, _ = serve(anti_csrf="none", allowed_origins="https://admin.example.com")
    with server.client() as http:
        login(http, "allowed-origin-user")
        headers = {"origin": "https://admin.example.com", "sec-fetch-site": "cross-site"}
        assert http.post("/auth/refresh", headers=headers).status_code == 200
