"""Moving values between Django and the framework-free web layer."""

from __future__ import annotations

from http.cookies import Morsel
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase

from session_core_driver.web.messages import (
    EPOCH_EXPIRES,
    ResponseEffects,
    SetCookie,
    WebRequest,
    WebResponse,
)

_APPENDED = frozenset({"access-control-expose-headers", "vary"})


def web_request(request: HttpRequest) -> WebRequest:
    """A Django request as a WebRequest."""
    return WebRequest.build(
        request.method or "GET",
        request.path,
        request.headers.items(),
        request.COOKIES,
        str(request.META.get("REMOTE_ADDR") or ""),
        repeated_cookies(request),
    )


def repeated_cookies(request: HttpRequest) -> frozenset[str]:
    """The cookie names the request carried more than once.

    `request.COOKIES` keeps one value per name (the last), so the Cookie header is read
    again here, split as Django splits it.
    """
    seen: set[str] = set()
    repeated: set[str] = set()
    for chunk in str(request.META.get("HTTP_COOKIE", "")).split(";"):
        name = chunk.split("=", 1)[0].strip() if "=" in chunk else ""
        if name:
            (repeated if name in seen else seen).add(name)
    return frozenset(repeated)


def django_request(candidate: Any) -> HttpRequest | None:
    """The HttpRequest behind a view argument (a Django request, or a DRF Request)."""
    if isinstance(candidate, HttpRequest):
        return candidate
    inner = getattr(candidate, "_request", None)
    return inner if isinstance(inner, HttpRequest) else None


def apply_effects(response: HttpResponseBase, effects: ResponseEffects) -> HttpResponseBase:
    """Add the cookies and headers to `response` (headers replace same-named ones)."""
    for cookie in effects.set_cookies:
        _set_cookie(response, cookie)
    for name, value in effects.headers:
        present = response.headers.get(name)
        if name.lower() in _APPENDED and present:
            if value not in present:
                response.headers[name] = f"{present}, {value}"
        else:
            response.headers[name] = value
    return response


def _set_cookie(response: HttpResponseBase, cookie: SetCookie) -> None:
    """One Set-Cookie header. Django keeps one cookie per name; the same name at another
    Path or Domain (clearing a planted duplicate, say) is kept under a key of its own, and
    Django's handlers still write every one of them as its own header."""
    morsel: Morsel[str] = Morsel()
    morsel.set(cookie.name, cookie.value, cookie.value)  # base64url or JWT: never quoted
    morsel["path"] = cookie.path
    if cookie.domain is not None:
        morsel["domain"] = cookie.domain
    morsel["max-age"] = str(cookie.max_age)
    if cookie.clears:
        morsel["expires"] = EPOCH_EXPIRES
    morsel["secure"] = cookie.secure
    morsel["httponly"] = cookie.http_only
    morsel["samesite"] = cookie.same_site.capitalize()
    present = response.cookies.get(cookie.name)
    elsewhere = present is not None and (present["path"], present["domain"]) != (
        cookie.path,
        cookie.domain or "",
    )
    key = f"{cookie.name};{cookie.path};{cookie.domain or ''}" if elsewhere else cookie.name
    response.cookies[key] = morsel


def to_django(web_response: WebResponse) -> HttpResponse:
    """A JSON response with the status and body (effects are applied by the middleware)."""
    return HttpResponse(
        web_response.body_text(),
        status=web_response.status,
        content_type="application/json",
    )
