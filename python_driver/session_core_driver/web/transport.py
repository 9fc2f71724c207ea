"""Reading the session's tokens from a request, in the configured transport.

Cookie transport: the access token, refresh token and front token travel in cookies.
Header transport: `Authorization: Bearer <access token>`, and the refresh token in the
`sc-refresh-token` header, which clients send to the refresh endpoint only. An empty
value counts as absent.

A session cookie the request carries more than once (a cookie planted with a narrower
Path, or from a sibling domain, is sent beside ours, and often first) makes the session
ambiguous: the web layer then uses neither value. A token longer than the core accepts
is not authentic (it is answered as such, never as a malformed request).
"""

from __future__ import annotations

from session_core_driver.web import names
from session_core_driver.web.config import WebConfig
from session_core_driver.web.messages import WebRequest

MAX_TOKEN_LENGTH = 16 * 1024  # the core refuses longer tokens


def session_cookie_names(config: WebConfig) -> tuple[str, str, str]:
    return (
        config.access_token_cookie_name,
        config.refresh_token_cookie_name,
        config.front_token_cookie_name,
    )


def ambiguous_session(config: WebConfig, request: WebRequest) -> bool:
    """Whether any session cookie arrived more than once (then neither value is used)."""
    if not config.uses_cookies:
        return False
    return any(name in request.repeated_cookies for name in session_cookie_names(config))


def too_long(token: str) -> bool:
    """Whether `token` is longer than the core accepts (so it cannot be authentic)."""
    return len(token) > MAX_TOKEN_LENGTH


def read_access_token(config: WebConfig, request: WebRequest) -> str | None:
    if config.uses_cookies:
        return request.cookies.get(config.access_token_cookie_name) or None
    scheme, _, token = (request.header(names.AUTHORIZATION) or "").strip().partition(" ")
    return token.strip() or None if scheme.lower() == names.BEARER else None


def read_refresh_token(config: WebConfig, request: WebRequest) -> str | None:
    if config.uses_cookies:
        return request.cookies.get(config.refresh_token_cookie_name) or None
    return (request.header(names.REFRESH_TOKEN_REQUEST) or "").strip() or None


def carries_session(config: WebConfig, request: WebRequest) -> bool:
    """Whether the request carries any session cookie or header at all (even an empty one).

    A request that carries none never has cookies cleared or headers removed: it may
    have been sent before a sign-in finished (its answer must not undo that sign-in).
    """
    if config.uses_cookies:
        return any(name in request.cookies for name in session_cookie_names(config))
    return read_access_token(config, request) is not None or (
        request.header(names.REFRESH_TOKEN_REQUEST) is not None
    )
