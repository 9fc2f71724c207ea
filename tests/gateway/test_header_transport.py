"""Topology 3: a non-browser client refreshing through the gateway with header transport."""

from __future__ import annotations

import httpx

from session_core_driver.web import decode_front_token
from tests.driver.flask.checks import session_message
from tests.gateway.conftest import StartDeployment


def login(http: httpx.Client, user: str) -> tuple[str, str]:
    """Sign in at the API; (access token, refresh token) from the response headers."""
    response = http.post("/login", json={"user_id": user})
    assert response.status_code == 200, response.text
    assert response.headers.get_list("set-cookie") == []
    return response.headers["sc-access-token"], response.headers["sc-refresh-token"]


def refresh(http: httpx.Client, refresh_token: str) -> httpx.Response:
    return http.post("/auth/refresh", headers={"sc-refresh-token": refresh_token})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_header_transport_refresh_rotates_and_a_replayed_token_is_theft(
    same_host: StartDeployment,
) -> None:
    deployment = same_host(transport="header")
    with deployment.server.client() as http:
        access, first_rt = login(http, "header-user")
        first = refresh(http, first_rt)
        assert first.status_code == 200, first.text
        assert first.headers.get_list("set-cookie") == []
        new_access = first.headers["sc-access-token"]
        second_rt = first.headers["sc-refresh-token"]
        assert new_access != access and second_rt != first_rt
        front = decode_front_token(first.headers["sc-front-token"])
        assert front.user_id == "header-user"
        me = http.get("/me", headers=bearer(new_access))
        assert me.status_code == 200 and me.json()["user_id"] == "header-user"
        second = refresh(http, second_rt)  # the successor is used...
        assert second.status_code == 200, second.text
        replay = refresh(http, first_rt)  # ...so the old token coming back is theft
        assert session_message(replay) == (401, "token theft detected", "token_theft")
        assert replay.headers["sc-front-token"] == "remove"
        revoked = http.get("/me/db", headers=bearer(second.headers["sc-access-token"]))
        assert revoked.status_code == 401


def test_header_transport_sign_out_removes_the_front_token(
    same_host: StartDeployment,
) -> None:
    deployment = same_host(transport="header")
    with deployment.server.client() as http:
        access, refresh_token = login(http, "header-out")
        signout = http.post("/auth/signout", headers=bearer(access))
        assert signout.status_code == 200, signout.text
        assert signout.headers["sc-front-token"] == "remove"
        assert signout.headers["cache-control"] == "no-store"
        after = refresh(http, refresh_token)
        assert session_message(after)[:2] == (401, "unauthorised")
    assert deployment.api is not None
    assert deployment.api.calls["/auth/signout"] == deployment.api.calls["/auth/refresh"] == 0
