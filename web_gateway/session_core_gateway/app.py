"""create_gateway: the gateway's Flask app, on the driver's own refresh and sign-out views.

Routes:
    POST <SESSION_CORE_REFRESH_PATH>   (default /auth/refresh)  the driver's refresh view,
                                       rate limited per client address
    POST <SESSION_CORE_SIGNOUT_PATH>   (default /auth/signout)  the driver's sign-out view
    GET  /.well-known/jwks.json        the core's published keys
    GET  /health                       200 when the core answers with our API key, else 503
    GET  /session.js                   the browser helper

Every error is JSON `{"message", "reason"}`; CORS allows the configured origins only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from session_core_driver.client import SessionCoreClient
from session_core_driver.flask import SessionCore
from session_core_driver.verifier import SessionVerifier
from session_core_gateway.assets import install_assets
from session_core_gateway.cors import install_cors
from session_core_gateway.errors import install_error_pages
from session_core_gateway.health import PROBE_TIMEOUT_SECONDS, install_health
from session_core_gateway.jwks import install_jwks
from session_core_gateway.limits import install_refresh_limit
from session_core_gateway.settings import read_gateway_settings

GATEWAY_EXTENSION_KEY = "session_core_gateway"


def create_gateway(
    config: Mapping[str, Any],
    *,
    client: SessionCoreClient | None = None,
    verifier: SessionVerifier | None = None,
) -> Flask:
    """The gateway app for `config` (SESSION_CORE_* keys, as the Flask extension reads).

    `client` / `verifier` are shared when given (the health probe then uses `client`
    too); otherwise they are built from SESSION_CORE_TARGET and SESSION_CORE_API_KEY.
    Raises WebConfigError naming the setting for any invalid value, before serving.
    """
    gateway_settings = read_gateway_settings(config)
    # No static folder: Flask would otherwise serve the package's static/ at /static.
    app = Flask(__name__, static_folder=None)
    app.config.update(config)
    app.config["SESSION_CORE_MOUNT_VIEWS"] = True  # the gateway exists to serve them
    sessions = SessionCore(app, client=client, verifier=verifier)
    with app.app_context():
        web = sessions.web
    install_error_pages(app)
    install_cors(app, web.config, gateway_settings.cors_max_age)
    limiter = install_refresh_limit(app, gateway_settings)
    install_jwks(app, web.client)
    install_health(app, client or _probe_client(app))
    install_assets(app)
    if gateway_settings.trusted_proxies > 0:
        # Only the proxies we run may name the client; x_for counts them from the right.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=gateway_settings.trusted_proxies
        )
    app.extensions[GATEWAY_EXTENSION_KEY] = {"settings": gateway_settings, "limiter": limiter}
    return app


def _probe_client(app: Flask) -> SessionCoreClient:
    """A one-channel client with a short deadline, for /health only."""
    return SessionCoreClient(
        str(app.config["SESSION_CORE_TARGET"]),
        str(app.config["SESSION_CORE_API_KEY"]),
        channels=1,
        timeout=PROBE_TIMEOUT_SECONDS,
    )
