"""Responses that hand out or clear tokens are never cached, and tokens stay out of URLs
and logs, with the gateway serving refresh and sign-out (case A36)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.driver.flask.test_http_hygiene import tokens_in
from tests.gateway.conftest import StartDeployment
from tests.support.log_scan import kinds_in

# The test's own HTTP client logs what it receives, tokens included: not the server's logs.
CLIENT_LOGGERS = ("httpx", "httpcore")


def test_A36_gateway_session_responses_are_no_store_and_tokens_stay_out_of_urls_and_logs(
    same_host: StartDeployment,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, the werkzeug server's access log too
    deployment = same_host(anti_csrf="token")
    urls: list[str] = []
    hooks: dict[str, Any] = {"request": [lambda request: urls.append(str(request.url))]}
    with deployment.server.client(event_hooks=hooks) as http:
        login = http.post("/login", json={"user_id": "a36-user"})
        csrf = {"sc-anti-csrf": login.headers["sc-anti-csrf"]}
        refresh = http.post("/auth/refresh", headers=csrf)
        csrf = {"sc-anti-csrf": refresh.headers["sc-anti-csrf"]}
        signout = http.post("/auth/signout", headers=csrf)
    seen: set[str] = set()
    for response in (login, refresh, signout):
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        assert "location" not in response.headers
        seen |= tokens_in(response)
    assert len(seen) >= 6  # two access, refresh and anti-CSRF tokens were handed out
    for url in urls:
        assert not kinds_in(url, sorted(seen)), "a token in a URL"
    output = capfd.readouterr()
    lines = [
        f"{r.name} {r.getMessage()} {r.exc_text or ''}"
        for r in caplog.records
        if r.name.split(".")[0] not in CLIENT_LOGGERS
    ]
    lines += (output.out + output.err).splitlines()
    assert any("/auth/refresh" in line for line in lines)  # the access log was captured
    for line in lines:
        assert not kinds_in(line, sorted(seen)), "a token in the logs"
