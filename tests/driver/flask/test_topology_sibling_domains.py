"""Topology 2 (sibling subdomains sharing `Domain=example.test`), through Flask's test
client, whose cookie jar matches domains as browsers do (the real-server suites run on
127.0.0.1, where no Domain can be shared)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from tests.driver.flask.apps import GuardedApp, build_app
from tests.support.core_process import CoreProcess

API = "https://api.example.test"
AUTH = "https://auth.example.test"  # the refresh endpoint on a sibling host
WEBSITE = "https://app.example.test"


@pytest.fixture
def sibling_app(core: CoreProcess) -> Iterator[GuardedApp]:
    built = build_app(
        core, API, website_origin=WEBSITE, cookie_domain="example.test", anti_csrf="custom_header"
    )
    yield built
    built.stop()


def test_sibling_subdomains_share_session_cookies_and_check_origins(
    sibling_app: GuardedApp,
) -> None:
    http: FlaskClient = sibling_app.app.test_client()
    login = http.post("/login", json={"user_id": "topology-2"}, base_url=API)
    set_cookies = login.headers.getlist("Set-Cookie")
    assert sorted(h.split("=", 1)[0] for h in set_cookies) == [
        "__Secure-sc_at",
        "__Secure-sc_front",
        "__Secure-sc_rt",
    ]
    assert all("; Domain=example.test;" in h and "SameSite=Lax" in h for h in set_cookies)
    page = {"origin": WEBSITE, "sec-fetch-site": "same-site", "sc-requested-with": "fetch"}
    # The website's scripts call the API and the auth host with the shared cookies.
    assert http.post("/me", headers=page, base_url=API).json["user_id"] == "topology-2"
    assert http.post("/auth/refresh", headers=page, base_url=AUTH).status_code == 200
    foreign = page | {"origin": "https://evil.example"}
    refused = http.post("/auth/refresh", headers=foreign, base_url=AUTH)
    assert (refused.status_code, refused.json["reason"]) == (401, "anti_csrf")
    assert refused.headers.getlist("Set-Cookie") == []
