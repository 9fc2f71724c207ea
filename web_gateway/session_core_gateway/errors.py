"""JSON answers for HTTP errors: the gateway never serves an HTML error page.

Every answer is `{"message", "reason"}` like the driver's session answers (its 401s keep
their own bodies and headers) and is `Cache-Control: no-store`, so a proxy never keeps
an error in place of the real answer.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from session_core_driver.web import names

# reason by status; anything else is "http_<status>".
REASONS = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}
MESSAGES = {429: "too many requests", 500: "internal error"}


def json_error(status: int, message: str, reason: str) -> Response:
    """A `{"message", "reason"}` answer with `status`, never cached."""
    response = jsonify(message=message, reason=reason)
    response.status_code = status
    response.headers[names.CACHE_CONTROL] = names.NO_STORE
    return response


def install_error_pages(app: Flask) -> None:
    """Answer every HTTP error (unhandled exceptions as 500) with JSON."""
    app.register_error_handler(HTTPException, _http_error)


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    # The message never repeats exception text: a 500's text may hold request data.
    message = MESSAGES.get(status) or (exc.name or "error").lower()
    response = json_error(status, message, REASONS.get(status, f"http_{status}"))
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response
