"""The example app (examples/flask_app) in a real browser, with session.js on its pages.

The core's access tokens live two seconds: the page's own `session.fetch("/api/me")`
must refresh by itself, and the page's scripts must never see the HttpOnly tokens.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, request
from playwright.sync_api import BrowserContext, Page, expect

from examples.flask_app.app import create_app
from session_core_driver import SessionCoreClient, Unauthorised
from tests.browser.pages import fetch_json, wait_past_access_token_expiry
from tests.driver.example_app import PASSWORD
from tests.driver.flask.live import LiveServer
from tests.support.core_process import CoreProcess

pytestmark = pytest.mark.browser

TOKEN_COOKIES = ("sc_at", "sc_rt")


class CountedExample:
    """The example app on a live server at http://localhost:PORT, its paths counted."""

    def __init__(self, core: CoreProcess) -> None:
        self.live = LiveServer()
        self.url = "http://localhost:" + self.live.url.rsplit(":", 1)[1]
        self.calls: Counter[str] = Counter()
        self.app: Flask = create_app(
            {
                "SESSION_CORE_TARGET": core.target,
                "SESSION_CORE_API_KEY": core.secrets.api_keys[0],
                "SESSION_CORE_API_ORIGIN": self.url,
                "SESSION_CORE_LEEWAY": 0,  # the default 30 s would hide the expiry
                "SESSION_CORE_REVOCATION_FEED": False,
            }
        )
        self.app.before_request(lambda: self.calls.update([request.path]))
        self.live.serve(self.app)


@pytest.fixture
def example(core: CoreProcess) -> Iterator[CountedExample]:
    started = CountedExample(core)
    yield started
    started.live.stop()


def token_cookie_values(context: BrowserContext) -> dict[str, str]:
    return {c["name"]: c["value"] for c in context.cookies() if c["name"] in TOKEN_COOKIES}


def assert_tokens_unreadable(page: Page, context: BrowserContext) -> dict[str, str]:
    """The token cookies exist, are HttpOnly, and `document.cookie` shows neither."""
    tokens = token_cookie_values(context)
    assert set(tokens) == set(TOKEN_COOKIES)
    assert all(c["httpOnly"] for c in context.cookies() if c["name"] in TOKEN_COOKIES)
    visible = page.evaluate("document.cookie")
    assert "sc_front=" in visible
    assert not [value for value in tokens.values() if value in visible]
    return tokens


def test_example_app_login_expired_access_token_refreshes_transparently_and_cookies_stay_unreadable(
    example: CountedExample,
    context: BrowserContext,
    client: SessionCoreClient,
    artifacts: Path,
) -> None:
    client.revoke_user_sessions("alice")  # a clean slate on the module's core
    page = context.new_page()
    page.goto(example.url + "/login")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(example.url + "/sessions")
    expect(page.locator("#signed-in-as")).to_have_text("Signed in as Alice Liddell (alice)")
    assert page.title() == "Your sessions"
    page.screenshot(path=artifacts / "example-after-login.png", full_page=True)
    before = assert_tokens_unreadable(page, context)
    [handle] = [s.handle for s in client.list_user_sessions("alice")]

    wait_past_access_token_expiry(page)
    answer = fetch_json(page, "/api/me")

    assert answer["status"] == 200
    assert answer["body"] == {"user_id": "alice", "claims": {"name": "Alice Liddell"}}
    assert example.calls["/auth/refresh"] == 1
    assert example.calls["/api/me"] == 3  # the page's load, the expired try, the retry
    after = assert_tokens_unreadable(page, context)
    assert after["sc_rt"] != before["sc_rt"] and after["sc_at"] != before["sc_at"]

    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(example.url + "/login?notice=signed-out")
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.screenshot(path=artifacts / "example-after-sign-out.png", full_page=True)
    assert (example.calls["/auth/signout"], example.calls["/logout"]) == (1, 0)
    assert token_cookie_values(context) == {}
    assert page.evaluate("session.doesSessionExist()") is False
    assert list(client.list_user_sessions("alice")) == []
    with pytest.raises(Unauthorised):
        client.get_session(handle)
