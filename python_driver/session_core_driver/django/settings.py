"""The Django app's settings: one dict, `settings.SESSION_CORE`, read once at start-up.

    SESSION_CORE = {
        "TARGET": "127.0.0.1:7380",          # the core's gRPC address
        "API_KEY": "sck_...",                # required: one of the core's API keys
        "API_ORIGIN": "https://example.com", # required: where this app is served
    }

The keys and defaults are the Flask extension's without the `SESSION_CORE_` prefix
(`TIMEOUT`, `CHANNELS`, `ISSUER`, `AUDIENCE`, `LEEWAY`, `REVOCATION_FEED`,
`CHECK_DATABASE`, `WEBSITE_ORIGIN`, `ALLOWED_ORIGINS`, `TRANSPORT`, `ANTI_CSRF`,
`COOKIE_DOMAIN`, `COOKIE_SECURE`, `COOKIE_SAME_SITE`, `COOKIE_PREFIXES`,
`ALLOW_SECURE_LOOPBACK_HTTP`, `REFRESH_PATH`, `SIGNOUT_PATH`); `MOUNT_VIEWS` has no
meaning here (include `session_core_driver.django.urls` yourself). A missing or unknown
key, or a value a browser would reject, raises ImproperlyConfigured naming the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from session_core_driver.web.errors import WebConfigError
from session_core_driver.web.settings import DEFAULTS, Settings, build_settings

SETTING = "SESSION_CORE"


def key_name(key: str) -> str:
    return f'{SETTING}["{key}"]'


def configured_options() -> Mapping[str, Any]:
    """`settings.SESSION_CORE`, or ImproperlyConfigured when it is missing or not a dict."""
    options = getattr(django_settings, SETTING, None)
    if not isinstance(options, Mapping):
        raise ImproperlyConfigured(
            f"{SETTING}: set it to a dict with at least API_KEY and API_ORIGIN"
        )
    return options


def read_settings(options: Mapping[str, Any], *, need_api_key: bool = True) -> Settings:
    """Validate `options` (SESSION_CORE) over the defaults; ImproperlyConfigured if bad."""
    unknown = sorted(str(key) for key in options if key not in DEFAULTS)
    if unknown:
        raise ImproperlyConfigured(
            f"{key_name(unknown[0])}: unknown setting; the settings are {', '.join(DEFAULTS)}"
        )
    values = {**DEFAULTS, **options}
    try:
        return build_settings(values.__getitem__, key_name, need_api_key=need_api_key)
    except WebConfigError as exc:
        setting = exc.setting if exc.setting.startswith(SETTING) else key_name(exc.setting.upper())
        raise ImproperlyConfigured(f"{setting}: {exc.message}") from exc
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"{SETTING}: {exc}") from exc
