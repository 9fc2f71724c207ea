"""Topology 2 in a real browser: a website, an API and the gateway on sibling subdomains.

Three live servers on loopback, told apart by host name (Chromium maps `*.test` to
127.0.0.1):

- the website `http://www.shop.test:P1`: a tiny Flask app answering for any Host, so the
  same server is also the same-site attacker `http://evil.shop.test:P1` and the foreign
  site `http://evil-site.test:P1`. Its `/page` loads session.js FROM THE GATEWAY;
- the API `http://api.shop.test:P2`: the driver test app (tests/driver/flask/apps.py)
  with `Domain=shop.test` cookies, anti-CSRF `token`, the revocation feed on, and the
  gateway's CORS allow-list (its `cors.install_cors`) so the website can call it;
- the gateway `http://auth.shop.test:P3`: `create_gateway`, refresh and sign-out for the
  site, behind a WSGI recorder of every answer (so a test knows how many refreshes
  reached it and what they were told).

Over http these pages are not secure contexts: no Web Locks, session.js's fallback lock.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask, Response
from playwright.sync_api import BrowserContext, Cookie, Page

from session_core_driver.flask.registry import EXTENSION_KEY
from session_core_gateway import create_gateway
from session_core_gateway.cors import install_cors
from tests.browser.pages import EVENTS, open_page, port_of
from tests.driver.flask.apps import GuardedApp, build_app, settings_for
from tests.driver.flask.live import LiveServer
from tests.support.core_process import CoreProcess

DOMAIN = "shop.test"
REFRESH_PATH = "/auth/refresh"
SIGNOUT_PATH = "/auth/signout"
# The names session.js keeps things under (web_gateway/.../static/session.js, STORE).
ANTI_CSRF_STORAGE_KEY = "session-core.anti-csrf"
AT_COOKIE, RT_COOKIE, FRONT_COOKIE = "sc_at", "sc_rt", "sc_front"
CORS_MAX_AGE_SECONDS = 600

SESSION_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>shop</title>
<script type="module">
  import { initSession } from "%(session_js)s";
  window.sessionEvents = [];
  window.session = initSession(%(options)s);
  for (const name of %(events)s) {
    window.session.addEventListener(name, () => window.sessionEvents.push(name));
  }
</script></head>
<body><h1>shop</h1></body></html>
"""
# A same-site attacker: a plain HTML form, so no custom header can ride along.
FORM_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>win a prize</title></head>
<body><form id="f" method="post" action="%(action)s" enctype="application/x-www-form-urlencoded">
<input type="hidden" name="prize" value="1"></form>
<script>document.getElementById("f").submit();</script></body></html>
"""
BLANK_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>blank</title></head><body></body></html>
"""


@dataclass(frozen=True)
class Answer:
    method: str
    path: str
    status: int


@dataclass
class AnswerRecorder:
    """WSGI middleware keeping (method, path, status) of every answer `app` gives."""

    app: Callable[..., Any]
    answers: list[Answer] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")

        def recording(status: str, headers: Any, exc_info: Any = None) -> Any:
            with self._lock:
                self.answers.append(Answer(method, path, int(status.split(" ", 1)[0])))
            return start_response(status, headers, exc_info)

        return self.app(environ, recording)

    def statuses(self, method: str, path: str) -> list[int]:
        with self._lock:
            return [a.status for a in self.answers if (a.method, a.path) == (method, path)]


@dataclass
class SiblingSites:
    website: str  # http://www.shop.test:P1
    same_site_attacker: str  # http://evil.shop.test:P1 (same server, another host)
    foreign_site: str  # http://evil-site.test:P1
    api: str  # http://api.shop.test:P2
    auth: str  # http://auth.shop.test:P3
    api_app: GuardedApp
    gateway: Flask
    recorder: AnswerRecorder  # the gateway's answers
    api_recorder: AnswerRecorder  # the API's answers
    servers: list[LiveServer]

    @property
    def refresh_url(self) -> str:
        return self.auth + REFRESH_PATH

    @property
    def signout_url(self) -> str:
        return self.auth + SIGNOUT_PATH

    def refresh_statuses(self) -> list[int]:
        """Statuses of the POSTs that reached the gateway's refresh endpoint, in order."""
        return self.recorder.statuses("POST", REFRESH_PATH)

    def signout_statuses(self) -> list[int]:
        return self.recorder.statuses("POST", SIGNOUT_PATH)

    def api_statuses(self, method: str, path: str) -> list[int]:
        """Statuses the API answered `method path` with (preflights are OPTIONS)."""
        return self.api_recorder.statuses(method, path)

    def open(self, context: BrowserContext) -> Page:
        """A new tab on the website's page, once session.js (from the gateway) is ready."""
        return open_page(context, self.website, "/page")

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
        self.api_app.stop()
        poller = self.gateway.extensions[EXTENSION_KEY].web.verifier.revocations
        if poller is not None:
            poller.stop()


def start_sibling_sites(core: CoreProcess) -> SiblingSites:
    """Start the three servers (stop them with `SiblingSites.stop`)."""
    servers = [LiveServer(), LiveServer(), LiveServer()]
    site_port, api_port, auth_port = (port_of(s) for s in servers)
    website = f"http://www.{DOMAIN}:{site_port}"
    api = f"http://api.{DOMAIN}:{api_port}"
    auth = f"http://auth.{DOMAIN}:{auth_port}"
    shared = {"website_origin": website, "cookie_domain": DOMAIN, "anti_csrf": "token", "leeway": 0}

    api_app = build_app(core, api, mount_views=False, revocation_feed=True, **shared)
    with api_app.app.app_context():
        api_config = api_app.sessions.web.config
    install_cors(api_app.app, api_config, CORS_MAX_AGE_SECONDS)

    gateway = create_gateway(settings_for(core, auth, **shared))
    recorder = AnswerRecorder(gateway.wsgi_app)
    options = {
        "apiOrigins": [api],
        "refreshUrl": auth + REFRESH_PATH,
        "signOutUrl": auth + SIGNOUT_PATH,
        "antiCsrf": "token",
    }
    site_app = website_app(auth + "/session.js", options, auth + REFRESH_PATH)

    sites = SiblingSites(
        website=website,
        same_site_attacker=f"http://evil.{DOMAIN}:{site_port}",
        foreign_site=f"http://evil-site.test:{site_port}",
        api=api,
        auth=auth,
        api_app=api_app,
        gateway=gateway,
        recorder=recorder,
        api_recorder=AnswerRecorder(api_app.app.wsgi_app),
        servers=servers,
    )
    servers[0].serve(site_app)
    servers[1].serve(sites.api_recorder)
    servers[2].serve(recorder)
    return sites


def website_app(session_js: str, options: dict[str, Any], refresh_url: str) -> Flask:
    """The website's pages, for whatever Host the browser asked for."""
    app = Flask(__name__)
    page = SESSION_PAGE % {
        "session_js": session_js,
        "options": json.dumps(options),
        "events": json.dumps(EVENTS),
    }

    def html(text: str) -> Response:
        return Response(text, mimetype="text/html", headers={"Cache-Control": "no-store"})

    app.add_url_rule("/page", "page", lambda: html(page))
    app.add_url_rule("/prize", "prize", lambda: html(FORM_PAGE % {"action": refresh_url}))
    app.add_url_rule("/blank", "blank", lambda: html(BLANK_PAGE))
    # A page under the refresh token's Path: even there, scripts must not see it.
    app.add_url_rule(REFRESH_PATH + "/peek", "peek", lambda: html(BLANK_PAGE))
    return app


@pytest.fixture(name="sites")
def sites_fixture(core: CoreProcess) -> Iterator[SiblingSites]:
    """The three servers for one test (import this into the test module to use it)."""
    sites = start_sibling_sites(core)
    yield sites
    sites.stop()


# ---- page-side helpers ----


def log_in(page: Page, sites: SiblingSites, user_id: str) -> str:
    """Log in through `session.fetch(api/login)`; the session's handle."""
    answer = page.evaluate(
        """async ([url, userId]) => {
            const answer = await session.fetch(url, {
                method: "POST",
                headers: {"content-type": "application/json"},
                body: JSON.stringify({user_id: userId}),
                signal: AbortSignal.timeout(5000),  // loopback: milliseconds, normally
            });
            return {status: answer.status, body: await answer.json(),
                    csrf: answer.headers.get("sc-anti-csrf")};
        }""",
        [sites.api + "/login", user_id],
    )
    assert answer["status"] == 200, answer
    assert answer["csrf"], "the anti-CSRF token was not readable (sc-anti-csrf exposed?)"
    assert stored_anti_csrf(page) == answer["csrf"]
    assert page.evaluate("session.getUserId()") == user_id
    handle: str = answer["body"]["handle"]
    return handle


def stored_anti_csrf(page: Page) -> str | None:
    value: str | None = page.evaluate("(key) => localStorage.getItem(key)", ANTI_CSRF_STORAGE_KEY)
    return value


def session_cookies(context: BrowserContext) -> dict[str, Cookie]:
    """The context's session cookies by name (exactly one of each expected)."""
    found: dict[str, Cookie] = {}
    for cookie in context.cookies():
        name = cookie["name"]
        if name in (AT_COOKIE, RT_COOKIE, FRONT_COOKIE):
            assert name not in found, f"two {name} cookies: {context.cookies()}"
            found[name] = cookie
    return found


def cookie_values(context: BrowserContext, names: Iterable[str]) -> dict[str, str]:
    cookies = session_cookies(context)
    return {name: cookies[name]["value"] for name in names if name in cookies}
