"""The cookies and headers that hand out, update and clear sessions (no core needed)."""

from __future__ import annotations

import pytest

from session_core_driver import Tokens
from session_core_driver.web import SessionTooLarge, WebConfig
from session_core_driver.web.effects import MAX_COOKIE_BYTES, SessionWriter

NOW = 1_800_000_000.0
TOKENS = Tokens(
    access_token="eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2ln",
    access_token_expires_at=NOW + 900,
    refresh_token="scr1_abcdef",
    refresh_token_expires_at=NOW + 3600,
    anti_csrf_token="csrf-token-value",
)


def writer(**settings: object) -> SessionWriter:
    return SessionWriter(WebConfig(**settings), lambda: NOW)  # type: ignore[arg-type]


def rendered(**settings: object) -> dict[str, str]:
    effects = writer(**settings).new_tokens(TOKENS, "u1", {"role": "reader"})
    return {c.name: c.render() for c in effects.set_cookies}


def test_topology_1_https_cookie_attributes() -> None:
    cookies = rendered(api_origin="https://example.com")
    assert cookies["__Host-sc_at"] == (
        f"__Host-sc_at={TOKENS.access_token}; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax"
    )
    assert cookies["__Secure-sc_rt"] == (
        "__Secure-sc_rt=scr1_abcdef; Path=/auth/refresh; Max-Age=3600; Secure; HttpOnly; "
        "SameSite=Lax"
    )
    front = cookies["__Host-sc_front"]
    assert "HttpOnly" not in front and "Path=/;" in front and "Secure" in front


def test_topology_2_cookies_carry_the_domain() -> None:
    cookies = rendered(
        api_origin="https://api.example.com",
        website_origin="https://app.example.com",
        cookie_domain="example.com",
    )
    assert all("; Domain=example.com;" in value for value in cookies.values())


def test_clearing_repeats_path_and_domain_with_max_age_zero() -> None:
    config = WebConfig(api_origin="https://api.example.com", cookie_domain="example.com")
    effects = SessionWriter(config, lambda: NOW).cleared()
    cleared = {c.name: c.render() for c in effects.set_cookies}
    assert cleared == {
        "__Secure-sc_at": "__Secure-sc_at=; Path=/; Domain=example.com; Max-Age=0; "
        "Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Lax",
        "__Secure-sc_rt": "__Secure-sc_rt=; Path=/auth/refresh; Domain=example.com; Max-Age=0; "
        "Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Lax",
        "__Secure-sc_front": "__Secure-sc_front=; Path=/; Domain=example.com; Max-Age=0; "
        "Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; SameSite=Lax",
    }
    assert effects.header("cache-control") == "no-store"


def test_token_mode_sends_the_anti_csrf_token_in_a_header() -> None:
    effects = writer(api_origin="https://example.com", anti_csrf="token").new_tokens(
        TOKENS, "u1", {}
    )
    assert effects.header("sc-anti-csrf") == "csrf-token-value"
    assert effects.header("cache-control") == "no-store"


def test_header_transport_answers_in_headers_and_removes_with_remove() -> None:
    w = writer(api_origin="https://api.example.com", transport="header")
    effects = w.new_tokens(TOKENS, "u1", {})
    assert not effects.set_cookies
    assert effects.header("sc-access-token") == TOKENS.access_token
    assert effects.header("sc-refresh-token") == TOKENS.refresh_token
    assert effects.header("sc-front-token")
    cleared = w.cleared()
    assert cleared.header("sc-front-token") == "remove"
    assert not cleared.set_cookies


def test_a_cookie_over_the_browser_limit_is_refused_before_it_is_written() -> None:
    big = Tokens(
        access_token="a" * MAX_COOKIE_BYTES,
        access_token_expires_at=NOW + 900,
        refresh_token="scr1_x",
        refresh_token_expires_at=NOW + 3600,
        anti_csrf_token="",
    )
    with pytest.raises(SessionTooLarge) as caught:
        writer(api_origin="https://example.com").new_tokens(big, "u1", {})
    assert caught.value.limit == MAX_COOKIE_BYTES
    assert "session data" in str(caught.value)


def test_cookies_sent_on_every_request_are_bounded_together() -> None:
    tokens = Tokens(
        access_token="a" * 3500,
        access_token_expires_at=NOW + 900,
        refresh_token="scr1_x",
        refresh_token_expires_at=NOW + 3600,
        anti_csrf_token="",
    )
    claims = {"blob": "b" * 2200}  # the front token carries the claims again
    with pytest.raises(SessionTooLarge) as caught:
        writer(api_origin="https://example.com").new_tokens(tokens, "u1", claims)
    assert caught.value.what == "session cookies sent on every request"
