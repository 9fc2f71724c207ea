"""session_core_gateway: the web gateway, a small Flask app on the session-core driver.

It serves the driver's refresh and sign-out handling, the core's JWKS, a health check
and the browser helper `session.js`, with CORS for an exact origin allow-list and a
per-client rate limit on refreshes. Build it with `create_gateway(config)` (a WSGI app
for any server) or run `session-core-gateway` (waitress).

`create_gateway` is imported on first use (PEP 562): `SESSION_JS_PATH` (and
`session_core_gateway.assets`) then need Flask only, not the `gateway` extra's
Flask-CORS and Flask-Limiter, so an app with the `flask` extra can serve the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from session_core_gateway.assets import SESSION_JS_PATH

if TYPE_CHECKING:
    from session_core_gateway.app import create_gateway

__all__ = ["SESSION_JS_PATH", "create_gateway"]


def __getattr__(name: str) -> Any:
    if name == "create_gateway":
        from session_core_gateway.app import create_gateway

        return create_gateway
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
