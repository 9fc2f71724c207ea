"""Topology 1 (same site) over HTTPS: cookie names, prefixes and attributes (case A34)."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from tests.driver.flask.checks import assert_token_cookie, attributes, set_cookies
from tests.driver.flask.conftest import Serve
from tests.driver.flask.live import self_signed_certificate

AT, RT, FRONT = "__Host-sc_at", "__Secure-sc_rt", "__Host-sc_front"


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


def test_A34_cookies_over_https_take_host_and_secure_prefixes(
    serve: Serve, tls: tuple[Path, Path]
) -> None:
    server, _ = serve(server={"tls": tls})
    assert server.url.startswith("https://")
    verify = ssl.create_default_context(cafile=str(tls[0]))
    with server.client(verify=verify) as http:
        login = http.post("/login", json={"user_id": "a34-user"})
        refresh = http.post("/auth/refresh")
        assert http.get("/me").json()["user_id"] == "a34-user"
        signout = http.post("/auth/signout")
    for response in (login, refresh):
        assert response.status_code == 200
        cookies = set_cookies(response)
        assert set(cookies) == {AT, RT, FRONT}
        assert_token_cookie(cookies[AT], "/")
        assert_token_cookie(cookies[RT], "/auth/refresh")
        front = attributes(cookies[FRONT])
        assert "httponly" not in front and "secure" in front and front["path"] == "/"
    assert signout.status_code == 200
    cleared = set_cookies(signout)
    assert set(cleared) == {AT, RT, FRONT}
    for name, path in ((AT, "/"), (RT, "/auth/refresh"), (FRONT, "/")):
        attrs = attributes(cleared[name])
        assert (attrs["max-age"], attrs["path"], "domain" in attrs) == ("0", path, False)
        assert "secure" in attrs  # a prefixed cookie is only replaced by a Secure one
