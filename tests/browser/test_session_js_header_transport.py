"""session.js with header transport (topology 3), and requests it must leave alone.

The tokens travel in headers only: the helper keeps them in localStorage, sends the
access token as `Authorization: Bearer`, the refresh token to the refresh URL only, and
adds nothing to requests for origins it was not given.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, jsonify, request
from playwright.sync_api import BrowserContext

from tests.browser.conftest import ServeSite
from tests.browser.pages import (
    fetch_json,
    log_in,
    open_page,
    port_of,
    wait_past_access_token_expiry,
)
from tests.driver.flask.live import LiveServer

pytestmark = pytest.mark.browser

STORED = """() => Object.fromEntries(
    Object.keys(localStorage).map((key) => [key, localStorage.getItem(key)]))"""


@pytest.fixture
def echo() -> Iterator[str]:
    """Another site (http://other.test:PORT) answering with the headers it received.

    `Access-Control-Allow-Origin: *` forbids credentials: a request sent with
    `credentials: "include"` fails there, so a success also proves none were asked for.
    """
    app = Flask("echo")

    @app.get("/echo")
    def answer() -> Any:
        response = jsonify(headers={k.lower(): v for k, v in request.headers.items()})
        response.headers["access-control-allow-origin"] = "*"
        return response

    live = LiveServer().serve(app)
    yield f"http://other.test:{port_of(live)}"
    live.stop()


def test_header_transport_refreshes_with_headers_and_leaves_other_origins_alone(
    context: BrowserContext, serve_site: ServeSite, echo: str
) -> None:
    site = serve_site(driver={"transport": "header"}, transport="header", antiCsrf="custom_header")
    page = open_page(context, site.url)
    log_in(page, "header-user")
    stored = page.evaluate(STORED)
    assert {"session-core.access-token", "session-core.refresh-token"} <= set(stored)
    assert [c["name"] for c in context.cookies() if c["name"].startswith("sc_")] == []

    wait_past_access_token_expiry(page)
    answer = fetch_json(page, "/me")

    assert (answer["status"], answer["body"]["user_id"]) == (200, "header-user")
    assert site.refreshes == 1
    renewed = page.evaluate(STORED)
    assert renewed["session-core.refresh-token"] != stored["session-core.refresh-token"]
    assert page.evaluate("window.sessionEvents") == ["refreshed"]

    foreign = fetch_json(page, echo + "/echo")
    assert foreign["status"] == 200
    sent = foreign["body"]["headers"]
    assert not [name for name in sent if name.startswith("sc-") or name == "authorization"]
    assert "cookie" not in sent
