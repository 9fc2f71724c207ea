"""session.js refreshes an expired access token once per site, never for an app's own 401.

Topology 1 (same site): the page and the API share http://localhost:PORT.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext

from session_core_driver import SessionCoreClient
from tests.browser.conftest import ServeSite
from tests.browser.pages import (
    fetch_json,
    log_in,
    now_ms,
    open_page,
    schedule_fetch,
    scheduled_result,
    wait_past_access_token_expiry,
)

pytestmark = pytest.mark.browser

# Both tabs fire at one instant this far ahead: room to schedule both, in any order.
SHARED_START_DELAY_MS = 600
# Removing Web Locks before any page script runs leaves session.js its lease lock.
WITHOUT_WEB_LOCKS = "delete Navigator.prototype.locks;"
XHR_USER = "zoë-日本-🙂"


@pytest.mark.parametrize("lock", ["web_locks", "fallback_lock"])
def test_two_tabs_hit_an_expired_token_at_once_refresh_once_on_one_lineage(
    lock: str, context: BrowserContext, serve_site: ServeSite, client: SessionCoreClient
) -> None:
    user = f"two-tabs-{lock}"
    site = serve_site(maxRefreshAttempts=2)
    if lock == "fallback_lock":
        context.add_init_script(WITHOUT_WEB_LOCKS)
    first = open_page(context, site.url)
    log_in(first, user)
    second = open_page(context, site.url)
    assert first.evaluate("'locks' in navigator") is (lock == "web_locks")
    wait_past_access_token_expiry(first)

    start = now_ms() + SHARED_START_DELAY_MS
    schedule_fetch(first, "/me", start)
    schedule_fetch(second, "/me", start)
    answers = [scheduled_result(first), scheduled_result(second)]

    assert [a["status"] for a in answers] == [200, 200]
    assert {a["body"]["user_id"] for a in answers} == {user}
    assert site.refreshes == 1
    handle = answers[0]["body"]["handle"]
    assert answers[1]["body"]["handle"] == handle
    feed = client.list_revocations().entries
    assert not [e for e in feed if e.theft is not None and e.theft.user_id == user]
    assert handle not in {e.handle for e in feed}
    assert client.get_session(handle).user_id == user
    # One lineage: each tab can refresh in turn (a second lineage would be a theft).
    for page in (first, second):
        assert page.evaluate("session.attemptRefresh()") is True
    assert site.refreshes == 3
    assert fetch_json(second, "/me")["status"] == 200
    assert first.evaluate("window.sessionEvents").count("theft") == 0


def test_B7_an_apps_own_401_never_loops_refreshes_in_the_browser(
    context: BrowserContext, serve_site: ServeSite
) -> None:
    site = serve_site(maxRefreshAttempts=2)
    page = open_page(context, site.url)
    log_in(page, "b7-user")

    own = fetch_json(page, "/forbidden-ish")
    assert (own["status"], own["body"]["message"]) == (401, "not for you")
    assert site.refreshes == 0

    looping = fetch_json(page, "/always-try-refresh")
    assert looping["status"] == 401
    assert looping["body"]["message"] == "try refresh token"
    assert site.refreshes == 2  # maxRefreshAttempts, then the 401 reaches the caller
    assert site.built.calls["/always-try-refresh"] == 3
    assert page.evaluate("session.doesSessionExist()") is True
    assert page.evaluate("window.sessionEvents") == ["refreshed", "refreshed"]


def test_an_xhr_after_expiry_succeeds_after_one_transparent_refresh(
    context: BrowserContext, serve_site: ServeSite
) -> None:
    site = serve_site()
    page = open_page(context, site.url)
    log_in(page, XHR_USER)  # not ASCII: the front token is decoded as UTF-8
    wait_past_access_token_expiry(page)

    answer = page.evaluate(
        """() => new Promise((resolve) => {
            const xhr = new XMLHttpRequest();
            const states = [];
            xhr.onreadystatechange = () => states.push(xhr.readyState);
            xhr.addEventListener("load", () => resolve({
                status: xhr.status,
                body: JSON.parse(xhr.responseText),
                contentType: xhr.getResponseHeader("content-type"),
                states,
            }));
            xhr.addEventListener("error", () => resolve({status: "error", states}));
            xhr.open("GET", "/me");
            xhr.send();
        })"""
    )

    assert answer["status"] == 200 and answer["body"]["user_id"] == XHR_USER
    assert answer["contentType"].startswith("application/json")
    assert answer["states"][-1] == 4
    assert site.refreshes == 1
    assert site.built.calls["/me"] == 2  # the expired try, then the retry
    assert page.evaluate("window.sessionEvents") == ["refreshed"]
