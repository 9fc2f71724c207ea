"""Moving values between Flask and the framework-free web layer."""

from __future__ import annotations

from flask import Response, request

from session_core_driver.web.messages import ResponseEffects, WebRequest, WebResponse

_APPENDED = frozenset({"set-cookie", "access-control-expose-headers", "vary"})


def web_request() -> WebRequest:
    """The current Flask request as a WebRequest."""
    return WebRequest.build(
        request.method,
        request.path,
        request.headers.items(),
        request.cookies,
        request.remote_addr or "",
        repeated_cookies(),
    )


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
