"""A session cookie that arrives twice: the session is ambiguous, and neither value is used.

Case A27 (login request carries an attacker-chosen session cookie / RT cookie → ignored;
a fresh session is created) with cookies planted at a narrower Path, which the browser
sends beside ours, and first. Also: over-length tokens are not authentic (never a 400).
"""

from __future__ import annotations

import httpx

from session_core_driver import SessionCoreClient
from tests.driver.flask.checks import cleared, jar, session_message, set_cookies
from tests.driver.flask.conftest import Serve

HOST = "127.0.0.1"


def _login(http: httpx.Client, user: str) -> None:
    login = http.post("/login", json={"user_id": user})
    assert login.status_code == 200
    assert {"sc_at", "sc_rt", "sc_front"} <= set(set_cookies(login))


def _paths(response: httpx.Response, name: str) -> set[str]:
    headers = response.headers.get_list("set-cookie")
    return {
        part.strip()[5:]
        for h in headers
        if h.startswith(f"{name}=")
        for part in h.split(";")
        if part.strip().lower().startswith("path=")
    }


def test_A27_planted_narrower_path_access_token_is_never_used(
    serve: Serve, client: SessionCoreClient
) -> None:
    server, _ = serve()
    bob = client.create_session("a27-bob")
    with server.client() as http:
        http.cookies.set("sc_at", bob.tokens.access_token, domain=HOST, path="/me")
        _login(http, "a27-alice")
        assert len([c for c in http.cookies.jar if c.name == "sc_at"]) == 2
        response = http.get("/me")  # sends bob's sc_at first, then alice's
        assert session_message(response) == (401, "unauthorised", "ambiguous_session")
        assert "a27-bob" not in response.text
        assert cleared(response) == {"sc_at", "sc_rt", "sc_front"}
        assert {"/", "/me"} <= _paths(response, "sc_at")  # ours and the planted one
        assert jar(http) == {}
        again = http.get("/me")  # neither bob's nor alice's session
        assert session_message(again) == (401, "unauthorised", "no_session")
    assert client.get_session(bob.session.handle).user_id == "a27-bob"


def test_A27_duplicates_keep_failing_closed_while_they_are_sent(serve: Serve) -> None:
    server, _ = serve()
    with server.client() as http:
        _login(http, "a27-carol")
        alice_at = jar(http)["sc_at"]
        for _ in range(2):
            http.cookies.set("sc_at", "planted", domain=HOST, path="/me")
            http.cookies.set("sc_at", alice_at, domain=HOST, path="/")
            response = http.get("/me")
            assert session_message(response) == (401, "unauthorised", "ambiguous_session")


def test_A27_planted_narrower_path_refresh_token_is_never_rotated(
    serve: Serve, client: SessionCoreClient
) -> None:
    server, _ = serve()
    bob = client.create_session("a27-bob-rt")
    planted_path = "/auth/refresh/continue"
    with server.client() as http:
        http.cookies.set("sc_rt", bob.tokens.refresh_token, domain=HOST, path=planted_path)
        _login(http, "a27-alice-rt")
        response = http.post(planted_path)
        assert session_message(response) == (401, "unauthorised", "ambiguous_session")
        assert {"/auth/refresh", planted_path} <= _paths(response, "sc_rt")
        assert "sc_at" not in jar(http) and "sc_rt" not in jar(http)
        # bob's refresh token was never presented to the core: it still rotates once.
        assert client.refresh_session(bob.tokens.refresh_token).session.user_id == "a27-bob-rt"


def test_a_repeated_cookie_header_pair_is_ambiguous_even_without_a_jar(serve: Serve) -> None:
    server, _ = serve()
    with server.client() as http:
        response = http.get("/me", headers={"cookie": "sc_front=a; sc_front=b"})
    assert session_message(response) == (401, "unauthorised", "ambiguous_session")


def test_an_over_length_refresh_token_is_not_authentic(serve: Serve) -> None:
    server, _ = serve()
    with server.client() as http:
        _login(http, "long-rt")
        http.cookies.set("sc_rt", "r" * 20_000, domain=HOST, path="/auth/refresh")
        response = http.post("/auth/refresh")
    assert session_message(response) == (401, "unauthorised", "invalid")
    assert cleared(response) == {"sc_at", "sc_rt", "sc_front"}


def test_an_over_length_access_token_asks_for_a_refresh(serve: Serve) -> None:
    server, _ = serve()
    with server.client() as http:
        _login(http, "long-at")
        http.cookies.set("sc_at", "a" * 20_000, domain=HOST, path="/")
        for path in ("/me", "/me/db"):
            response = http.get(path)
            assert session_message(response) == (401, "try refresh token", "invalid")
            assert response.headers.get_list("set-cookie") == []
