"""WebConfig: derived SameSite/Secure/prefixes, and every configuration browsers would reject.

Each refused configuration must fail at construction with a WebConfigError naming the
setting and saying what to change.
"""

from __future__ import annotations

from typing import Any

import pytest

from session_core_driver.web import WebConfig, WebConfigError


def refused(**settings: Any) -> WebConfigError:
    with pytest.raises(WebConfigError) as caught:
        WebConfig(**settings)
    return caught.value


# (website origin, API origin, SameSite derived); "none" over plain http is refused.
B10_PAIRS = [
    ("http://localhost:5173", "http://localhost:3001", "lax"),  # same host, other port
    ("http://127.0.0.1:5173", "http://localhost:3001", "none"),  # two different sites
    ("https://a.example.com", "https://b.example.com", "lax"),  # one registrable domain
    ("https://example.com", "https://example.org", "none"),
    ("http://example.com", "https://example.com", "none"),  # schemes differ
    ("https://example.com", "http://example.com", "none"),
    ("https://app.example.co.uk", "https://api.example.co.uk", "lax"),
    ("https://a.github.io", "https://b.github.io", "none"),  # github.io is a public suffix
]


@pytest.mark.parametrize(("website", "api", "expected"), B10_PAIRS)
def test_B10_same_site_is_lax_only_for_one_registrable_domain_and_scheme(
    website: str, api: str, expected: str
) -> None:
    secure_api = api.startswith("https://")
    if expected == "none" and not secure_api:
        error = refused(api_origin=api, website_origin=website)
        assert error.setting == "cookie_same_site"
        assert "must be Secure" in str(error) and "https" in str(error)
        return
    config = WebConfig(api_origin=api, website_origin=website)
    assert config.same_site == expected
    assert config.secure == secure_api


def test_B10_loopback_development_exemption_marks_cookies_secure() -> None:
    config = WebConfig(
        api_origin="http://localhost:3001",
        website_origin="http://127.0.0.1:5173",
        allow_secure_loopback_http=True,
    )
    assert (config.same_site, config.secure) == ("none", True)
    assert config.access_token_cookie_name == "sc_at"  # no prefixes over plain http
    assert config.anti_csrf_mode == "token"


def test_B10_the_exemption_applies_to_loopback_hosts_only() -> None:
    error = refused(
        api_origin="http://api.example.com",
        website_origin="http://app.example.org",
        allow_secure_loopback_http=True,
    )
    assert error.setting == "cookie_same_site"


def test_explicit_same_site_none_without_secure_is_refused() -> None:
    error = refused(api_origin="http://localhost:3001", cookie_same_site="none")
    assert error.setting == "cookie_same_site"
    assert "SameSite=None" in str(error) and "Secure" in str(error)


def test_explicit_lax_for_a_cross_site_website_is_refused() -> None:
    error = refused(
        api_origin="https://api.example.com",
        website_origin="https://example.org",
        cookie_same_site="lax",
    )
    assert error.setting == "cookie_same_site"
    assert "different sites" in str(error)


def test_secure_cookies_from_a_plain_http_api_are_refused() -> None:
    error = refused(api_origin="http://api.example.com", cookie_secure=True)
    assert error.setting == "cookie_secure"
    assert "https" in str(error)


def test_host_prefix_with_a_domain_is_refused() -> None:
    error = refused(
        api_origin="https://api.example.com",
        cookie_domain="example.com",
        access_token_cookie="__Host-at",
    )
    assert error.setting == "access_token_cookie"
    assert "cannot have a Domain" in str(error) and "remove cookie_domain" in str(error)


def test_prefixed_names_without_secure_are_refused() -> None:
    for name in ("__Host-at", "__Secure-at"):
        error = refused(api_origin="http://localhost:8000", access_token_cookie=name)
        assert error.setting == "access_token_cookie"
        assert "Secure" in str(error)


def test_host_prefix_on_the_refresh_cookie_is_refused_for_its_path() -> None:
    error = refused(api_origin="https://example.com", refresh_token_cookie="__Host-rt")
    assert error.setting == "refresh_token_cookie"
    assert "Path=/" in str(error)


@pytest.mark.parametrize(
    ("domain", "api"),
    [
        ("com", "https://api.example.com"),
        ("co.uk", "https://api.example.co.uk"),
        ("github.io", "https://me.github.io"),
        ("localhost", "http://localhost:8000"),
    ],
)
def test_a_public_suffix_as_cookie_domain_is_refused(domain: str, api: str) -> None:
    error = refused(api_origin=api, cookie_domain=domain)
    assert error.setting == "cookie_domain"
    assert "public suffix" in str(error) and "registrable domain" in str(error)


@pytest.mark.parametrize("domain", ["example.org", "other.example.com", "ample.com"])
def test_a_domain_not_covering_the_api_host_is_refused(domain: str) -> None:
    error = refused(api_origin="https://api.example.com", cookie_domain=domain)
    assert error.setting == "cookie_domain"
    assert "does not cover the API host" in str(error)


def test_an_ip_address_as_cookie_domain_is_refused() -> None:
    error = refused(api_origin="http://127.0.0.1:8000", cookie_domain="127.0.0.1")
    assert error.setting == "cookie_domain"
    assert "IP address" in str(error)


def test_anti_csrf_none_with_cross_site_cookies_is_refused() -> None:
    error = refused(
        api_origin="https://api.example.com", website_origin="https://example.org", anti_csrf="none"
    )
    assert error.setting == "anti_csrf"


@pytest.mark.parametrize(
    ("settings", "setting"),
    [
        ({"api_origin": "https://example.com/app"}, "api_origin"),
        ({"api_origin": "ftp://example.com"}, "api_origin"),
        ({"api_origin": "example.com"}, "api_origin"),
        ({"api_origin": "https://a.com", "website_origin": "https://a.com/x"}, "website_origin"),
        ({"api_origin": "https://a.com", "allowed_origins": ("nope",)}, "allowed_origins"),
        ({"api_origin": "https://a.com", "allowed_origins": "https://b.com"}, "allowed_origins"),
        ({"api_origin": "https://a.com", "transport": "smoke"}, "transport"),
        ({"api_origin": "https://a.com", "anti_csrf": "maybe"}, "anti_csrf"),
        ({"api_origin": "https://a.com", "cookie_same_site": "Lax"}, "cookie_same_site"),
        ({"api_origin": "https://a.com", "refresh_path": "auth/refresh"}, "refresh_path"),
        ({"api_origin": "https://a.com", "refresh_path": "/a;b"}, "refresh_path"),
        ({"api_origin": "https://a.com", "signout_path": "/auth/refresh"}, "signout_path"),
        ({"api_origin": "https://a.com", "access_token_cookie": "a b"}, "access_token_cookie"),
        ({"api_origin": "https://a.com", "front_token_cookie": ""}, "front_token_cookie"),
    ],
)
def test_malformed_settings_are_refused_naming_the_setting(
    settings: dict[str, Any], setting: str
) -> None:
    assert refused(**settings).setting == setting


def test_topology_1_over_https_uses_host_and_secure_prefixes() -> None:
    config = WebConfig(api_origin="https://example.com")
    assert (config.secure, config.same_site, config.domain) == (True, "lax", None)
    assert config.access_token_cookie_name == "__Host-sc_at"
    assert config.refresh_token_cookie_name == "__Secure-sc_rt"
    assert config.front_token_cookie_name == "__Host-sc_front"
    assert config.anti_csrf_mode == "custom_header"


def test_topology_2_sibling_subdomains_share_a_parent_domain() -> None:
    config = WebConfig(
        api_origin="https://api.example.com",
        website_origin="https://app.example.com",
        cookie_domain=".Example.COM",
    )
    assert (config.domain, config.same_site) == ("example.com", "lax")
    # __Host- forbids a Domain, so every cookie takes __Secure- instead.
    assert config.access_token_cookie_name == "__Secure-sc_at"
    assert config.refresh_token_cookie_name == "__Secure-sc_rt"
    assert config.front_token_cookie_name == "__Secure-sc_front"
    assert "https://app.example.com" in config.origins


def test_topology_3_header_transport_needs_no_cookie_rules() -> None:
    config = WebConfig(
        api_origin="http://api.example.com",
        website_origin="http://app.other.org",
        transport="header",
    )
    assert config.transport == "header"
    assert not config.sessions_need_anti_csrf


def test_plain_http_same_site_keeps_plain_names() -> None:
    config = WebConfig(api_origin="http://localhost:5000")
    assert (config.secure, config.same_site) == (False, "lax")
    assert config.access_token_cookie_name == "sc_at"


def test_prefixes_can_be_turned_off() -> None:
    config = WebConfig(api_origin="https://example.com", cookie_prefixes=False)
    assert config.access_token_cookie_name == "sc_at"
    assert config.refresh_token_cookie_name == "sc_rt"


def test_allowed_origins_are_normalised() -> None:
    config = WebConfig(
        api_origin="https://API.example.com:443", allowed_origins=("https://admin.example.com/",)
    )
    assert config.origins == {"https://api.example.com", "https://admin.example.com"}


def test_token_mode_sessions_are_created_with_anti_csrf() -> None:
    assert WebConfig(api_origin="https://example.com", anti_csrf="token").sessions_need_anti_csrf
    assert not WebConfig(api_origin="https://example.com").sessions_need_anti_csrf
