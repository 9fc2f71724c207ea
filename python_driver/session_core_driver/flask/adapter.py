"""Moving values between Flask and the framework-free web layer."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, cast

from flask import Request, Response, request
from werkzeug.datastructures import Headers

from session_core_driver.web.messages import ResponseEffects, WebRequest, WebResponse

_APPENDED = frozenset({"set-cookie", "access-control-expose-headers", "vary"})


def web_request() -> WebRequest:
    """The current Flask request as a WebRequest, without copying its headers or cookies.

    This runs on every guarded request, so it reads through werkzeug's own views (whose
    lookups are already case-insensitive, and whose cookies are parsed only when read)
    and looks for repeated cookies only when the request has a Cookie header at all.
    """
    current: Request = cast(Any, request)._get_current_object()  # one context lookup
    has_cookies = "HTTP_COOKIE" in current.environ
    return WebRequest(
        current.method,
        current.path,
        _HeaderView(current.headers),
        current.cookies if has_cookies else _NO_COOKIES,
        current.remote_addr or "",
        repeated_cookies() if has_cookies else frozenset(),
    )


_NO_COOKIES: Mapping[str, str] = MappingProxyType({})


class _HeaderView(Mapping[str, str]):
    """werkzeug's request headers as the Mapping WebRequest reads (by lower-case name)."""

    __slots__ = ("_headers",)

    def __init__(self, headers: Headers) -> None:
        self._headers = headers

    def __getitem__(self, name: str) -> str:
        value = self._headers.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def get(self, name: str, default: Any = None) -> Any:
        return self._headers.get(name, default)

    def __iter__(self) -> Iterator[str]:
        return (name.lower() for name, _ in self._headers.items())

    def __len__(self) -> int:
        return len(self._headers)


def repeated_cookies() -> frozenset[str]:
    """The cookie names the current request carried more than once.

    werkzeug keeps every `name=value` pair of the Cookie header in its MultiDict (in the
    order sent), while `request.cookies[name]` gives only the first.
    """
    return frozenset(name for name, values in request.cookies.lists() if len(values) > 1)


def apply_effects(response: Response, effects: ResponseEffects) -> Response:
    """Add the cookies and headers to `response` (headers replace same-named ones)."""
    for cookie in effects.set_cookies:
        response.headers.add("Set-Cookie", cookie.render())
    for name, value in effects.headers:
        if name.lower() in _APPENDED and name in response.headers:
            if value not in response.headers[name]:
                response.headers[name] = f"{response.headers[name]}, {value}"
        else:
            response.headers[name] = value
    return response


def to_flask(web_response: WebResponse) -> Response:
    """A JSON Flask response with the status and body (effects are applied separately)."""
    return Response(
        web_response.body_text(), status=web_response.status, mimetype="application/json"
    )
