"""The gateway's own settings: read once from the app's config, validated when read.

| key                                     | default          | meaning                             |
|-----------------------------------------|------------------|-------------------------------------|
| SESSION_CORE_GATEWAY_TRUSTED_PROXIES    | 0                | proxies in front that set           |
|                                         |                  | X-Forwarded-For (0: header ignored) |
| SESSION_CORE_GATEWAY_REFRESH_LIMIT      | "60 per minute"  | refreshes per client address        |
| SESSION_CORE_GATEWAY_RATE_LIMIT_STORAGE | "memory://"      | where the limiter counts            |
| SESSION_CORE_GATEWAY_CORS_MAX_AGE       | 600              | seconds browsers cache a preflight  |

Every bad value raises WebConfigError naming the key, so the gateway refuses to start
rather than serve with a limit or a proxy count it misread; so does a
SESSION_CORE_REFRESH_PATH / SESSION_CORE_SIGNOUT_PATH on one of the gateway's own
routes (/health, /session.js, /.well-known/jwks.json), which would shadow it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import limits

from session_core_driver.web import WebConfigError
from session_core_driver.web.config import DEFAULT_REFRESH_PATH, DEFAULT_SIGNOUT_PATH
from session_core_gateway.assets import SESSION_JS_URL
from session_core_gateway.health import HEALTH_PATH
from session_core_gateway.jwks import JWKS_PATH

PREFIX = "SESSION_CORE_GATEWAY_"
DEFAULT_TRUSTED_PROXIES = 0
DEFAULT_REFRESH_LIMIT = "60 per minute"
DEFAULT_RATE_LIMIT_STORAGE = "memory://"
DEFAULT_CORS_MAX_AGE = 600
WILDCARD = "*"
GATEWAY_ROUTES = (HEALTH_PATH, SESSION_JS_URL, JWKS_PATH)


@dataclass(frozen=True)
class GatewaySettings:
    """What the gateway adds to the driver's settings; built by `read_gateway_settings`."""

    trusted_proxies: int = DEFAULT_TRUSTED_PROXIES
    refresh_limit: str = DEFAULT_REFRESH_LIMIT
    rate_limit_storage: str = DEFAULT_RATE_LIMIT_STORAGE
    cors_max_age: int = DEFAULT_CORS_MAX_AGE


def read_gateway_settings(config: Mapping[str, Any]) -> GatewaySettings:
    """The gateway settings in `config` (missing keys take their defaults).

    Also refuses a `*` in SESSION_CORE_WEBSITE_ORIGIN / SESSION_CORE_ALLOWED_ORIGINS: the
    gateway answers credentialed requests, and `*` would let every site read them.
    """
    _refuse_wildcard_origins(config)
    _refuse_colliding_paths(config)
    get = _getter(config)
    return GatewaySettings(
        trusted_proxies=_count(get, "TRUSTED_PROXIES", DEFAULT_TRUSTED_PROXIES, minimum=0),
        refresh_limit=_limit(get("REFRESH_LIMIT", DEFAULT_REFRESH_LIMIT)),
        rate_limit_storage=_storage(get("RATE_LIMIT_STORAGE", DEFAULT_RATE_LIMIT_STORAGE)),
        cors_max_age=_count(get, "CORS_MAX_AGE", DEFAULT_CORS_MAX_AGE, minimum=0),
    )


def _getter(config: Mapping[str, Any]) -> Callable[[str, Any], Any]:
    def get(key: str, default: Any) -> Any:
        value = config.get(PREFIX + key)
        # An empty environment variable means "not set", as for the driver's settings.
        return default if value is None or value == "" else value

    return get


def _count(get: Callable[[str, Any], Any], key: str, default: int, *, minimum: int) -> int:
    value = get(key, default)
    try:
        number = int(value) if not isinstance(value, bool | float) else None
    except (TypeError, ValueError):
        number = None
    if number is None or number < minimum:
        raise WebConfigError(PREFIX + key, f"{value!r} is not a whole number >= {minimum}")
    return number


def _limit(value: Any) -> str:
    text = str(value).strip()
    try:
        parsed = limits.parse_many(text)
    except ValueError as exc:
        parsed = []
        reason = str(exc)
    else:
        reason = "no limit in it"
    if not parsed:
        raise WebConfigError(
            PREFIX + "REFRESH_LIMIT",
            f"{text!r} is not a rate limit ({reason}): write e.g. '60 per minute' or "
            "'10/second;300/hour'",
        )
    return text


def storage_error(text: str) -> WebConfigError:
    """The error for a rate-limit storage URL the limiter cannot use."""
    return WebConfigError(
        PREFIX + "RATE_LIMIT_STORAGE",
        f"{text!r} is not a storage URL the limiter can use: use memory:// (one process) "
        "or a shared store such as redis://host:6379 (with its client library installed)",
    )


def _storage(value: Any) -> str:
    text = str(value).strip()
    # The gateway is a sync WSGI app: the async storages would never be awaited. Unknown
    # schemes are refused when the limiter opens the storage (limits.install_refresh_limit).
    if "://" not in text or text.startswith("async+"):
        raise storage_error(text)
    return text


def _refuse_wildcard_origins(config: Mapping[str, Any]) -> None:
    for key in ("WEBSITE_ORIGIN", "ALLOWED_ORIGINS"):
        if WILDCARD in _origin_texts(config.get("SESSION_CORE_" + key)):
            raise WebConfigError(
                "SESSION_CORE_" + key,
                "'*' would let every website call the gateway with the user's credentials: "
                "list each origin exactly, e.g. https://app.example.com",
            )


def _origin_texts(value: str | Iterable[str] | None) -> list[str]:
    if not value:
        return []
    items = value.split(",") if isinstance(value, str) else value
    return [str(item).strip() for item in items]


def _refuse_colliding_paths(config: Mapping[str, Any]) -> None:
    for key, default in (
        ("REFRESH_PATH", DEFAULT_REFRESH_PATH),
        ("SIGNOUT_PATH", DEFAULT_SIGNOUT_PATH),
    ):
        path = config.get("SESSION_CORE_" + key) or default
        if str(path).strip().rstrip("/") in GATEWAY_ROUTES:
            raise WebConfigError(
                "SESSION_CORE_" + key,
                f"{path!r} is one of the gateway's own routes ({', '.join(GATEWAY_ROUTES)}): "
                "pick another path, e.g. the default " + default,
            )
