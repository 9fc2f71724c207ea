"""Topology 1 over HTTPS through Django (A34), and no-store answers with tokens kept out of
URLs and logs (A36)."""

from __future__ import annotations

import logging
import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.driver.django.conftest import Serve
from tests.driver.flask.checks import assert_token_cookie, attributes, set_cookies
from tests.driver.flask.live import self_signed_certificate
from tests.support.core_process import CoreProcess
from tests.support.log_scan import kinds_in

AT, RT, FRONT = "__Host-sc_at", "__Secure-sc_rt", "__Host-sc_front"
SERVER_LOGGERS = ("werkzeug", "django", "session_core_driver", "tests")


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


def test_A34_cookies_over_https_take_host_and_secure_prefixes(
    serve: Serve, tls: tuple[Path, Path], kind: str
) -> None:
    server = serve(server={"tls": tls})
    assert server.url.startswith("https://")
    verify = ssl.create_default_context(cafile=str(tls[0]))
    with server.client(verify=verify) as http:
        login = http.post(f"/{kind}/login", json={"user_id": f"a34-{kind}"})
        refresh = http.post("/auth/refresh")
        assert http.get(f"/{kind}/me").json()["user_id"] == f"a34-{kind}"
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
        assert "secure" in attrs


def tokens_in(response: httpx.Response) -> set[str]:
    values = {h.split("=", 1)[1].split(";", 1)[0] for h in set_cookies(response).values()}
    for name in ("sc-access-token", "sc-refresh-token", "sc-anti-csrf"):
        values.add(response.headers.get(name, ""))
    return {v for v in values if len(v) > 20}


def test_A36_session_responses_are_no_store_and_tokens_stay_out_of_urls_and_logs(
    serve: Serve, core: CoreProcess, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    for name in SERVER_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    urls: list[str] = []
    server = serve(anti_csrf="token")
    hooks: dict[str, Any] = {"request": [lambda request: urls.append(str(request.url))]}
    seen: set[str] = set()
    with server.client(event_hooks=hooks) as http:
        login = http.post(f"/{kind}/login", json={"user_id": f"a36-{kind}"})
        csrf = {"sc-anti-csrf": login.headers["sc-anti-csrf"]}
        refresh = http.post("/auth/refresh", headers=csrf)
        csrf = {"sc-anti-csrf": refresh.headers["sc-anti-csrf"]}
        claims = http.post(f"/{kind}/claims", json={"role": "admin"}, headers=csrf)
        signout = http.post("/auth/signout", headers=csrf)
        after = http.get(f"/{kind}/me")
    for response in (login, refresh, claims, signout):
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        assert "location" not in response.headers
        seen |= tokens_in(response)
    assert after.status_code == 401 and after.headers["cache-control"] == "no-store"
    assert len(seen) >= 6
    for url in urls:
        assert not kinds_in(url, sorted(seen)), "a token in a URL"
    lines = [
        f"{r.name} {r.getMessage()} {r.exc_text or ''}"
        for r in caplog.records
        if r.name.split(".")[0] in SERVER_LOGGERS
    ]
    assert any("/auth/refresh" in line for line in lines)  # the access log was captured
    for line in lines:
        assert not kinds_in(line, sorted(seen)), "a token in the logs"
