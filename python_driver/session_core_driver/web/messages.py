"""Plain values that framework adapters move in and out: requests, responses, cookies.

The web layer never sees a framework's request or response: an adapter builds a
WebRequest, calls the web layer, and copies a WebResponse (or ResponseEffects onto its
own response) back. Header names are lower-cased when a WebRequest is built.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from session_core_driver.web import names

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
EPOCH_EXPIRES = "Thu, 01 Jan 1970 00:00:00 GMT"


@dataclass(frozen=True)
class WebRequest:
    """What the web layer reads from one HTTP request."""

    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    cookies: Mapping[str, str] = field(default_factory=dict, repr=False)
    remote_addr: str = ""
    repeated_cookies: frozenset[str] = field(default=frozenset(), repr=False)

    @classmethod
    def build(
        cls,
        method: str,
        path: str,
        headers: Iterable[tuple[str, str]],
        cookies: Mapping[str, str],
        remote_addr: str = "",
        repeated_cookies: Iterable[str] = (),
    ) -> WebRequest:
        """Normalise the method and header names; the first of repeated headers wins.

        `repeated_cookies` names the cookies the request carried more than once (the
        adapter knows: `cookies` keeps one value per name). A repeated session cookie
        makes the session ambiguous, and the web layer then uses neither value.
        """
        lowered: dict[str, str] = {}
        for name, value in headers:
            lowered.setdefault(name.lower(), value)
        repeated = frozenset(repeated_cookies)
        return cls(method.upper(), path, lowered, dict(cookies), remote_addr, repeated)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def is_state_changing(self) -> bool:
        """POST, PUT, PATCH, DELETE and any other method that is not safe (RFC 9110)."""
        return self.method.upper() not in SAFE_METHODS


@dataclass(frozen=True)
class SetCookie:
    """One `Set-Cookie` header; `max_age=0` deletes the cookie (Expires is then 1970)."""

    name: str
    value: str = field(repr=False)
    path: str
    max_age: int
    secure: bool
    http_only: bool
    same_site: Literal["lax", "strict", "none"]
    domain: str | None = None

    @property
    def clears(self) -> bool:
        return self.max_age == 0

    def render(self) -> str:
        """The header value; every value we write is base64url or JWT text, never quoted."""
        parts = [f"{self.name}={self.value}", f"Path={self.path}"]
        if self.domain is not None:
            parts.append(f"Domain={self.domain}")
        parts.append(f"Max-Age={self.max_age}")
        if self.clears:
            parts.append(f"Expires={EPOCH_EXPIRES}")
        if self.secure:
            parts.append("Secure")
        if self.http_only:
            parts.append("HttpOnly")
        parts.append(f"SameSite={self.same_site.capitalize()}")
        return "; ".join(parts)


@dataclass(frozen=True)
class ResponseEffects:
    """Cookies to set and headers to put on a response (replacing same-named headers)."""

    set_cookies: tuple[SetCookie, ...] = ()
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    def __add__(self, other: ResponseEffects) -> ResponseEffects:
        return ResponseEffects(self.set_cookies + other.set_cookies, self.headers + other.headers)

    def __bool__(self) -> bool:
        return bool(self.set_cookies or self.headers)

    def header(self, name: str) -> str | None:
        """The last value given for `name` (case-insensitive), if any."""
        found = [value for key, value in self.headers if key.lower() == name.lower()]
        return found[-1] if found else None


NO_EFFECTS = ResponseEffects()
NO_STORE = ResponseEffects(headers=((names.CACHE_CONTROL, names.NO_STORE),))


@dataclass(frozen=True)
class WebResponse:
    """A complete response of the web layer: status, JSON body, cookies and headers."""

    status: int
    body: Mapping[str, Any]
    effects: ResponseEffects = NO_EFFECTS

    def body_text(self) -> str:
        return json.dumps(dict(self.body), separators=(",", ":"), ensure_ascii=False)
