"""Header transport end to end (topology 3), and theft over HTTP clearing the session."""

from __future__ import annotations

import pytest

from session_core_driver import SessionCoreClient
from session_core_driver.web import decode_front_token
from tests.driver.flask.checks import assert_session_cleared, jar, session_message
from tests.driver.flask.conftest import Serve, StartCore
from tests.support.core_process import CoreProcess


@pytest.fixture(scope="module")
def graceless_core(start_core: StartCore) -> CoreProcess:
    """No grace window: replaying a rotated refresh token is theft at once."""
    return start_core(grace_window_seconds=0)


def test_header_transport_create_refresh_verify_and_sign_out(serve: Serve) -> None:
    server, _ = serve(transport="header")
    with server.client() as http:
        login = http.post("/login", json={"user_id": "header-user", "claims": {"k": 1}})
        assert login.headers.get_list("set-cookie") == []
        access, refresh = login.headers["sc-access-token"], login.headers["sc-refresh-token"]
        assert decode_front_token(login.headers["sc-front-token"]).claims == {"k": 1}
        bearer = {"authorization": f"Bearer {access}"}
        # No cookies are ambient here, so a foreign Origin is no CSRF risk.
        me = http.post("/me", headers=bearer | {"origin": "https://elsewhere.example"})
        assert me.json()["user_id"] == "header-user"
        rotated = http.post("/auth/refresh", headers={"sc-refresh-token": refresh})
        assert rotated.status_code == 200
        assert rotated.headers["sc-refresh-token"] != refresh
        bearer = {"authorization": f"Bearer {rotated.headers['sc-access-token']}"}
        assert http.get("/me", headers=bearer).status_code == 200
        signout = http.post("/auth/signout", headers=bearer)
        assert signout.status_code == 200
        assert signout.headers["sc-front-token"] == "remove"
        assert jar(http) == {}


def test_theft_over_http_answers_401_and_clears_every_cookie(
    serve: Serve, graceless_core: CoreProcess
) -> None:
    server, _ = serve(on_core=graceless_core)
    with server.client() as http, server.client() as thief:
        handle = http.post("/login", json={"user_id": "theft-user"}).json()["handle"]
        stolen = jar(http)
        assert http.post("/auth/refresh").status_code == 200  # the owner rotates
        thief.cookies.set("sc_rt", stolen["sc_rt"], domain="127.0.0.1", path="/auth/refresh")
        replay = thief.post("/auth/refresh")
        assert session_message(replay) == (401, "token theft detected", "token_theft")
        assert_session_cleared(replay, ("sc_at", "sc_rt", "sc_front"))
        owner = http.post("/auth/refresh")  # the session is revoked for its owner too
        assert session_message(owner)[:2] == (401, "unauthorised")
    with SessionCoreClient(graceless_core.target, graceless_core.secrets.api_keys[0]) as c:
        assert c.revoke_sessions([handle]) == []
