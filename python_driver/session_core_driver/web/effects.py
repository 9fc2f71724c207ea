"""What a response must carry to hand out, update or clear a session's tokens.

Cookie transport: the access-token cookie (`Path=/`), the refresh-token cookie
(`Path=<refresh path>`) and the front-token cookie (`Path=/`, readable by scripts), all
with the configured Domain, Secure and SameSite, the token ones HttpOnly; in token mode
the new anti-CSRF token in the `sc-anti-csrf` response header. Clearing sends each cookie
again, empty, with `Max-Age=0` and the same Path and Domain, so the browser drops exactly
the cookie it holds.

Header transport: `sc-access-token`, `sc-refresh-token` and `sc-front-token` response
headers; clearing sends `sc-front-token: remove`.

Every response that hands out or clears tokens is `Cache-Control: no-store`. Sizes are
checked before anything is written: a cookie over 4096 bytes (name, value and
attributes: what every browser keeps), our cookies sent on every request over 6144
bytes together (leaving room in a proxy's 8 KiB request-header line for the app's own
cookies), or a header over 4096 bytes raises SessionTooLarge instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from session_core_driver.sessions import Tokens
from session_core_driver.web import names
from session_core_driver.web.config import WebConfig
from session_core_driver.web.errors import SessionTooLarge
from session_core_driver.web.front_token import encode_front_token
from session_core_driver.web.messages import NO_STORE, ResponseEffects, SetCookie

MAX_COOKIE_BYTES = 4096
MAX_EVERY_REQUEST_COOKIE_BYTES = 6144
MAX_HEADER_BYTES = 4096
_EXPOSE = (names.EXPOSE_HEADERS, ", ".join(names.EXPOSED))


class SessionWriter:
    """Builds the ResponseEffects that hand out, update or clear tokens.

    `clock` returns seconds since the epoch (cookie Max-Age is counted from it).
    """

    def __init__(self, config: WebConfig, clock: Callable[[], float]) -> None:
        self._config = config
        self._clock = clock

    def new_tokens(
        self, tokens: Tokens, user_id: str, claims: Mapping[str, Any]
    ) -> ResponseEffects:
        """Effects of a create or a refresh: every token, the front token, no-store."""
        front = encode_front_token(user_id, tokens.access_token_expires_at, claims)
        expires = tokens.refresh_token_expires_at
        if not self._config.uses_cookies:
            return self._headers(
                (names.ACCESS_TOKEN_RESPONSE, tokens.access_token),
                (names.REFRESH_TOKEN_RESPONSE, tokens.refresh_token),
                (names.FRONT_TOKEN, front),
            )
        cookies = (
            self._cookie(self._config.access_token_cookie_name, tokens.access_token, "/", expires),
            self._refresh_cookie(tokens.refresh_token, expires),
            self._front_cookie(front, expires),
        )
        csrf = ((names.ANTI_CSRF_RESPONSE, tokens.anti_csrf_token),)
        return self._cookies(cookies, csrf if tokens.anti_csrf_token else ())

    def new_access_token(
        self,
        access_token: str,
        access_token_expires_at: float,
        user_id: str,
        claims: Mapping[str, Any],
        session_expires_at: float,
    ) -> ResponseEffects:
        """Effects of a regenerated access token: it and the front token, no-store."""
        front = encode_front_token(user_id, access_token_expires_at, claims)
        if not self._config.uses_cookies:
            return self._headers(
                (names.ACCESS_TOKEN_RESPONSE, access_token), (names.FRONT_TOKEN, front)
            )
        at_name = self._config.access_token_cookie_name
        cookies = (
            self._cookie(at_name, access_token, "/", session_expires_at),
            self._front_cookie(front, session_expires_at),
        )
        return self._cookies(cookies, ())

    def cleared(self) -> ResponseEffects:
        """Effects that end the session in the client: cookies deleted or front `remove`."""
        if not self._config.uses_cookies:
            return self._headers((names.FRONT_TOKEN, names.FRONT_TOKEN_REMOVED))
        c = self._config
        cookies = (
            self._cookie(c.access_token_cookie_name, "", "/", None),
            self._cookie(c.refresh_token_cookie_name, "", c.refresh_path, None),
            self._cookie(c.front_token_cookie_name, "", "/", None, http_only=False),
        )
        return ResponseEffects(cookies) + NO_STORE

    def cleared_planted(self, names: frozenset[str], request_path: str) -> ResponseEffects:
        """Deletions of the cookies `names` at every other Path the request path matches.

        A cookie planted at a narrower Path (say `/sessions`) is sent beside ours; these
        deletions (host-only, or at the configured Domain) drop it. Adapters that keep
        one cookie per name keep the last one, so these come before `cleared()`.
        """
        ours = self.cleared()
        our_paths = {(c.name, c.path) for c in ours.set_cookies}
        cookies = tuple(
            self._cookie(name, "", path, None, http_only=False)
            for name in sorted(names)
            for path in _matching_paths(request_path)
            if (name, path) not in our_paths
        )
        return ResponseEffects(cookies)

    def _refresh_cookie(self, token: str, expires_at: float) -> SetCookie:
        name = self._config.refresh_token_cookie_name
        return self._cookie(name, token, self._config.refresh_path, expires_at)

    def _front_cookie(self, front: str, expires_at: float) -> SetCookie:
        name = self._config.front_token_cookie_name
        return self._cookie(name, front, "/", expires_at, http_only=False)

    def _cookie(
        self, name: str, value: str, path: str, expires_at: float | None, http_only: bool = True
    ) -> SetCookie:
        max_age = 0 if expires_at is None else max(1, int(expires_at - self._clock()))
        return SetCookie(
            name=name,
            value=value,
            path=path,
            max_age=max_age,
            secure=self._config.secure,
            http_only=http_only,
            same_site=self._config.same_site,
            domain=self._config.domain,
        )

    def _cookies(
        self, cookies: tuple[SetCookie, ...], headers: tuple[tuple[str, str], ...]
    ) -> ResponseEffects:
        for cookie in cookies:
            _check_size(f"{cookie.name} cookie", len(cookie.render().encode()), MAX_COOKIE_BYTES)
        every_request = sum(len(f"{c.name}={c.value}".encode()) for c in cookies if c.path == "/")
        _check_size(
            "session cookies sent on every request", every_request, MAX_EVERY_REQUEST_COOKIE_BYTES
        )
        return ResponseEffects(cookies, (*headers, _EXPOSE)) + NO_STORE

    def _headers(self, *headers: tuple[str, str]) -> ResponseEffects:
        for name, value in headers:
            _check_size(f"{name} header", len(value.encode()), MAX_HEADER_BYTES)
        return ResponseEffects(headers=(*headers, _EXPOSE)) + NO_STORE


def _matching_paths(request_path: str, max_depth: int = 8) -> list[str]:
    """Every cookie Path (with and without a trailing slash) that matches `request_path`."""
    segments = [part for part in request_path.split("/") if part][:max_depth]
    paths = ["/"]
    for depth in range(1, len(segments) + 1):
        prefix = "/" + "/".join(segments[:depth])
        paths += [prefix, prefix + "/"]
    return paths


def _check_size(what: str, size: int, limit: int) -> None:
    if size > limit:
        raise SessionTooLarge(what, size, limit)
