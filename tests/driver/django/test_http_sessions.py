"""Sessions through Django over a real HTTP server, for plain, async and DRF views.

Cases B5, B8, B12, A27, and the rule that a request carrying no session touches no cookie.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from session_core_driver import SessionCoreClient
from tests.driver.django import views
from tests.driver.django.conftest import Serve
from tests.driver.flask.checks import (
    assert_session_cleared,
    assert_session_untouched,
    jar,
    session_message,
)
from tests.support.waiting import wait_for

WAIT_SECONDS = 5.0


def test_a_request_without_any_session_touches_no_cookie(serve: Serve, kind: str) -> None:
    server = serve()
    with server.client() as http:
        http.cookies.set("unrelated", "1")
        for method, path in [
            ("GET", f"/{kind}/me"),
            ("POST", f"/{kind}/me"),
            ("GET", f"/{kind}/me/db"),
            ("GET", f"/{kind}/admin"),
            ("POST", "/auth/refresh"),
            ("POST", "/auth/signout"),
        ]:
            response = http.request(method, path)
            assert session_message(response) == (401, "unauthorised", "no_session"), path
            assert_session_untouched(response)
            assert response.headers["sc-session-error"] == "unauthorised"


def test_B5_a_late_401_of_a_request_without_cookies_does_not_undo_a_login(
    serve: Serve, kind: str
) -> None:
    server = serve()
    views.RELEASE.clear()
    slow = f"/{kind}/slow-me"
    before = views.CALLS[slow]
    with server.client() as http, ThreadPoolExecutor(1) as pool:
        late = pool.submit(http.get, slow)  # sent with an empty jar
        assert wait_for(lambda: views.CALLS[slow] == before + 1, WAIT_SECONDS)
        login = http.post(f"/{kind}/login", json={"user_id": f"b5-{kind}"})
        assert login.status_code == 200
        views.RELEASE.set()
        response = late.result(timeout=WAIT_SECONDS)
        assert session_message(response) == (401, "unauthorised", "no_session")
        assert_session_untouched(response)
        assert set(jar(http)) == {"sc_at", "sc_rt", "sc_front"}
        me = http.get(f"/{kind}/me")
    assert me.status_code == 200
    assert me.json()["user_id"] == f"b5-{kind}"


def test_B8_refresh_without_the_refresh_cookie_clears_every_session_cookie(
    serve: Serve, kind: str
) -> None:
    server = serve()
    with server.client() as http:
        assert http.post(f"/{kind}/login", json={"user_id": f"b8-{kind}"}).status_code == 200
        http.cookies.delete("sc_rt")  # a wrong Path, or the cookie was deleted
        response = http.post("/auth/refresh")
        assert session_message(response) == (401, "unauthorised", "missing_refresh_token")
        assert_session_cleared(response)
        assert jar(http) == {}
        assert response.headers["cache-control"] == "no-store"


def test_B8_header_transport_refresh_without_refresh_token_sends_front_remove(
    serve: Serve, kind: str
) -> None:
    server = serve(transport="header")
    with server.client() as http:
        login = http.post(f"/{kind}/login", json={"user_id": f"b8h-{kind}"})
        token = login.headers["sc-access-token"]
        response = http.post("/auth/refresh", headers={"authorization": f"Bearer {token}"})
    assert session_message(response) == (401, "unauthorised", "missing_refresh_token")
    assert response.headers["sc-front-token"] == "remove"
    assert response.headers.get_list("set-cookie") == []


def test_B12_sign_out_after_an_admin_revoke_still_clears_the_cookies(
    serve: Serve, client: SessionCoreClient, kind: str
) -> None:
    server = serve()
    user = f"b12-{kind}"
    with server.client() as http:
        handle = http.post(f"/{kind}/login", json={"user_id": user}).json()["handle"]
        assert client.revoke_user_sessions(user) == [handle]
        checked = http.get(f"/{kind}/me/db")  # the guarded view notices the revoke
        assert session_message(checked)[:2] == (401, "unauthorised")
        assert_session_cleared(checked)
    with server.client() as http:
        handle = http.post(f"/{kind}/login", json={"user_id": user}).json()["handle"]
        assert client.revoke_user_sessions(user) == [handle]
        response = http.post("/auth/signout")
        assert session_message(response)[:2] == (200, "signed out")
        assert_session_cleared(response)
        assert jar(http) == {}
    assert client.revoke_sessions([handle]) == []  # nothing left to revoke, no error


def test_A27_a_planted_session_cookie_is_ignored_and_overwritten_at_login(
    serve: Serve, kind: str
) -> None:
    server = serve()
    with server.client() as attacker:
        attacker.post(f"/{kind}/login", json={"user_id": f"a27-attacker-{kind}"})
        planted = jar(attacker)
    with server.client() as victim:
        for name, value in planted.items():  # where ours go: overwritten, not added beside
            path = "/auth/refresh" if name == "sc_rt" else "/"
            victim.cookies.set(name, value, domain="127.0.0.1", path=path)
        login = victim.post(f"/{kind}/login", json={"user_id": f"a27-victim-{kind}"})
        assert login.status_code == 200
        fresh = jar(victim)
        assert set(fresh) == {"sc_at", "sc_rt", "sc_front"}
        assert all(fresh[name] != planted[name] for name in fresh)
        assert len(list(victim.cookies.jar)) == 3
        assert victim.get(f"/{kind}/me").json()["user_id"] == f"a27-victim-{kind}"


def test_A27_a_planted_narrower_path_access_token_is_never_used(
    serve: Serve, client: SessionCoreClient, kind: str
) -> None:
    server = serve()
    bob = client.create_session(f"a27-bob-{kind}")
    with server.client() as http:
        http.cookies.set("sc_at", bob.tokens.access_token, domain="127.0.0.1", path=f"/{kind}")
        assert http.post(f"/{kind}/login", json={"user_id": f"a27-alice-{kind}"}).status_code == 200
        assert len([c for c in http.cookies.jar if c.name == "sc_at"]) == 2
        response = http.get(f"/{kind}/me")  # both sc_at values are sent
        assert session_message(response) == (401, "unauthorised", "ambiguous_session")
        assert f"a27-bob-{kind}" not in response.text
        assert "sc_at" not in jar(http) or jar(http)["sc_at"] != bob.tokens.access_token
    assert client.get_session(bob.session.handle).user_id == f"a27-bob-{kind}"
