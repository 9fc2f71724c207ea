"""CORS: credentialed calls from an exact allow-list of origins, and nothing else.

The allow-list is the WebConfig's origins (the API origin, the website origin and the
allowed origins), each matched exactly: scheme, host and port. Flask-CORS reads a plain
string with a regex character in it (`[` of an IPv6 host, say) as a regex, and a regex
matched with `re.match` also accepts any longer origin, so every origin is handed over
as an escaped, fully anchored pattern instead.

A preflight from any other origin is answered 403 JSON with no Access-Control-* header:
the browser then never sends the request (cookies and `sc-anti-csrf` alike), which is
what the `custom_header` anti-CSRF mode relies on. Responses always carry `Vary: Origin`
so a shared cache never serves one origin's answer to another.

Flask-CORS adds its headers beside those already set (the driver's session answers list
their exposed headers, the app varies on Origin), so a last hook merges each of `Vary`
and `Access-Control-Expose-Headers` into one header, every name once. `Retry-After` is
exposed too, so a page can read when to retry a 429 or a 503. An accepted preflight is
an empty answer with no Content-Type (Flask would call its empty body text/html).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from flask import Flask, Response, request
from flask_cors import CORS

from session_core_driver.web import WebConfig, names
from session_core_gateway.errors import json_error

ALLOW_HEADERS = (
    "content-type",
    names.ANTI_CSRF,
    names.CUSTOM_HEADER,
    names.REFRESH_TOKEN_REQUEST,
    names.AUTHORIZATION,
)
ALLOW_METHODS = ("GET", "POST", "OPTIONS")
PREFLIGHT_METHOD = "Access-Control-Request-Method"
RETRY_AFTER = "retry-after"
EXPOSE_HEADERS = (*names.EXPOSED, RETRY_AFTER)
MERGED_HEADERS = ("Vary", "Access-Control-Expose-Headers")


def exact_patterns(origins: Iterable[str]) -> list[re.Pattern[str]]:
    """One anchored, case-insensitive pattern per origin (sorted, for stable output)."""
    return [re.compile(re.escape(origin) + r"\Z", re.IGNORECASE) for origin in sorted(origins)]


def install_cors(app: Flask, config: WebConfig, max_age: int) -> None:
    """Allow credentialed calls from `config.origins` only, and refuse other preflights."""
    patterns = exact_patterns(config.origins)
    app.before_request(_preflight_guard(patterns))
    # Registered before Flask-CORS's own hook, so it runs after it (Flask runs them in
    # reverse) and sees the headers Flask-CORS added.
    app.after_request(_tidy_headers)
    CORS(
        app,
        origins=patterns,
        supports_credentials=True,
        allow_headers=list(ALLOW_HEADERS),
        # One string in the driver's order (Flask-CORS would sort a list); the driver's
        # own list on its session answers is merged into it by _tidy_headers.
        expose_headers=", ".join(EXPOSE_HEADERS),
        methods=list(ALLOW_METHODS),
        max_age=max_age,
        vary_header=True,
    )


def _preflight_guard(patterns: list[re.Pattern[str]]) -> Callable[[], Response | None]:
    def refuse_foreign_preflight() -> Response | None:
        if request.method != "OPTIONS" or PREFLIGHT_METHOD not in request.headers:
            return None
        origin = request.headers.get("Origin", "")
        if any(pattern.match(origin) for pattern in patterns):
            return None
        return json_error(403, "preflight denied", "origin_not_allowed")

    return refuse_foreign_preflight


def _tidy_headers(response: Response) -> Response:
    # Flask-CORS adds Vary only when it answers with CORS headers; a refused origin's
    # answer differs from an allowed one's too, so every answer varies on Origin.
    response.headers.add("Vary", "Origin")
    for name in MERGED_HEADERS:
        _merge(response, name)
    if request.method == "OPTIONS" and not response.is_streamed and not response.get_data():
        response.headers.pop("Content-Type", None)
    return response


def _merge(response: Response, name: str) -> None:
    """Every `name` header as one, each comma-separated item once (first spelling kept)."""
    items: dict[str, str] = {}
    for value in response.headers.getlist(name):
        for item in value.split(","):
            if item.strip():
                items.setdefault(item.strip().lower(), item.strip())
    if items:
        response.headers[name] = ", ".join(items.values())
