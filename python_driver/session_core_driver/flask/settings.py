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
| SESSION_CORE_REVOCATION_FAIL_CLOSED  | False              | ask the core while the feed is down  |
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

from flask import Flask

from session_core_driver.web.settings import DEFAULTS, CoreSettings, Settings, build_settings

PREFIX = "SESSION_CORE_"

__all__ = ["DEFAULTS", "PREFIX", "CoreSettings", "Settings", "read_settings"]


def read_settings(app: Flask, *, need_api_key: bool) -> Settings:
    """Seed the defaults into `app.config` and build the settings from it.

    Raises WebConfigError for a missing API origin (or API key, when the extension
    builds its own client) and for any web setting a browser would reject.
    """
    for key, value in DEFAULTS.items():
        app.config.setdefault(PREFIX + key, value)
    return build_settings(
        lambda key: app.config[PREFIX + key], lambda key: PREFIX + key, need_api_key=need_api_key
    )
