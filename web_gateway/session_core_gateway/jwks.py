"""GET /.well-known/jwks.json: the core's published keys, as the core publishes them.

Fetched from the core on every request (GetJwks is an in-memory call there), so a key
the core withdraws leaves this document at once; caches downstream keep it for the
core's own max-age, no longer.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response

from session_core_driver.client import SessionCoreClient
from session_core_driver.errors import CoreAuthError, CoreUnavailable
from session_core_gateway.errors import json_error

JWKS_PATH = "/.well-known/jwks.json"
RETRY_AFTER_SECONDS = 5


def install_jwks(app: Flask, client: SessionCoreClient) -> None:
    """Serve the core's JWKS at JWKS_PATH through `client`."""
    blueprint = Blueprint("session_core_gateway_jwks", __name__)

    @blueprint.get(JWKS_PATH)
    def jwks() -> Response:
        try:
            text, max_age = client.get_jwks()
        except CoreUnavailable:
            return unavailable()
        except CoreAuthError:
            return json_error(500, "session service misconfigured", "core_auth")
        response = Response(text, status=200, content_type="application/json")
        response.headers["Cache-Control"] = f"public, max-age={max(0, max_age)}"
        return response

    app.register_blueprint(blueprint)


def unavailable() -> Response:
    """503 JSON with Retry-After: the core cannot be reached now."""
    response = json_error(503, "session service unavailable", "core_unavailable")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
