"""session_core_gateway: the web gateway, a small Flask app on the session-core driver.

It serves the driver's refresh and sign-out handling, the core's JWKS, a health check
and the browser helper `session.js`, with CORS for an exact origin allow-list and a
per-client rate limit on refreshes. Build it with `create_gateway(config)` (a WSGI app
for any server) or run `session-core-gateway` (waitress).
"""

from __future__ import annotations

from session_core_gateway.app import create_gateway
from session_core_gateway.assets import SESSION_JS_PATH

__all__ = ["SESSION_JS_PATH", "create_gateway"]
