"""Settings the gateway refuses at start, each error naming its key; the public API."""

from __future__ import annotations

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
    ],
)
def test_bad_settings_are_refused_at_start_naming_the_key(key: str, value: Any) -> None:
    with pytest.raises(WebConfigError) as raised:
        create_gateway({**BASE, key: value})
    assert raised.value.setting == key
    assert key in str(raised.value)


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
