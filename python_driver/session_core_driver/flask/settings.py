"""The extension's settings: read once from `app.config`, defaults seeded with setdefault.

| key                                  | default            | meaning                              |
|--------------------------------------|--------------------|--------------------------------------|
| SESSION_CORE_TARGET                  | "127.0.0.1:7380"   | the core's gRPC address              |
| SESSION_CORE_API_KEY                 | (required)         | an API key of the core               |
| SESSION_CORE_TIMEOUT                 | 5.0                | deadline of each core call, seconds  |
| SESSION_CORE_CHANNELS                | 4                  | gRPC channels per process            |
| SESSION_CORE_ISSUER / _AUDIENCE      | "session-core"     | expected `iss` / `aud` of tokens     |
| SESSION_CORE_LEEWAY                  | 30                 | clock-skew leeway, seconds           |
| SESSION_CORE_REVOCATION_FEED         | True               | poll the revocation feed             |
| SESSION_CORE_CHECK_DATABASE          | False              | default of `check_database`          |
| SESSION_CORE_API_ORIGIN              | (required)         | e.g. "https://api.example.com"       |
| SESSION_CORE_WEBSITE_ORIGIN          | None (= API)       | the pages' origin                    |
| SESSION_CORE_ALLOWED_ORIGINS         | ()                 | more origins allowed to call         |
| SESSION_CORE_TRANSPORT               | "cookie"           | "cookie" or "header"                 |
| SESSION_CORE_ANTI_CSRF               | None (derived)     | "token", "custom_header" or "none"   |
| SESSION_CORE_COOKIE_DOMAIN           | None (host-only)   | cookie Domain                        |
| SESSION_CORE_COOKIE_SECURE           | None (derived)     | cookie Secure                        |
| SESSION_CORE_COOKIE_SAME_SITE        | None (derived)     | "lax", "strict" or "none"            |
| SESSION_CORE_COOKIE_PREFIXES         | True               | `__Host-` / `__Secure-` over https   |
| SESSION_CORE_ALLOW_SECURE_LOOPBACK_HTTP | False           | Secure cookies on http://localhost   |
| SESSION_CORE_REFRESH_PATH            | "/auth/refresh"    | the refresh view's path              |
| SESSION_CORE_SIGNOUT_PATH            | "/auth/signout"    | the sign-out view's path             |
| SESSION_CORE_MOUNT_VIEWS             | True               | register the refresh/sign-out views  |

The web settings are validated by WebConfig (WebConfigError says what to change).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask

from session_core_driver.client import DEFAULT_CHANNELS, DEFAULT_TARGET, DEFAULT_TIMEOUT_SECONDS
from session_core_driver.verifier import DEFAULT_AUDIENCE, DEFAULT_ISSUER, DEFAULT_LEEWAY
from session_core_driver.web.config import DEFAULT_REFRESH_PATH, DEFAULT_SIGNOUT_PATH, WebConfig
from session_core_driver.web.errors import WebConfigError

PREFIX = "SESSION_CORE_"
DEFAULTS: dict[str, Any] = {
    "TARGET": DEFAULT_TARGET,
    "API_KEY": "",
    "TIMEOUT": DEFAULT_TIMEOUT_SECONDS,
    "CHANNELS": DEFAULT_CHANNELS,
    "ISSUER": DEFAULT_ISSUER,
    "AUDIENCE": DEFAULT_AUDIENCE,
    "LEEWAY": DEFAULT_LEEWAY,
    "REVOCATION_FEED": True,
    "CHECK_DATABASE": False,
    "API_ORIGIN": None,
    "WEBSITE_ORIGIN": None,
    "ALLOWED_ORIGINS": (),
    "TRANSPORT": "cookie",
    "ANTI_CSRF": None,
    "COOKIE_DOMAIN": None,
    "COOKIE_SECURE": None,
    "COOKIE_SAME_SITE": None,
    "COOKIE_PREFIXES": True,
    "ALLOW_SECURE_LOOPBACK_HTTP": False,
    "REFRESH_PATH": DEFAULT_REFRESH_PATH,
    "SIGNOUT_PATH": DEFAULT_SIGNOUT_PATH,
    "MOUNT_VIEWS": True,
}


@dataclass(frozen=True)
class CoreSettings:
    """How to reach and trust the core."""

    target: str
    api_key: str
    timeout: float
    channels: int
    issuer: str
    audience: str
    leeway: float
    revocation_feed: bool


@dataclass(frozen=True)
class Settings:
    """Everything the extension reads from `app.config`, once, in `init_app`."""

    core: CoreSettings
    web: WebConfig
    check_database: bool
    mount_views: bool


def read_settings(app: Flask, *, need_api_key: bool) -> Settings:
    """Seed the defaults into `app.config` and build the settings from it.

    Raises WebConfigError for a missing API origin (or API key, when the extension
    builds its own client) and for any web setting a browser would reject.
    """
    for key, value in DEFAULTS.items():
        app.config.setdefault(PREFIX + key, value)
    get = _reader(app)
    if need_api_key and not get("API_KEY"):
        raise WebConfigError(PREFIX + "API_KEY", "set it to one of the core's API keys")
    if not get("API_ORIGIN"):
        raise WebConfigError(
            PREFIX + "API_ORIGIN",
            "set the origin this app is served at, e.g. https://api.example.com",
        )
    return Settings(
        core=_core(get),
        web=_web(get),
        check_database=bool(get("CHECK_DATABASE")),
        mount_views=bool(get("MOUNT_VIEWS")),
    )


Getter = Callable[[str], Any]


def _reader(app: Flask) -> Getter:
    return lambda key: app.config[PREFIX + key]


def _origins(value: str | Iterable[str]) -> tuple[str, ...]:
    """A tuple of origins; a comma-separated string (as from an environment variable) too."""
    items = value.split(",") if isinstance(value, str) else value
    return tuple(item.strip() for item in items if item.strip())


def _core(get: Getter) -> CoreSettings:
    return CoreSettings(
        target=str(get("TARGET")),
        api_key=str(get("API_KEY")),
        timeout=float(get("TIMEOUT")),
        channels=int(get("CHANNELS")),
        issuer=str(get("ISSUER")),
        audience=str(get("AUDIENCE")),
        leeway=float(get("LEEWAY")),
        revocation_feed=bool(get("REVOCATION_FEED")),
    )


def _web(get: Getter) -> WebConfig:
    return WebConfig(
        api_origin=str(get("API_ORIGIN")),
        website_origin=get("WEBSITE_ORIGIN"),
        allowed_origins=_origins(get("ALLOWED_ORIGINS")),
        transport=get("TRANSPORT"),
        anti_csrf=get("ANTI_CSRF"),
        cookie_domain=get("COOKIE_DOMAIN"),
        cookie_secure=get("COOKIE_SECURE"),
        cookie_same_site=get("COOKIE_SAME_SITE"),
        cookie_prefixes=bool(get("COOKIE_PREFIXES")),
        allow_secure_loopback_http=bool(get("ALLOW_SECURE_LOOPBACK_HTTP")),
        refresh_path=str(get("REFRESH_PATH")),
        signout_path=str(get("SIGNOUT_PATH")),
    )
