"""Responses that carry tokens are never cached, tokens never sit in URLs or logs (A36),
and one client's session never leaks into another's response (B16)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask, g, jsonify

from session_core_driver.flask import get_current_session
from session_core_driver.flask.state import request_state
from tests.driver.flask.apps import build_app
from tests.driver.flask.checks import assert_session_untouched, set_cookies
from tests.driver.flask.conftest import Serve
from tests.driver.flask.live import LiveServer
from tests.support.core_process import CoreProcess
from tests.support.log_scan import kinds_in

# What the app server and the driver log (httpx/httpcore are the test's own client).
SERVER_LOGGERS = ("werkzeug", "flask", "session_core_driver", "tests")


def tokens_in(response: httpx.Response) -> set[str]:
    """Every token value the response hands out, in cookies or headers."""
    values = {h.split("=", 1)[1].split(";", 1)[0] for h in set_cookies(response).values()}
    for name in ("sc-access-token", "sc-refresh-token", "sc-anti-csrf"):
        values.add(response.headers.get(name, ""))
    return {v for v in values if len(v) > 20}


def log_tail(path: Path, start: int) -> list[str]:
    if not path.exists():
        return []
    return path.read_bytes()[start:].decode("utf-8", "replace").splitlines()


def test_A36_session_responses_are_no_store_and_tokens_stay_out_of_urls_and_logs(
    serve: Serve, core: CoreProcess, caplog: pytest.LogCaptureFixture
) -> None:
    for name in SERVER_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    core_logs = {p: p.stat().st_size for p in (core.stdout_path, core.stderr_path) if p.exists()}
    urls: list[str] = []
    server, _ = serve(anti_csrf="token")
    hooks: dict[str, Any] = {"request": [lambda request: urls.append(str(request.url))]}
    seen: set[str] = set()
    with server.client(event_hooks=hooks) as http:
        login = http.post("/login", json={"user_id": "a36-user"})
        csrf = {"sc-anti-csrf": login.headers["sc-anti-csrf"]}
        refresh = http.post("/auth/refresh", headers=csrf)
        csrf = {"sc-anti-csrf": refresh.headers["sc-anti-csrf"]}
        claims = http.post("/claims", json={"role": "admin"}, headers=csrf)
        signout = http.post("/auth/signout", headers=csrf)
        after = http.get("/me")
    for response in (login, refresh, claims, signout):
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        assert "location" not in response.headers
        seen |= tokens_in(response)
    assert after.status_code == 401 and after.headers["cache-control"] == "no-store"
    assert len(seen) >= 6  # access, refresh and anti-CSRF tokens were really handed out
    for url in urls:
        assert not kinds_in(url, sorted(seen)), "a token in a URL"
    server_lines = [
        f"{r.name} {r.getMessage()} {r.exc_text or ''}"
        for r in caplog.records
        if r.name.split(".")[0] in SERVER_LOGGERS
    ]
    core_lines = [line for p, n in core_logs.items() for line in log_tail(p, n)]
    lines = server_lines + core_lines
    assert any("/auth/refresh" in line for line in lines)  # the access log was captured
    for line in lines:
        assert not kinds_in(line, sorted(seen)), "a token in the logs"


def test_B16_a_globally_pushed_app_context_leaks_no_session_between_clients(
    core: CoreProcess,
) -> None:
    """One single-threaded server whose thread holds a pushed app context (as an app that
    pushes one at import does under a sync worker): `g` is then shared by every request."""
    holder: dict[str, Flask] = {}
    ready = threading.Event()

    def push_context() -> None:
        ready.wait(5.0)
        holder["app"].app_context().push()

    server = LiveServer(threaded=False, on_thread_start=push_context)
    app = build_app(core, server.url)
    holder["app"] = app.app
    slots: list[tuple[bool, bool]] = []

    @app.app.before_request
    def record_slot() -> None:
        state = request_state()
        slots.append((state.session is None, not state.effects))

    @app.app.get("/g-marker")
    def g_marker() -> Any:
        previous = getattr(g, "marker", None)
        g.marker = "set"
        return jsonify(previous=previous, session=get_current_session() is not None)

    server.serve(app.app)
    ready.set()
    try:
        with server.client() as client_a, server.client() as client_b:
            assert client_a.get("/g-marker").json()["previous"] is None
            assert client_a.post("/login", json={"user_id": "b16-a"}).status_code == 200
            assert client_a.get("/me").json()["user_id"] == "b16-a"
            leaked = client_b.get("/g-marker")
            public = client_b.get("/public")
            me = client_b.get("/me")
    finally:
        server.stop()
        app.stop()
    # The hazard is real here: `g` survived from client A's request...
    assert leaked.json() == {"previous": "set", "session": False}
    # ...but nothing of A's session reached B.
    for response in (leaked, public):
        assert response.status_code == 200
        assert_session_untouched(response)
    assert me.status_code == 401 and me.json()["reason"] == "no_session"
    assert_session_untouched(me)
    assert slots and all(empty == (True, True) for empty in slots)
