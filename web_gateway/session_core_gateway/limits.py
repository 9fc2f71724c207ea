"""Rate limiting of the refresh view, per client address (Flask-Limiter).

The key is `request.remote_addr`, which ProxyFix rewrites from X-Forwarded-For only when
SESSION_CORE_GATEWAY_TRUSTED_PROXIES says how many proxies stand in front; otherwise
the header is ignored, so a client cannot pick a fresh address per request.

With `memory://` storage each process counts on its own: N processes (gunicorn workers,
replicas) let N times the limit through. Point SESSION_CORE_GATEWAY_RATE_LIMIT_STORAGE
at a shared store (e.g. `redis://host:6379`) to count across processes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from limits.errors import ConfigurationError

from session_core_driver.flask.views import BLUEPRINT_NAME
from session_core_gateway.errors import json_error
from session_core_gateway.settings import GatewaySettings, storage_error

REFRESH_ENDPOINT = f"{BLUEPRINT_NAME}.refresh"


def client_address() -> str:
    """The limiter's key: the client's address as this app sees it (after ProxyFix)."""
    return request.remote_addr or "unknown"


def install_refresh_limit(app: Flask, settings: GatewaySettings) -> Limiter:
    """Limit the refresh view to `settings.refresh_limit` per client address.

    Only the refresh view is limited (no default limits): it is the one that writes to
    the core's storage on every call. A breach answers 429 JSON with Retry-After.
    """
    try:
        limiter = Limiter(
            client_address,
            app=app,
            storage_uri=settings.rate_limit_storage,
            headers_enabled=False,
            key_prefix="session-core-gateway",
        )
    except ConfigurationError as exc:  # an unknown scheme, or its client library missing
        raise storage_error(settings.rate_limit_storage) from exc
    view = app.view_functions[REFRESH_ENDPOINT]
    # POST only: a CORS preflight for the refresh must not use up the refresh's budget.
    limited: Any = limiter.limit(settings.refresh_limit, methods=["POST"])(view)
    app.view_functions[REFRESH_ENDPOINT] = limited
    app.register_error_handler(RateLimitExceeded, _too_many_requests(limiter))
    return limiter


def _too_many_requests(limiter: Limiter) -> Callable[[RateLimitExceeded], Response]:
    def answer(_exc: RateLimitExceeded) -> Response:
        response = json_error(429, "too many requests", "rate_limited")
        response.headers["Retry-After"] = str(_retry_after(limiter))
        return response

    return answer


def _retry_after(limiter: Limiter) -> int:
    """Whole seconds until the breached window resets (at least 1)."""
    current = limiter.current_limit
    if current is None:
        return 1
    return max(1, math.ceil(current.reset_at - time.time()))
