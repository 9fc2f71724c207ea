"""Signing out in one tab ends the session for every tab of the browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext

from session_core_driver import SessionCoreClient, Unauthorised
from tests.browser.conftest import ServeSite
from tests.browser.pages import fetch_json, log_in, open_page

pytestmark = pytest.mark.browser


def test_sign_out_in_one_tab_makes_the_other_tabs_next_call_401_and_no_session(
    context: BrowserContext, serve_site: ServeSite, client: SessionCoreClient
) -> None:
    site = serve_site()
    first = open_page(context, site.url)
    log_in(first, "leaving-user")
    second = open_page(context, site.url)
    assert second.evaluate("session.doesSessionExist()") is True
    handle = fetch_json(second, "/me")["body"]["handle"]

    assert first.evaluate("session.signOut()") is True
    assert first.evaluate("window.sessionEvents") == ["signed-out"]
    assert site.built.calls["/auth/signout"] == 1

    answer = fetch_json(second, "/me")
    assert answer["status"] == 401
    assert answer["body"]["message"] == "unauthorised"
    assert second.evaluate("session.doesSessionExist()") is False
    assert second.evaluate("session.getUserId()") is None
    assert second.evaluate("window.sessionEvents") == ["unauthorised"]
    assert site.refreshes == 0  # "unauthorised" is final: nothing to refresh
    with pytest.raises(Unauthorised):
        client.get_session(handle)
