"""The refresh view's rate limit, per client address; X-Forwarded-For counts only
behind trusted proxies."""

from __future__ import annotations

import httpx

from tests.gateway.conftest import StartDeployment

LIMIT = "3 per minute"
ALLOWED = 3


def refresh_from(http: httpx.Client, forwarded_for: str) -> httpx.Response:
    return http.post("/auth/refresh", headers={"X-Forwarded-For": forwarded_for})


def assert_rate_limited(response: httpx.Response) -> None:
    assert response.status_code == 429
    assert response.json() == {"message": "too many requests", "reason": "rate_limited"}
    assert 1 <= int(response.headers["retry-after"]) <= 61  # the window, rounded up
    assert response.headers["cache-control"] == "no-store"


def test_rate_limit_refuses_the_fourth_refresh_and_ignores_x_forwarded_for_by_default(
    gateway: StartDeployment,
) -> None:
    deployment = gateway(gateway_refresh_limit=LIMIT)
    with deployment.server.client() as http:
        preflight = {"Origin": deployment.server.url, "Access-Control-Request-Method": "POST"}
        for _ in range(ALLOWED + 1):  # preflights do not count
            assert http.options("/auth/refresh", headers=preflight).status_code == 200
        answers = [refresh_from(http, f"203.0.113.{n}") for n in range(ALLOWED)]
        assert [r.status_code for r in answers] == [401] * ALLOWED  # no session: refused
        # Another X-Forwarded-For is no other client when no proxy is trusted.
        assert_rate_limited(refresh_from(http, "198.51.100.7"))
        assert_rate_limited(http.post("/auth/refresh"))
        # Only the refresh view is limited.
        assert http.post("/auth/signout").status_code == 401
        assert http.get("/health").status_code == 200


def test_rate_limit_behind_a_trusted_proxy_counts_each_forwarded_client(
    gateway: StartDeployment,
) -> None:
    deployment = gateway(gateway_refresh_limit=LIMIT, gateway_trusted_proxies=1)
    with deployment.server.client() as http:
        answers = [refresh_from(http, "203.0.113.1") for _ in range(ALLOWED)]
        assert [r.status_code for r in answers] == [401] * ALLOWED
        assert_rate_limited(refresh_from(http, "203.0.113.1"))
        other = refresh_from(http, "198.51.100.7")
        assert other.status_code == 401 and other.json()["reason"] == "no_session"
        # A client prepending its own address: the trusted proxy's entry (last) still counts.
        assert_rate_limited(refresh_from(http, "198.51.100.99, 203.0.113.1"))
