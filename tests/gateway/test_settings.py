"""Settings the gateway refuses at start, each error naming its key; the public API."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

import session_core_gateway
from session_core_driver.web import WebConfigError
from session_core_gateway import create_gateway
from session_core_gateway.settings import GatewaySettings, read_gateway_settings

BASE = {
    "SESSION_CORE_TARGET": "127.0.0.1:1",
    "SESSION_CORE_API_KEY": "sck_unused",
    "SESSION_CORE_API_ORIGIN": "https://api.example.com",
    "SESSION_CORE_REVOCATION_FEED": False,
}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("SESSION_CORE_ALLOWED_ORIGINS", ("https://app.example.com", "*")),
        ("SESSION_CORE_ALLOWED_ORIGINS", "*"),
        ("SESSION_CORE_WEBSITE_ORIGIN", "*"),
        ("SESSION_CORE_GATEWAY_REFRESH_LIMIT", "lots per minute"),
        ("SESSION_CORE_GATEWAY_REFRESH_LIMIT", ";"),
        ("SESSION_CORE_GATEWAY_TRUSTED_PROXIES", -1),
        ("SESSION_CORE_GATEWAY_TRUSTED_PROXIES", "one"),
        ("SESSION_CORE_GATEWAY_CORS_MAX_AGE", -5),
        ("SESSION_CORE_GATEWAY_RATE_LIMIT_STORAGE", "nowhere"),
        ("SESSION_CORE_GATEWAY_RATE_LIMIT_STORAGE", "carrier-pigeon://loft"),
        ("SESSION_CORE_REFRESH_PATH", "/health"),
        ("SESSION_CORE_REFRESH_PATH", "/.well-known/jwks.json"),
        ("SESSION_CORE_SIGNOUT_PATH", "/session.js"),
        ("SESSION_CORE_SIGNOUT_PATH", "/health/"),
        ("SESSION_CORE_TIMEOUT", "soon"),
        ("SESSION_CORE_TIMEOUT", "0"),
        ("SESSION_CORE_CHANNELS", "0"),
        ("SESSION_CORE_CHANNELS", "1e9"),
        ("SESSION_CORE_LEEWAY", "-30"),
        ("SESSION_CORE_API_KEY", "sck_line\nbreak"),
        ("SESSION_CORE_API_KEY", "sck_ключ"),
    ],
)
def test_bad_settings_are_refused_at_start_naming_the_key(key: str, value: Any) -> None:
    with pytest.raises(WebConfigError) as raised:
        create_gateway({**BASE, key: value})
    assert raised.value.setting == key
    assert key in str(raised.value)


def test_a_path_on_a_gateway_route_is_refused_saying_which_routes_are_taken() -> None:
    with pytest.raises(WebConfigError) as raised:
        create_gateway({**BASE, "SESSION_CORE_REFRESH_PATH": "/health"})
    assert "/session.js" in raised.value.message and "/auth/refresh" in raised.value.message
    # Paths beside the gateway's routes are fine.
    create_gateway({**BASE, "SESSION_CORE_REFRESH_PATH": "/health-refresh"})


def test_a_wildcard_origin_is_refused_with_a_message_saying_what_to_do() -> None:
    with pytest.raises(WebConfigError) as raised:
        create_gateway({**BASE, "SESSION_CORE_ALLOWED_ORIGINS": "*"})
    assert "list each origin exactly" in raised.value.message


def test_gateway_settings_from_strings_as_the_environment_gives_them() -> None:
    settings = read_gateway_settings(
        {
            "SESSION_CORE_GATEWAY_TRUSTED_PROXIES": "2",
            "SESSION_CORE_GATEWAY_REFRESH_LIMIT": "10/second;300/hour",
            "SESSION_CORE_GATEWAY_CORS_MAX_AGE": "",
        }
    )
    assert settings == GatewaySettings(2, "10/second;300/hour", "memory://", 600)
    assert read_gateway_settings({}) == GatewaySettings(0, "60 per minute", "memory://", 600)


def test_the_public_api_is_small_and_sorted() -> None:
    assert session_core_gateway.__all__ == ["SESSION_JS_PATH", "create_gateway"]
    assert session_core_gateway.__all__ == sorted(session_core_gateway.__all__)


def test_session_js_path_imports_with_flask_only() -> None:
    # The `flask` extra has neither Flask-CORS nor Flask-Limiter (nor limits): the example
    # app imports SESSION_JS_PATH with only that extra installed.
    code = (
        "import sys\n"
        "for name in ('flask_cors', 'flask_limiter', 'limits'):\n"
        "    sys.modules[name] = None\n"
        "from session_core_gateway.assets import SESSION_JS_PATH\n"
        "from session_core_gateway import SESSION_JS_PATH as again\n"
        "assert SESSION_JS_PATH == again and SESSION_JS_PATH.is_file()\n"
        "assert 'session_core_gateway.app' not in sys.modules\n"
        "try:\n"
        "    from session_core_gateway import create_gateway\n"
        "except ImportError:\n"
        "    print('create_gateway needs the gateway extra')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "create_gateway needs the gateway extra\n"


def test_create_gateway_is_still_importable_from_the_package() -> None:
    from session_core_gateway.app import create_gateway as defined

    assert session_core_gateway.create_gateway is defined
    with pytest.raises(AttributeError):
        session_core_gateway.no_such_name  # noqa: B018
