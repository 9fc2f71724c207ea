"""Origin and Sec-Fetch-Site checks on state-changing cookie requests."""

from __future__ import annotations

import pytest

from session_core_driver.web import WebConfig, WebRequest
from session_core_driver.web.csrf import cross_site_check_passes

CONFIG = WebConfig(
    api_origin="https://api.example.com",
    website_origin="https://app.example.com",
    allowed_origins=("https://admin.example.com",),
    anti_csrf="none",
)


def request(method: str = "POST", **headers: str) -> WebRequest:
    items = [(k.replace("_", "-"), v) for k, v in headers.items()]
    return WebRequest.build(method, "/x", items, {"sc_at": "t"})


@pytest.mark.parametrize(
    "origin", ["https://app.example.com", "https://api.example.com", "https://admin.example.com"]
)
def test_allowed_origins_pass(origin: str) -> None:
    assert cross_site_check_passes(CONFIG, request(Origin=origin, Sec_Fetch_Site="cross-site"))


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "null", "http://app.example.com", "not an origin"]
)
def test_other_origins_fail(origin: str) -> None:
    assert not cross_site_check_passes(CONFIG, request(Origin=origin))


def test_without_origin_sec_fetch_site_decides() -> None:
    assert not cross_site_check_passes(CONFIG, request(Sec_Fetch_Site="cross-site"))
    assert cross_site_check_passes(CONFIG, request(Sec_Fetch_Site="same-origin"))
    assert cross_site_check_passes(CONFIG, request())  # no browser: curl, a server


def test_safe_methods_are_not_checked() -> None:
    assert cross_site_check_passes(CONFIG, request("GET", Origin="https://evil.example"))


@pytest.mark.parametrize(
    ("mode", "header"), [("token", "sc-anti-csrf"), ("custom_header", "sc-requested-with")]
)
def test_modes_require_their_header(mode: str, header: str) -> None:
    config = WebConfig(api_origin="https://example.com", anti_csrf=mode)  # type: ignore[arg-type]
    assert not cross_site_check_passes(config, request())
    bare = WebRequest.build("POST", "/x", [(header, "1")], {"sc_at": "t"})
    assert cross_site_check_passes(config, bare)


def test_header_transport_is_never_checked() -> None:
    config = WebConfig(api_origin="https://example.com", transport="header")
    assert cross_site_check_passes(config, request(Origin="https://evil.example"))
