"""Topology 2 in Chromium: the website, the API and the gateway on sibling subdomains.

www.shop.test (pages), api.shop.test (the API) and auth.shop.test (the gateway: refresh,
sign-out, session.js) share `Domain=shop.test; SameSite=Lax` cookies; anti-CSRF `token`.
The harness is tests/browser/sibling_sites.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from session_core_driver import SessionCoreClient, Unauthorised
from tests.browser.pages import (
    fetch_json,
    now_ms,
    schedule_fetch,
    scheduled_result,
    wait_past_access_token_expiry,
)
from tests.browser.sibling_sites import (
    ANTI_CSRF_STORAGE_KEY,
    AT_COOKIE,
    FRONT_COOKIE,
    RT_COOKIE,
    SiblingSites,
    cookie_values,
    log_in,
    session_cookies,
    sites_fixture,  # noqa: F401  (the `sites` fixture)
    stored_anti_csrf,
)

pytestmark = pytest.mark.browser

THEFT = "token-theft-detected"
# Both tabs fire at one instant this far ahead: room to schedule both, in any order.
SHARED_START_DELAY_MS = 600
# The API learns of a revocation within one feed interval (0.5 s) plus one RPC: 4 s is
# 8x that (and 2x the access token's lifetime, the bound should the feed be missed).
LOGGED_OUT_WITHIN_SECONDS = 4.0
POLL_SECONDS = 0.1
# Each fetch's outcome: "read <status>" if the page could read the answer, else the
# rejection's name (a CORS refusal rejects with a TypeError; a hang, after 5 s, with a
# TimeoutError: loopback answers take milliseconds).
FOREIGN_FETCHES = """async ([api, refresh]) => {
    const bounded = () => AbortSignal.timeout(5000);
    const outcome = async (call) => {
        try { return "read " + (await call()).status; }
        catch (error) { return error.name; }
    };
    return [
        await outcome(() => fetch(api + "/me", {credentials: "include", signal: bounded()})),
        await outcome(() => fetch(refresh, {method: "POST", credentials: "include",
                                            signal: bounded()})),
    ];
}"""


def test_sibling_sites_expired_access_token_refreshes_through_the_gateway(
    context: BrowserContext, sites: SiblingSites
) -> None:
    page = sites.open(context)
    log_in(page, sites, "sibling-user")

    cookies = session_cookies(context)
    assert sorted(cookies) == [AT_COOKIE, FRONT_COOKIE, RT_COOKIE]
    for name, cookie in cookies.items():
        assert cookie["domain"] == ".shop.test", cookie  # Domain=shop.test: shared
        assert cookie["sameSite"] == "Lax", cookie
        assert cookie["httpOnly"] is (name != FRONT_COOKIE), cookie
    assert cookies[RT_COOKIE]["path"] == "/auth/refresh"
    before = cookie_values(context, [AT_COOKIE, RT_COOKIE])
    assert page.evaluate("session.doesSessionExist()") is True
    assert_tokens_unreadable(sites, context, before.values())
    wait_past_access_token_expiry(page)

    answer = fetch_json(page, sites.api + "/me")

    assert answer["status"] == 200
    assert answer["body"]["user_id"] == "sibling-user"
    assert sites.refresh_statuses() == [200]
    assert sites.api_statuses("GET", "/me") == [401, 200]  # the expired try, the retry
    assert page.evaluate("window.sessionEvents") == ["refreshed"]
    after = cookie_values(context, [AT_COOKIE, RT_COOKIE])
    assert after[AT_COOKIE] != before[AT_COOKIE] and after[RT_COOKIE] != before[RT_COOKIE]
    assert_tokens_unreadable(sites, context, [*before.values(), *after.values()])


def assert_tokens_unreadable(
    sites: SiblingSites, context: BrowserContext, token_values: Iterable[str]
) -> None:
    """No website script sees a token: neither on the page, nor at the RT's own path."""
    values = list(token_values)
    assert values and all(values)
    peek = context.new_page()
    peek.goto(sites.website + "/auth/refresh/peek")
    pages = [p for p in context.pages if p.url.startswith(sites.website)]
    assert len(pages) >= 2
    for page in pages:
        visible = page.evaluate("document.cookie")
        assert FRONT_COOKIE + "=" in visible  # document.cookie itself works
        for value in values:
            assert value not in visible
    peek.close()


def test_two_tabs_on_sibling_sites_refresh_once_without_web_locks(
    context: BrowserContext, sites: SiblingSites, client: SessionCoreClient
) -> None:
    first = sites.open(context)
    handle = log_in(first, sites, "two-tab-sibling")
    second = sites.open(context)
    for page in (first, second):  # http://*.test is not a secure context
        assert page.evaluate("'locks' in navigator") is False
    wait_past_access_token_expiry(first)

    start = now_ms() + SHARED_START_DELAY_MS
    schedule_fetch(first, sites.api + "/me", start)
    schedule_fetch(second, sites.api + "/me", start)
    answers = [scheduled_result(first), scheduled_result(second)]

    assert [a["status"] for a in answers] == [200, 200]
    assert [a["body"]["handle"] for a in answers] == [handle, handle]
    # Both tabs really met the expired token: two 401s, then the two retries.
    assert sites.api_statuses("GET", "/me") == [401, 401, 200, 200]
    assert sites.refresh_statuses() == [200]
    feed = client.list_revocations().entries
    assert not [e for e in feed if e.theft is not None and e.theft.user_id == "two-tab-sibling"]
    assert handle not in {e.handle for e in feed}
    assert client.get_session(handle).user_id == "two-tab-sibling"
    events = [first.evaluate("window.sessionEvents"), second.evaluate("window.sessionEvents")]
    assert sorted(events) == [[], ["refreshed"]]


def test_sign_out_through_the_gateway_logs_out_the_other_tab(
    context: BrowserContext, sites: SiblingSites, client: SessionCoreClient
) -> None:
    first = sites.open(context)
    handle = log_in(first, sites, "sibling-leaver")
    second = sites.open(context)
    assert fetch_json(second, sites.api + "/me")["status"] == 200

    assert first.evaluate("session.signOut()") is True

    assert sites.signout_statuses() == [200]
    assert first.evaluate("window.sessionEvents") == ["signed-out"]
    assert session_cookies(context) == {}  # cleared at Domain=shop.test by the gateway
    answer = fetch_json(second, sites.api + "/me")
    assert answer["status"] == 401
    assert second.evaluate("session.doesSessionExist()") is False
    assert second.evaluate("session.getUserId()") is None
    assert sites.refresh_statuses() == []
    with pytest.raises(Unauthorised):
        client.get_session(handle)


def test_stolen_refresh_cookie_and_anti_csrf_token_are_detected_as_theft(
    browser: Browser,
    context: BrowserContext,
    sites: SiblingSites,
    client: SessionCoreClient,
) -> None:
    user = sites.open(context)
    handle = log_in(user, sites, "sibling-victim")
    cookies = session_cookies(context)
    stolen_cookies = [cookies[RT_COOKIE], cookies[FRONT_COOKIE]]
    stolen_csrf = stored_anti_csrf(user)
    assert stolen_csrf

    # The real user refreshes twice: the stolen token's first successor is used too.
    assert user.evaluate("session.attemptRefresh()") is True
    assert user.evaluate("session.attemptRefresh()") is True
    assert sites.refresh_statuses() == [200, 200]
    assert stored_anti_csrf(user) != stolen_csrf

    thief_context = browser.new_context()
    try:
        thief_context.set_default_timeout(10_000)
        thief_context.add_cookies(
            [
                {
                    "name": c["name"],
                    "value": c["value"],
                    "domain": c["domain"],
                    "path": c["path"],
                    "httpOnly": c["httpOnly"],
                    "secure": c["secure"],
                    "sameSite": c["sameSite"],
                }
                for c in stolen_cookies
            ]
        )
        thief = sites.open(thief_context)
        thief.evaluate(
            "([k, v]) => localStorage.setItem(k, v)", [ANTI_CSRF_STORAGE_KEY, stolen_csrf]
        )
        assert thief.evaluate("session.doesSessionExist()") is True

        with thief.expect_response(lambda r: r.url == sites.refresh_url) as caught:
            refreshed = thief.evaluate("session.attemptRefresh()")
        answer = caught.value

        assert refreshed is False
        assert answer.status == 401
        assert answer.headers.get("sc-session-error") == THEFT
        assert answer.json() == {"message": "token theft detected", "reason": "token_theft"}
        assert sites.refresh_statuses() == [200, 200, 401]
        assert thief.evaluate("window.sessionEvents") == ["theft"]
        assert thief.evaluate("session.doesSessionExist()") is False
        assert session_cookies(thief_context) == {}
    finally:
        thief_context.close()

    ended = poll_until_logged_out(sites, user)
    assert ended["status"] == 401
    # Revoked, seen through the feed ("unauthorised"), or, if the access token expired
    # first, refused at the gateway ("expired"): never a successful refresh again.
    assert user.evaluate("window.sessionEvents")[-1] in ("unauthorised", "expired")
    assert 200 not in sites.refresh_statuses()[2:]
    assert user.evaluate("session.doesSessionExist()") is False
    entries = client.list_revocations().entries
    thefts = [e.theft for e in entries if e.handle == handle and e.theft is not None]
    assert [t.user_id for t in thefts] == ["sibling-victim"]
    # The thief showed the login's token; the real user had refreshed twice since.
    assert thefts[0].current_generation - thefts[0].presented_generation == 2
    with pytest.raises(Unauthorised):
        client.get_session(handle)


def poll_until_logged_out(sites: SiblingSites, page: Page) -> dict[str, Any]:
    """The first non-200 answer to `/me`, or the last 200 once the bound is over."""
    deadline = time.monotonic() + LOGGED_OUT_WITHIN_SECONDS
    while True:
        answer = fetch_json(page, sites.api + "/me")
        if answer["status"] != 200 or time.monotonic() > deadline:
            return answer
        time.sleep(POLL_SECONDS)


def test_sibling_subdomain_form_post_to_refresh_is_refused_by_anti_csrf(
    context: BrowserContext, sites: SiblingSites, client: SessionCoreClient
) -> None:
    user = sites.open(context)
    handle = log_in(user, sites, "sibling-csrf-target")
    before = cookie_values(context, [RT_COOKIE])[RT_COOKIE]
    refreshed_at = client.get_session(handle).last_refreshed_at

    attacker = context.new_page()
    with attacker.expect_response(lambda r: r.url == sites.refresh_url) as caught:
        attacker.goto(sites.same_site_attacker + "/prize")
    answer = caught.value

    assert answer.request.method == "POST"
    assert answer.request.header_value("origin") == sites.same_site_attacker
    assert f"{RT_COOKIE}={before}" in (answer.request.header_value("cookie") or "")
    assert answer.status == 401
    assert answer.json()["reason"] == "anti_csrf"  # not "no_session": the cookies arrived
    assert sites.refresh_statuses() == [401]
    assert cookie_values(context, [RT_COOKIE])[RT_COOKIE] == before
    assert client.get_session(handle).last_refreshed_at == refreshed_at
    assert user.evaluate("session.doesSessionExist()") is True

    wait_past_access_token_expiry(user)  # the user's next call needs the refresh token
    again = fetch_json(user, sites.api + "/me")
    assert again["status"] == 200 and again["body"]["handle"] == handle
    assert sites.refresh_statuses() == [401, 200]


def test_a_foreign_origin_page_cannot_read_api_or_gateway_responses(
    context: BrowserContext, sites: SiblingSites, client: SessionCoreClient
) -> None:
    user = sites.open(context)
    handle = log_in(user, sites, "sibling-browsing-elsewhere")
    before = cookie_values(context, [AT_COOKIE, RT_COOKIE, FRONT_COOKIE])
    refreshed_at = client.get_session(handle).last_refreshed_at

    evil = context.new_page()
    evil.goto(sites.foreign_site + "/blank")
    outcomes = evil.evaluate(FOREIGN_FETCHES, [sites.api, sites.refresh_url])

    assert outcomes == ["TypeError", "TypeError"]
    # Both requests went out (no preflight for either), without the SameSite=Lax
    # cookies of a cross-site request: each was refused, and unreadable anyway.
    assert sites.api_statuses("GET", "/me") == [401]
    assert sites.refresh_statuses() == [401]
    assert cookie_values(context, [AT_COOKIE, RT_COOKIE, FRONT_COOKIE]) == before
    assert client.get_session(handle).last_refreshed_at == refreshed_at
    mine = fetch_json(user, sites.api + "/me")
    assert mine["status"] == 200 and mine["body"]["handle"] == handle
    assert user.evaluate("window.sessionEvents") == []
