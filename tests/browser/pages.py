"""The session.js test site and the page-side helpers every browser test uses.

The site is the driver test app (tests/driver/flask/apps.py: /login, /me,
/forbidden-ish, /always-try-refresh, and the refresh and sign-out views, every path
counted) plus `/session.js` and `/page`, a page that loads the helper with the test's
options and records its events in `window.sessionEvents`.

Pages are opened at http://localhost:PORT: a secure context, so Web Locks exist.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from flask import Response, send_file
from playwright.sync_api import BrowserContext, Page

from session_core_gateway.assets import SESSION_JS_PATH
from tests.driver.flask.apps import GuardedApp, build_app
from tests.driver.flask.live import LiveServer
from tests.support.core_process import CoreProcess
from tests.support.waiting import sleep_until

AT_LIFETIME_SECONDS = 2
# Past the access token's `exp` (whole seconds, and the expiry answer is `exp <= now`).
EXPIRY_MARGIN_SECONDS = 0.5
READY_TIMEOUT_MS = 5_000
REFRESH_PATH = "/auth/refresh"
EVENTS = ("refreshed", "expired", "unauthorised", "theft", "signed-out")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>session.js test page</title>
<script type="module">
  import { initSession } from "/session.js";
  window.sessionEvents = [];
  window.session = initSession(%(options)s);
  for (const name of %(events)s) {
    window.session.addEventListener(name, () => window.sessionEvents.push(name));
  }
  window.sessionReady = true;
</script></head>
<body><h1>session.js test page</h1></body></html>
"""


@dataclass
class BrowserSite:
    """The test app on a live server, seen by the browser at `url`."""

    live: LiveServer
    built: GuardedApp
    url: str

    @property
    def refreshes(self) -> int:
        """Calls that reached the refresh endpoint so far."""
        return self.built.calls[REFRESH_PATH]

    def stop(self) -> None:
        self.live.stop()
        self.built.stop()


def serve_test_site(
    live: LiveServer, core: CoreProcess, options: dict[str, Any], driver: dict[str, Any]
) -> BrowserSite:
    url = f"http://localhost:{port_of(live)}"
    # leeway=0: the driver's default (30 s) would hide the expiry the tests wait for.
    built = build_app(core, url, **({"leeway": 0} | driver))
    page = PAGE % {"options": json.dumps(options), "events": json.dumps(EVENTS)}

    @built.app.get("/session.js")
    def session_js() -> Response:
        return send_file(SESSION_JS_PATH, mimetype="text/javascript", max_age=0)

    @built.app.get("/page")
    def test_page() -> Response:
        return Response(page, mimetype="text/html")

    live.serve(built.app)
    return BrowserSite(live, built, url)


def port_of(live: LiveServer) -> str:
    return live.url.rsplit(":", 1)[1]


def open_page(context: BrowserContext, site_url: str, path: str = "/page") -> Page:
    """A new tab on `path`, once session.js has loaded and been initialised."""
    page = context.new_page()
    page.goto(site_url + path)
    page.wait_for_function("window.session !== undefined", timeout=READY_TIMEOUT_MS)
    return page


def log_in(page: Page, user_id: str) -> None:
    """Start a session through the wrapped fetch (the test app's JSON /login)."""
    status = page.evaluate(
        """async (userId) => (await session.fetch("/login", {
            method: "POST",
            headers: {"content-type": "application/json"},
            body: JSON.stringify({user_id: userId}),
        })).status""",
        user_id,
    )
    assert status == 200
    assert page.evaluate("session.getUserId()") == user_id


def wait_past_access_token_expiry(page: Page) -> None:
    """Sleep until the access token the page holds has expired at the server."""
    expiry_ms = page.evaluate("session.getAccessTokenExpiry()")
    assert expiry_ms is not None, "no session in this page"
    sleep_until(expiry_ms / 1000 + EXPIRY_MARGIN_SECONDS)


def fetch_json(page: Page, path: str) -> dict[str, Any]:
    """`session.fetch(path)` from the page: {"status", "body" (JSON or text)}."""
    result: dict[str, Any] = page.evaluate(
        """async (path) => {
            const answer = await session.fetch(path);
            const text = await answer.text();
            let body = text;
            try { body = JSON.parse(text); } catch {}
            return {status: answer.status, body};
        }""",
        path,
    )
    return result


def schedule_fetch(page: Page, path: str, at_ms: float) -> None:
    """Make the page call `session.fetch(path)` at the wall-clock instant `at_ms`.

    Returns at once; `scheduled_result(page)` waits for the answer.
    """
    page.evaluate(
        """([path, at]) => {
            window.scheduled = new Promise((resolve) => setTimeout(resolve, at - Date.now()))
                .then(() => session.fetch(path))
                .then(async (answer) => ({status: answer.status, body: await answer.json()}));
        }""",
        [path, at_ms],
    )


def scheduled_result(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate("window.scheduled")
    return result


def now_ms() -> float:
    return time.time() * 1000
