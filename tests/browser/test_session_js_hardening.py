"""session.js hardening: redirects, prefixed front cookies, broken storage, stalls, reused XHRs.

- A wrapped request never takes its secrets along a redirect to another origin, and an
  answer from another origin (reached by a redirect) is trusted with nothing.
- Over https the front cookie is `__Host-sc_front` or `__Secure-sc_front`: found by
  default.
- localStorage that throws never blocks a refresh (no lease can be taken: no lock).
- A refresh answer whose body stalls ends at `refreshTimeoutMs`, releasing the lock; a
  caller's abort ends the wait for a lock held elsewhere.
- A re-opened XHR never shows the previous wrapped answer's headers.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask, Response, redirect, request, send_file
from playwright.sync_api import BrowserContext, Page

from session_core_gateway.assets import SESSION_JS_PATH
from tests.browser.pages import (
    EVENTS,
    PAGE,
    BrowserSite,
    fetch_json,
    log_in,
    open_page,
    port_of,
    wait_past_access_token_expiry,
)
from tests.driver.flask.apps import build_app
from tests.driver.flask.live import LiveServer
from tests.support.core_process import CoreProcess

pytestmark = pytest.mark.browser

LOCK_NAME = "session-core.refresh"  # session.js's Web Lock
STORED = """() => Object.fromEntries(
    Object.keys(localStorage).map((key) => [key, localStorage.getItem(key)]))"""
FORGED = "forged-by-the-foreign-site"
SESSION_HEADERS = ("sc-access-token", "sc-refresh-token", "sc-front-token", "sc-anti-csrf")
SECRET_HEADERS = ("sc-anti-csrf", "authorization", "sc-refresh-token")
# How long a stalled answer's body waits for the test to end (bounded: never forever).
STALL_SECONDS = 30.0
# Generous bounds for a loaded machine; the failures they catch take 20 s or forever.
QUICK_MS = 5_000
FAILING_STORAGE = """
Storage.prototype.setItem = function setItem() {
  throw new DOMException("storage is full", "QuotaExceededError");
};
"""

SiteFactory = Callable[..., BrowserSite]


@pytest.fixture
def stall_release() -> Iterator[threading.Event]:
    """Set at teardown, so a stalled answer's thread ends with the test."""
    release = threading.Event()
    yield release
    release.set()


@pytest.fixture
def hardened_site(core: CoreProcess, stall_release: threading.Event) -> Iterator[SiteFactory]:
    """The test app plus its session.js page, seen at http://HOST:PORT.

    `hardened_site(host="localhost", driver={...}, **session_js_options)`. Besides the
    driver test app's routes: `/away?to=URL` answers 307 to URL, and `POST
    /stalled-refresh` answers 401 (try refresh token) with a body that stalls.
    """
    started: list[BrowserSite] = []

    def start(
        *, host: str = "localhost", driver: dict[str, Any] | None = None, **options: Any
    ) -> BrowserSite:
        live = LiveServer()
        url = f"http://{host}:{port_of(live)}"
        # leeway=0: the driver's default (30 s) would hide the expiry the tests wait for.
        built = build_app(core, url, **({"leeway": 0} | (driver or {})))
        page = PAGE % {"options": json.dumps(options), "events": json.dumps(EVENTS)}
        app = built.app

        @app.get("/session.js")
        def session_js() -> Response:
            return send_file(SESSION_JS_PATH, mimetype="text/javascript", max_age=0)

        @app.get("/page")
        def test_page() -> Response:
            return Response(page, mimetype="text/html")

        @app.route("/away", methods=["GET", "POST"])
        def away() -> Any:
            return redirect(request.args["to"], code=307)

        @app.post("/stalled-refresh")
        def stalled_refresh() -> Response:
            def body() -> Iterator[bytes]:
                yield b'{"reason": '  # the headers go out with this first chunk
                stall_release.wait(STALL_SECONDS)
                yield b'"expired"}'

            headers = {"sc-session-error": "try-refresh-token"}
            return Response(body(), status=401, headers=headers, mimetype="application/json")

        live.serve(app)
        site = BrowserSite(live, built, url)
        started.append(site)
        return site

    yield start
    stall_release.set()
    for site in started:
        site.stop()


@dataclass
class Foreign:
    """Another site: records what reaches it, answers with session headers it exposes."""

    url: str
    requests: list[dict[str, str]] = field(default_factory=list)

    def received(self, method: str = "GET") -> list[dict[str, str]]:
        return [r for r in self.requests if r[":method"] == method]


@pytest.fixture
def foreign() -> Iterator[Foreign]:
    """http://foreign.test:PORT: `/collect` answers 200, `/theft` 401 theft, both with
    forged session headers, CORS open to any origin with credentials (so only session.js
    stands between its answer and the page's storage)."""
    app = Flask("foreign")
    live = LiveServer()
    seen = Foreign(f"http://foreign.test:{port_of(live)}")

    @app.route("/<any(collect, theft):name>", methods=["GET", "POST", "OPTIONS"])
    def collect(name: str) -> Response:
        seen.requests.append(
            {":method": request.method} | {k.lower(): v for k, v in request.headers.items()}
        )
        status = 200
        headers = {
            "access-control-allow-origin": request.headers.get("origin", "null"),
            "access-control-allow-credentials": "true",
            "access-control-allow-methods": "GET, POST",
            "access-control-allow-headers": request.headers.get(
                "access-control-request-headers", ""
            ),
            "access-control-expose-headers": ", ".join((*SESSION_HEADERS, "sc-session-error")),
        }
        if request.method != "OPTIONS":
            headers |= {name: FORGED for name in SESSION_HEADERS}
            if name == "theft":
                status = 401
                headers["sc-session-error"] = "token-theft-detected"
        return Response(json.dumps({"foreign": True}), status, headers, mimetype="application/json")

    live.serve(app)
    yield seen
    live.stop()


def stored(page: Page) -> dict[str, str]:
    result: dict[str, str] = page.evaluate(STORED)
    return result


def fetch_away(page: Page, target: str) -> dict[str, Any]:
    """`session.fetch("/away?to=target")`: {"type", "status"} or {"error"}."""
    result: dict[str, Any] = page.evaluate(
        """async (target) => {
            try {
                const answer = await session.fetch("/away?to=" + encodeURIComponent(target));
                return {type: answer.type, status: answer.status, url: answer.url};
            } catch (error) {
                return {error: String(error)};
            }
        }""",
        target,
    )
    return result


def front_token(user_id: str) -> str:
    text = json.dumps({"uid": user_id, "ate": int(time.time() * 1000) + 60_000, "claims": {}})
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("transport", "anti_csrf"), [("cookie", "token"), ("header", "custom_header")]
)
def test_a_secret_carrying_request_never_follows_a_redirect_to_another_origin(
    transport: str,
    anti_csrf: str,
    context: BrowserContext,
    hardened_site: SiteFactory,
    foreign: Foreign,
) -> None:
    site = hardened_site(
        driver={"transport": transport, "anti_csrf": anti_csrf},
        transport=transport,
        antiCsrf=anti_csrf,
    )
    page = open_page(context, site.url)
    log_in(page, f"redirected-{transport}")
    before = stored(page)
    secret = "session-core.anti-csrf" if anti_csrf == "token" else "session-core.access-token"
    assert before.get(secret), "the session hands out no secret to protect"

    answer = fetch_away(page, foreign.url + "/collect")

    leaked = [r for r in foreign.requests if any(name in r for name in SECRET_HEADERS)]
    assert leaked == []
    assert stored(page) == before
    assert foreign.received() == []  # not followed at all
    assert answer.get("type") == "opaqueredirect" and answer["status"] == 0
    assert page.evaluate("session.getUserId()") == f"redirected-{transport}"
    assert fetch_json(page, "/me")["status"] == 200  # the session is intact


def test_an_answer_from_another_origin_after_a_redirect_is_trusted_with_nothing(
    context: BrowserContext, hardened_site: SiteFactory, foreign: Foreign
) -> None:
    # Cookie transport with custom_header: nothing secret in the headers, so it follows.
    site = hardened_site(antiCsrf="custom_header")
    page = open_page(context, site.url)
    log_in(page, "follows-redirects")
    before = stored(page)

    followed = fetch_away(page, foreign.url + "/collect")
    theft = fetch_away(page, foreign.url + "/theft")

    assert (followed.get("status"), theft.get("status")) == (200, 401)
    assert followed["url"] == foreign.url + "/collect"
    assert [r.get("sc-requested-with") for r in foreign.received()] == ["session.js"] * 2
    assert FORGED not in stored(page).values()
    assert stored(page) == before
    assert page.evaluate("window.sessionEvents") == []  # no "theft" from a stranger
    assert site.refreshes == 0
    assert page.evaluate("session.getUserId()") == "follows-redirects"


def test_an_xhr_redirected_to_another_origin_keeps_nothing_from_its_answer(
    context: BrowserContext, hardened_site: SiteFactory, foreign: Foreign
) -> None:
    site = hardened_site(driver={"transport": "header"}, transport="header")
    page = open_page(context, site.url)
    log_in(page, "xhr-redirected")
    before = stored(page)

    answer = page.evaluate(
        """(target) => new Promise((resolve) => {
            const xhr = new XMLHttpRequest();
            xhr.addEventListener("load", () => resolve({
                status: xhr.status, url: xhr.responseURL,
                token: xhr.getResponseHeader("sc-access-token"),
            }));
            xhr.addEventListener("error", () => resolve({status: "error"}));
            xhr.open("GET", "/away?to=" + encodeURIComponent(target));
            xhr.send();
        })""",
        foreign.url + "/collect",
    )

    # XHR follows by itself (documented); the caller still sees the answer as it is.
    assert (answer["status"], answer["url"], answer["token"]) == (
        200,
        foreign.url + "/collect",
        FORGED,
    )
    assert stored(page) == before
    assert fetch_json(page, "/me")["body"]["user_id"] == "xhr-redirected"


@pytest.mark.parametrize("name", ["__Host-sc_front", "__Secure-sc_front"])
def test_the_front_cookie_is_found_under_its_https_names_by_default(
    name: str, context: BrowserContext, hardened_site: SiteFactory
) -> None:
    # http://localhost is a secure context: Chromium accepts Secure (and so __Host- and
    # __Secure-) cookies there.
    site = hardened_site()
    page = open_page(context, site.url)
    page.evaluate(
        "([name, value]) => { document.cookie = `${name}=${value}; Secure; Path=/`; }",
        [name, front_token("prefixed-user")],
    )
    assert name in page.evaluate("document.cookie"), "Chromium refused the cookie"

    assert page.evaluate("session.doesSessionExist()") is True
    assert page.evaluate("session.getUserId()") == "prefixed-user"


def test_the_host_prefixed_front_cookie_wins_and_an_explicit_name_is_kept(
    context: BrowserContext, hardened_site: SiteFactory
) -> None:
    site = hardened_site()
    page = open_page(context, site.url)
    for name, user in [("sc_front", "plain"), ("__Host-sc_front", "host"), ("x_front", "own")]:
        page.evaluate(
            "([name, value]) => { document.cookie = `${name}=${value}; Secure; Path=/`; }",
            [name, front_token(user)],
        )

    assert page.evaluate("session.getUserId()") == "host"
    pinned = page.evaluate(
        """async () => {
            const { Session } = await import("/session.js");
            return new Session({ frontCookie: "x_front" }).getUserId();
        }"""
    )
    assert pinned == "own"


def test_storage_that_throws_never_blocks_a_refresh(
    context: BrowserContext, hardened_site: SiteFactory
) -> None:
    # http://*.test is not a secure context: no Web Locks, so the lease would be the lock.
    site = hardened_site(host="storage.test")
    context.add_init_script(FAILING_STORAGE)
    page = open_page(context, site.url)
    assert page.evaluate("'locks' in navigator") is False
    log_in(page, "no-storage")
    wait_past_access_token_expiry(page)

    answer = page.evaluate(
        """async () => {
            const started = performance.now();
            const answer = await session.fetch("/me");
            return {status: answer.status, body: await answer.json(),
                    ms: performance.now() - started};
        }"""
    )

    assert (answer["status"], answer["body"]["user_id"]) == (200, "no-storage")
    assert answer["ms"] < QUICK_MS
    assert site.refreshes == 1
    assert page.evaluate("window.sessionEvents") == ["refreshed"]


BOUNDED = """async ([call, ms]) => {
    const outcome = (promise) => promise.then(
        (value) => ({settled: "resolved", value}),
        (error) => ({settled: "rejected", error: error?.name ?? String(error)}));
    const hung = new Promise((resolve) => setTimeout(() => resolve({settled: "hung"}), ms));
    return Promise.race([outcome(eval(call)), hung]);
}"""


def bounded(page: Page, call: str, ms: int = QUICK_MS) -> dict[str, Any]:
    """Evaluate the promise-valued expression `call`: how it settled within `ms`."""
    result: dict[str, Any] = page.evaluate(BOUNDED, [call, ms])
    return result


def test_a_refresh_whose_body_stalls_times_out_and_releases_the_lock(
    context: BrowserContext, hardened_site: SiteFactory
) -> None:
    site = hardened_site(refreshUrl="/stalled-refresh", refreshTimeoutMs=1_000)
    page = open_page(context, site.url)
    assert page.evaluate("'locks' in navigator") is True

    first = bounded(page, "session.attemptRefresh()")
    lock_free = bounded(
        page,
        f"navigator.locks.request({LOCK_NAME!r}, {{ifAvailable: true}}, (l) => l !== null)",
    )
    second = bounded(page, "session.attemptRefresh()")

    assert first["settled"] == "rejected"
    assert lock_free == {"settled": "resolved", "value": True}
    assert second["settled"] == "rejected"  # not stuck behind the first
    assert page.evaluate("window.sessionEvents") == []  # a timeout ends nothing
    assert site.built.calls["/stalled-refresh"] == 2


def test_a_callers_abort_ends_the_wait_for_a_lock_held_elsewhere(
    context: BrowserContext, hardened_site: SiteFactory
) -> None:
    site = hardened_site()
    page = open_page(context, site.url)
    log_in(page, "abort-while-waiting")
    # Another holder keeps the refresh lock (until the page goes away).
    page.evaluate(
        """(name) => new Promise((held) => {
            navigator.locks.request(name, () => { held(); return new Promise(() => {}); });
        })""",
        LOCK_NAME,
    )

    outcome = bounded(
        page,
        """(() => {
            const caller = new AbortController();
            setTimeout(() => caller.abort(), 300);
            return session.fetch("/always-try-refresh", {signal: caller.signal});
        })()""",
    )

    assert outcome == {"settled": "rejected", "error": "AbortError"}
    assert site.refreshes == 0


def test_a_reopened_xhr_shows_none_of_the_previous_answers_headers(
    context: BrowserContext, hardened_site: SiteFactory
) -> None:
    site = hardened_site()
    page = open_page(context, site.url)

    result = page.evaluate(
        """() => new Promise((resolve) => {
            const xhr = new XMLHttpRequest();
            xhr.addEventListener("load", () => {
                const first = xhr.getResponseHeader("content-type");
                xhr.open("GET", "/public");  // reused, not sent yet
                resolve({
                    first,
                    readyState: xhr.readyState,
                    header: xhr.getResponseHeader("content-type"),
                    all: xhr.getAllResponseHeaders(),
                });
            }, {once: true});
            xhr.open("GET", "/public");
            xhr.send();
        })"""
    )

    assert result["first"].startswith("application/json")
    assert (result["readyState"], result["header"], result["all"]) == (1, None, "")
    assert site.built.calls["/public"] == 1
