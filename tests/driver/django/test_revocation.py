"""How soon a revoked or deleted session stops working through Django views (B13).

One SESSION_CORE is live at a time, so each verification mode is its own test: locally
without the feed (accepted until `exp` + leeway, the documented bound), with
`check_database=True` (rejected at once), with the feed (rejected within 2 s). Access
tokens live 2 s here and the leeway is 0.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from session_core_driver import SessionCoreClient
from session_core_driver.web import decode_front_token
from tests.conformance.conftest import StartCore
from tests.driver.django.conftest import Serve
from tests.driver.flask.checks import assert_session_cleared, jar, session_message
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
    header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    with server.client() as http:
        return http.request(method, path, headers={"cookie": header})


def sign_in(server: LiveServer, kind: str, user: str) -> tuple[str, dict[str, str], float]:
    with server.client() as http:
        handle = http.post(f"/{kind}/login", json={"user_id": user}).json()["handle"]
        cookies = jar(http)
    expires_at = decode_front_token(cookies["sc_front"]).access_token_expires_at_ms / 1000
    return handle, cookies, expires_at


@pytest.mark.parametrize("removal", ["revoke", "row-deleted"])
def test_B13_local_and_database_checks_then_refresh_after_expiry(
    serve: Serve,
    short_core: CoreProcess,
    short_client: SessionCoreClient,
    backend: BackendSupport,
    kind: str,
    removal: str,
) -> None:
    server = serve(on_core=short_core, leeway=0)
    handle, cookies, expires_at = sign_in(server, kind, f"b13-{removal}-{kind}")
    at_only = {"sc_at": cookies["sc_at"]}
    if removal == "revoke":
        assert short_client.revoke_sessions([handle]) == [handle]
    else:  # behind the core's back: no feed entry is written
        writer_for(backend.name, short_core).delete_session(handle)
    checked = call(server, "GET", f"/{kind}/me/db", cookies)  # (b) rejected at once
    assert session_message(checked)[:2] == (401, "unauthorised")
    assert_session_cleared(checked)
    if time.time() < expires_at:  # (a) locally, without the feed: accepted until expiry
        assert call(server, "GET", f"/{kind}/me", at_only).status_code == 200
    sleep_past(expires_at)
    expired = call(server, "GET", f"/{kind}/me", cookies)
    assert session_message(expired) == (401, "try refresh token", "expired")
    assert expired.headers.get_list("set-cookie") == []
    refresh = call(server, "POST", "/auth/refresh", cookies)
    assert session_message(refresh)[:2] == (401, "unauthorised")
    assert_session_cleared(refresh)


def test_B13_with_the_revocation_feed_a_revoked_session_is_rejected_within_2_s(
    serve: Serve, client: SessionCoreClient, kind: str
) -> None:
    server = serve(revocation_feed=True)
    _, warm, _ = sign_in(server, kind, f"b13-warm-{kind}")
    assert call(server, "GET", f"/{kind}/me", {"sc_at": warm["sc_at"]}).status_code == 200
    handle, cookies, _ = sign_in(server, kind, f"b13-feed-{kind}")
    assert call(server, "GET", f"/{kind}/me", cookies).status_code == 200
    assert client.revoke_sessions([handle]) == [handle]
    start = time.monotonic()
    while True:
        response = call(server, "GET", f"/{kind}/me", {"sc_at": cookies["sc_at"]})
        if response.status_code == 401:
            break
        assert time.monotonic() - start < FEED_BOUND_SECONDS + 1.0, "still accepted"
        time.sleep(0.05)
    assert time.monotonic() - start <= FEED_BOUND_SECONDS
    assert session_message(response)[1:] == ("unauthorised", "session_ended")
