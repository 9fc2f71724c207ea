"""Sessions over a real HTTP server and a real cookie jar: what each answer does to cookies.

Cases B5, B8, B12, A27 and the rule that a request carrying no session touches no cookie.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from session_core_driver import SessionCoreClient
from tests.driver.flask.checks import (
    assert_session_cleared,
    assert_session_untouched,
    jar,
    session_message,
)
from tests.driver.flask.conftest import Serve
from tests.support.waiting import wait_for

WAIT_SECONDS = 5.0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/me"),
        ("POST", "/me"),
        ("GET", "/me/db"),
        ("GET", "/admin"),
        ("POST", "/auth/refresh"),
        ("POST", "/auth/signout"),
    ],
)
def test_a_request_without_any_session_touches_no_cookie(
    serve: Serve, method: str, path: str
) -> None:
    server, _ = serve()
    with server.client() as http:
        http.cookies.set("unrelated", "1")
        response = http.request(method, path)
    assert session_message(response) == (401, "unauthorised", "no_session")
    assert_session_untouched(response)
    assert response.headers["sc-session-error"] == "unauthorised"


def test_B5_a_late_401_of_a_request_without_cookies_does_not_undo_a_login(serve: Serve) -> None:
    server, app = serve()
    with server.client() as http, ThreadPoolExecutor(1) as pool:
        late = pool.submit(http.get, "/slow-me")  # sent with an empty jar
        assert wait_for(lambda: app.calls["/slow-me"] == 1, WAIT_SECONDS)
        login = http.post("/login", json={"user_id": "b5-user"})
        assert login.status_code == 200
        app.release.set()
        response = late.result(timeout=WAIT_SECONDS)
        assert session_message(response) == (401, "unauthorised", "no_session")
        assert_session_untouched(response)
        assert set(jar(http)) == {"sc_at", "sc_rt", "sc_front"}
        me = http.get("/me")
    assert me.status_code == 200
    assert me.json()["user_id"] == "b5-user"


def test_B8_refresh_without_the_refresh_cookie_clears_every_session_cookie(serve: Serve) -> None:
    server, _ = serve()
    with server.client() as http:
        assert http.post("/login", json={"user_id": "b8-user"}).status_code == 200
        http.cookies.delete("sc_rt")  # a wrong Path, or the cookie was deleted
        assert set(jar(http)) == {"sc_at", "sc_front"}
        response = http.post("/auth/refresh")
        assert session_message(response) == (401, "unauthorised", "missing_refresh_token")
        assert_session_cleared(response)
        assert jar(http) == {}
        assert response.headers["cache-control"] == "no-store"


def test_B8_header_transport_refresh_without_refresh_token_sends_front_remove(
    serve: Serve,
) -> None:
    server, _ = serve(transport="header")
    with server.client() as http:
        login = http.post("/login", json={"user_id": "b8-header"})
        access = login.headers["sc-access-token"]
        response = http.post("/auth/refresh", headers={"authorization": f"Bearer {access}"})
    assert session_message(response) == (401, "unauthorised", "missing_refresh_token")
    assert response.headers["sc-front-token"] == "remove"
    assert response.headers.get_list("set-cookie") == []


@pytest.mark.parametrize("feed", [False, True], ids=["feed-off", "feed-on"])
def test_B12_sign_out_after_an_admin_revoke_still_answers_200_and_clears(
    serve: Serve, client: SessionCoreClient, feed: bool
) -> None:
    server, app = serve(revocation_feed=feed)
    user = f"b12-user-{feed}"
    with server.client() as http:
        handle = http.post("/login", json={"user_id": user}).json()["handle"]
        assert client.revoke_user_sessions(user) == [handle]  # "from another process"
        if feed:  # the app's verifier has seen the revocation: verify says unauthorised
            with app.app.app_context():
                poller = app.sessions.web.verifier.revocations
            assert poller is not None
            assert wait_for(lambda: poller.is_revoked(handle), WAIT_SECONDS)
        response = http.post("/auth/signout")
        assert (response.status_code, response.json()["message"]) == (200, "signed out")
        assert_session_cleared(response)
        assert jar(http) == {}
    assert client.revoke_user_sessions(user) == []  # nothing left, and no error
    assert client.revoke_sessions([handle]) == []


def test_sign_out_revokes_the_session(serve: Serve, client: SessionCoreClient) -> None:
    server, _ = serve()
    with server.client() as http:
        handle = http.post("/login", json={"user_id": "signout-user"}).json()["handle"]
        response = http.post("/auth/signout")
    assert response.status_code == 200
    assert_session_cleared(response)
    assert [s.handle for s in client.list_user_sessions("signout-user")] == []
    assert client.revoke_sessions([handle]) == []


@pytest.mark.parametrize("planted", ["attacker-session", "garbage"])
def test_A27_login_ignores_planted_session_cookies(
    serve: Serve, client: SessionCoreClient, planted: str
) -> None:
    server, _ = serve()
    victim = f"a27-victim-{planted}"
    attacker = client.create_session("a27-attacker")
    values = {
        "sc_at": attacker.tokens.access_token if planted == "attacker-session" else "x.y.z",
        "sc_rt": attacker.tokens.refresh_token if planted == "attacker-session" else "scr1_junk",
        "sc_front": "planted",
    }
    with server.client() as http:
        for name, value in values.items():
            path = "/auth/refresh" if name == "sc_rt" else "/"
            http.cookies.set(name, value, domain="127.0.0.1", path=path)
        login = http.post("/login", json={"user_id": victim})
        assert login.status_code == 200
        held = jar(http)
        assert all(held[name] != value for name, value in values.items())
        assert len(list(http.cookies.jar)) == 3  # overwritten, not added beside
        assert http.get("/me").json()["user_id"] == victim
        assert http.post("/auth/refresh").status_code == 200
        assert http.get("/me").json()["user_id"] == victim
    # The planted session was neither used nor harmed.
    assert client.get_session(attacker.session.handle).user_id == "a27-attacker"
    victims = list(client.list_user_sessions(victim))
    assert [s.handle for s in victims] == [login.json()["handle"]]


def test_refreshed_cookies_keep_the_session_going(serve: Serve) -> None:
    server, _ = serve()
    with server.client() as http:
        http.post("/login", json={"user_id": "rotation-user"})
        first = jar(http)
        response = http.post("/auth/refresh")
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        second = jar(http)
        assert second["sc_rt"] != first["sc_rt"] and second["sc_at"] != first["sc_at"]
        assert http.get("/me").json()["user_id"] == "rotation-user"
