"""Anti-CSRF through Django: failures answer 401, rotate nothing, clear nothing (B11, A31, A33).

The refresh and sign-out views are shared; the guarded state-changing route is checked
for each view kind (plain, async, DRF).
"""

from __future__ import annotations

import httpx
import pytest

from session_core_driver import SessionCoreClient
from tests.driver.django.conftest import Serve
from tests.driver.flask.checks import assert_session_untouched, jar, session_message

MODE_HEADERS = {"token": "sc-anti-csrf", "custom_header": "sc-requested-with"}


def login(http: httpx.Client, kind: str, user: str) -> tuple[str, str]:
    """Sign in; (handle, anti-CSRF token from the response, "" outside token mode)."""
    response = http.post(f"/{kind}/login", json={"user_id": user})
    assert response.status_code == 200, response.text
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
    serve: Serve, client: SessionCoreClient, kind: str, mode: str
) -> None:
    server = serve(anti_csrf=mode)
    with server.client() as http:
        handle, token = login(http, kind, f"b11-{mode}-{kind}")
        before, stored = jar(http), client.get_session(handle)
        response = http.post("/auth/refresh", data={"x": "1"})  # a cross-site form POST
        assert_refused_without_effect(response, http, before)
        assert client.get_session(handle).last_refreshed_at == stored.last_refreshed_at
        response = http.post("/auth/refresh", headers=good_header(mode, token))
        assert response.status_code == 200
        assert jar(http)["sc_rt"] != before["sc_rt"]
        token = response.headers.get("sc-anti-csrf", "")
        assert http.post(f"/{kind}/me", headers=good_header(mode, token)).status_code == 200


@pytest.mark.parametrize("mode", ["token", "custom_header"])
def test_A31_missing_anti_csrf_header_is_refused_everywhere_without_clearing(
    serve: Serve, client: SessionCoreClient, kind: str, mode: str
) -> None:
    server = serve(anti_csrf=mode)
    with server.client() as http:
        handle, token = login(http, kind, f"a31-{mode}-{kind}")
        before = jar(http)
        assert_refused_without_effect(http.post("/auth/refresh"), http, before)
        guarded = http.post(f"/{kind}/me")
        assert session_message(guarded) == (401, "try refresh token", "anti_csrf")
        assert_session_untouched(guarded)
        signout = http.post("/auth/signout")
        assert session_message(signout) == (401, "try refresh token", "anti_csrf")
        assert_session_untouched(signout)
        assert http.get(f"/{kind}/me").status_code == 200  # safe methods are not checked
        assert client.get_session(handle).handle == handle
        assert http.post(f"/{kind}/me", headers=good_header(mode, token)).status_code == 200


def test_A33_another_sessions_anti_csrf_token_is_refused_as_A31(
    serve: Serve, client: SessionCoreClient, kind: str
) -> None:
    server = serve(anti_csrf="token")
    with server.client() as victim, server.client() as other:
        handle, _ = login(victim, kind, f"a33-victim-{kind}")
        _, other_token = login(other, kind, f"a33-other-{kind}")
        before, stored = jar(victim), client.get_session(handle)
        response = victim.post("/auth/refresh", headers={"sc-anti-csrf": other_token})
        assert_refused_without_effect(response, victim, before)
        assert client.get_session(handle).last_refreshed_at == stored.last_refreshed_at
        guarded = victim.post(f"/{kind}/me", headers={"sc-anti-csrf": other_token})
        assert session_message(guarded) == (401, "try refresh token", "anti_csrf")
        assert_session_untouched(guarded)


@pytest.mark.parametrize(
    "headers",
    [{"origin": "https://evil.example"}, {"origin": "null"}, {"sec-fetch-site": "cross-site"}],
)
def test_cross_site_requests_are_refused_without_clearing(
    serve: Serve, kind: str, headers: dict[str, str]
) -> None:
    server = serve()
    with server.client() as http:
        login(http, kind, f"cross-site-{kind}")
        response = http.post(f"/{kind}/me", headers=headers)
        assert session_message(response) == (401, "try refresh token", "anti_csrf")
        assert_session_untouched(response)
