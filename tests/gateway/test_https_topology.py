"""Topology 1 over HTTPS: the gateway behind the API's own host sets and clears the
session cookies with the API's names, paths and attributes (case A34)."""

from __future__ import annotations

import ssl
from pathlib import Path

from tests.driver.flask.checks import assert_token_cookie, attributes, set_cookies
from tests.gateway.conftest import StartDeployment

AT, RT, FRONT = "__Host-sc_at", "__Secure-sc_rt", "__Host-sc_front"
PATHS = {AT: "/", RT: "/auth/refresh", FRONT: "/"}


def test_A34_gateway_behind_the_same_https_host_sets_prefixed_host_only_cookies(
    same_host: StartDeployment, tls: tuple[Path, Path]
) -> None:
    deployment = same_host(server={"tls": tls}, anti_csrf="custom_header")
    assert deployment.server.url.startswith("https://")
    verify = ssl.create_default_context(cafile=str(tls[0]))
    fetch = {"sc-requested-with": "fetch"}
    with deployment.server.client(verify=verify) as http:
        login = http.post("/login", json={"user_id": "a34-user"})
        refresh = http.post("/auth/refresh", headers=fetch)
        me = http.get("/me")
        signout = http.post("/auth/signout", headers=fetch)
    assert me.json()["user_id"] == "a34-user"
    for response in (login, refresh):
        assert response.status_code == 200, response.text
        cookies = set_cookies(response)
        assert set(cookies) == {AT, RT, FRONT}
        assert_token_cookie(cookies[AT], "/")
        assert_token_cookie(cookies[RT], "/auth/refresh")
        front = attributes(cookies[FRONT])
        assert "httponly" not in front and "secure" in front and front["path"] == "/"
    assert signout.status_code == 200, signout.text
    cleared = set_cookies(signout)
    assert set(cleared) == {AT, RT, FRONT}
    for name, path in PATHS.items():
        attrs = attributes(cleared[name])
        assert (attrs["max-age"], attrs["path"], "domain" in attrs) == ("0", path, False)
        assert "secure" in attrs
    assert deployment.api is not None
    assert deployment.api.calls["/auth/refresh"] == deployment.api.calls["/auth/signout"] == 0
