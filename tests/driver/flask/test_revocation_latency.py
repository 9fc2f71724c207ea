"""How soon a revoked or deleted session stops working through the driver (B13, A24).

Three ways to verify: locally without the feed (a revoked session's access token works
until `exp` + leeway: the documented bound), locally with the revocation feed (rejected
within 2 s), and with `check_database=True` (rejected at once). Access tokens live 2 s
here and the driver's leeway is 0, so the "until expiry" bound is observed for real.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from session_core_driver import SessionCoreClient
from session_core_driver.web import decode_front_token
from tests.driver.flask.checks import assert_session_cleared, jar, session_message
from tests.driver.flask.conftest import Serve, StartCore
from tests.driver.flask.live import LiveServer
from tests.support.core_process import CoreProcess
from tests.support.storage import BackendSupport
from tests.support.storage_writes import writer_for
from tests.support.waiting import sleep_past

AT_LIFETIME_SECONDS = 2
FEED_BOUND_SECONDS = 2.0


@pytest.fixture(scope="module")
def short_core(start_core: StartCore) -> CoreProcess:
    return start_core(access_token_lifetime_seconds=AT_LIFETIME_SECONDS, leeway_seconds=0)


@pytest.fixture(scope="module")
def short_client(short_core: CoreProcess) -> Iterator[SessionCoreClient]:
    with SessionCoreClient(short_core.target, short_core.secrets.api_keys[0]) as made:
        yield made


def call(server: LiveServer, method: str, path: str, cookies: dict[str, str]) -> httpx.Response:
    """One request carrying exactly `cookies`, from a client whose jar is then thrown away."""
    header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    with server.client() as http:
        return http.request(method, path, headers={"cookie": header})


def sign_in(server: LiveServer, user: str) -> tuple[str, dict[str, str], float]:
    """(handle, the session's cookies, access-token expiry in seconds since the epoch)."""
    with server.client() as http:
        handle = http.post("/login", json={"user_id": user}).json()["handle"]
        cookies = jar(http)
    return (
        handle,
        cookies,
        decode_front_token(cookies["sc_front"]).access_token_expires_at_ms / 1000,
    )


def rejected_within(server: LiveServer, cookies: dict[str, str], bound: float) -> float:
    """Seconds until /me answers 401 unauthorised (polled every 50 ms, up to `bound` + 1 s)."""
    start = time.monotonic()
    while time.monotonic() - start < bound + 1.0:
        response = call(server, "GET", "/me", {"sc_at": cookies["sc_at"]})
        if response.status_code == 401:
            assert session_message(response)[1:] == ("unauthorised", "session_ended")
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"still accepted {bound + 1.0:.1f} s after the revocation")


@pytest.fixture
def two_apps(serve: Serve, short_core: CoreProcess) -> tuple[LiveServer, LiveServer]:
    """(an app verifying without the feed, one with it), both with leeway 0; both serve
    /me/db (check_database=True)."""
    local, _ = serve(on_core=short_core, leeway=0)
    fed, _ = serve(on_core=short_core, leeway=0, revocation_feed=True)
    _, warm, _ = sign_in(fed, "feed-warm-up")
    assert call(fed, "GET", "/me", {"sc_at": warm["sc_at"]}).status_code == 200  # poller runs
    return local, fed


def test_A24_a_revoked_session_through_each_verification_mode(
    two_apps: tuple[LiveServer, LiveServer], short_client: SessionCoreClient
) -> None:
    local, fed = two_apps
    handle, cookies, expires_at = sign_in(local, "a24-user")
    assert short_client.revoke_sessions([handle]) == [handle]
    refresh = call(
        local, "POST", "/auth/refresh", {"sc_rt": cookies["sc_rt"], "sc_at": cookies["sc_at"]}
    )
    assert session_message(refresh) == (401, "unauthorised", "session_ended")
    assert_session_cleared(refresh)
    at_only = {"sc_at": cookies["sc_at"]}
    assert session_message(call(local, "GET", "/me/db", at_only))[:2] == (401, "unauthorised")
    assert rejected_within(fed, cookies, FEED_BOUND_SECONDS) <= FEED_BOUND_SECONDS
    if time.time() < expires_at:  # without feed or database check: accepted until exp
        assert call(local, "GET", "/me", at_only).status_code == 200
    sleep_past(expires_at)
    expired = call(local, "GET", "/me", at_only)
    assert session_message(expired) == (401, "try refresh token", "expired")


@pytest.mark.parametrize("removal", ["revoke", "row-deleted"])
def test_B13_revoked_or_deleted_session_rejection_and_refresh_after_expiry(
    two_apps: tuple[LiveServer, LiveServer],
    short_client: SessionCoreClient,
    short_core: CoreProcess,
    backend: BackendSupport,
    removal: str,
) -> None:
    local, fed = two_apps
    handle, cookies, expires_at = sign_in(local, f"b13-{removal}")
    at_only = {"sc_at": cookies["sc_at"]}
    if removal == "revoke":
        assert short_client.revoke_sessions([handle]) == [handle]
    else:  # behind the core's back: no feed entry is written
        writer_for(backend.name, short_core).delete_session(handle)
    # (b) a database check rejects at once, and clears the cookies.
    checked = call(local, "GET", "/me/db", cookies)
    assert session_message(checked)[:2] == (401, "unauthorised")
    assert_session_cleared(checked)
    if removal == "revoke":  # with the feed (the default) within 2 s
        assert rejected_within(fed, cookies, FEED_BOUND_SECONDS) <= FEED_BOUND_SECONDS
    if time.time() < expires_at:  # (a) locally, without an entry: accepted until expiry
        assert call(local, "GET", "/me", at_only).status_code == 200
        if removal == "row-deleted":
            assert call(fed, "GET", "/me", at_only).status_code == 200
    sleep_past(expires_at)
    expired = call(local, "GET", "/me", cookies)
    assert session_message(expired) == (401, "try refresh token", "expired")
    assert expired.headers.get_list("set-cookie") == []  # try-refresh keeps cookies
    refresh = call(local, "POST", "/auth/refresh", cookies)
    assert session_message(refresh)[:2] == (401, "unauthorised")
    assert_session_cleared(refresh)
