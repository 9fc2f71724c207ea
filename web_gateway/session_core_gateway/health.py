"""GET /health: whether the gateway can do its job, i.e. reach the core with its API key.

The probe is a GetJwks call (cheap, in memory on the core, and refused without a valid
API key), so "ok" means both the connection and the key work. It runs on a client whose
deadline is about a second, so a hung core fails the probe instead of hanging it.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify

from session_core_driver.client import SessionCoreClient
from session_core_driver.errors import CoreAuthError, CoreUnavailable
from session_core_driver.web import names

HEALTH_PATH = "/health"
PROBE_TIMEOUT_SECONDS = 1.0


def install_health(app: Flask, probe_client: SessionCoreClient) -> None:
    """Serve HEALTH_PATH, probing the core through `probe_client`."""
    blueprint = Blueprint("session_core_gateway_health", __name__)

    @blueprint.get(HEALTH_PATH)
    def health() -> Response:
        try:
            probe_client.get_jwks()
        except CoreUnavailable:
            return _status(503, "unavailable", "core_unavailable")
        except CoreAuthError:
            return _status(503, "unavailable", "core_refused_api_key")
        return _status(200, "ok", None)

    app.register_blueprint(blueprint)


def _status(code: int, status: str, reason: str | None) -> Response:
    body = {"status": status} if reason is None else {"status": status, "reason": reason}
    response = jsonify(body)
    response.status_code = code
    response.headers[names.CACHE_CONTROL] = names.NO_STORE
    return response
