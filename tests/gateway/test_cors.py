"""CORS: an exact origin allow-list with credentials; every other origin, lookalikes
included, gets no CORS header and its preflights are refused (case A37)."""

from __future__ import annotations

import httpx
import pytest

from session_core_driver.web import names
from tests.gateway.conftest import Deployment, StartDeployment

WEBSITE = "http://app.example.com"
IPV6_SITE = "http://[::1]:8000"  # brackets: a regex to Flask-CORS if passed as a string
EVIL = "https://evil.example"
LOOKALIKES = [
    "http://app.example.com.evil.test",
    "http://xapp.example.com",
    "http://app.example.com:8080",
    "https://app.example.com",
    "http://1:8000",  # what "http://[::1]:8000" matches when read as a regex
    "null",
]
GETS = ["/session.js", "/.well-known/jwks.json"]


@pytest.fixture
def deployment(gateway: StartDeployment) -> Deployment:
    return gateway(
        website_origin=WEBSITE,
        allowed_origins=(IPV6_SITE,),
        anti_csrf="token",
        allow_secure_loopback_http=True,  # cross-site cookies need Secure; loopback API
    )


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


def preflight(http: httpx.Client, origin: str, header: str) -> httpx.Response:
    return http.options(
        "/auth/refresh",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": header,
        },
    )


def assert_not_shared(response: httpx.Response) -> None:
    """Nothing that lets the page read the answer (the driver's own session answers list
    their exposed headers whatever the origin; without Allow-Origin that grants nothing)."""
    shared = {"access-control-allow-origin", "access-control-allow-credentials"}
    assert not shared & set(cors_headers(response))
    assert "origin" in [v.strip().lower() for v in response.headers["vary"].split(",")]


def assert_refused(http: httpx.Client, origin: str) -> None:
    for path in GETS:
        response = http.get(path, headers={"Origin": origin})
        assert response.status_code == 200
        assert cors_headers(response) == {}, (origin, path)
        assert_not_shared(response)
    cookie = {"Cookie": "sc_rt=whatever; sc_at=whatever"}
    refresh = http.post("/auth/refresh", headers={"Origin": origin, **cookie})
    assert refresh.json()["reason"] == "anti_csrf"  # the driver's Origin check, too
    assert_not_shared(refresh)
    for header in (names.ANTI_CSRF, names.CUSTOM_HEADER):
        denied = preflight(http, origin, header)
        assert denied.status_code == 403, (origin, header)
        assert denied.json() == {"message": "preflight denied", "reason": "origin_not_allowed"}
        assert cors_headers(denied) == {}, (origin, header)


def test_A37_a_foreign_origin_gets_no_cors_headers_and_its_preflight_is_denied(
    deployment: Deployment,
) -> None:
    with deployment.server.client() as http:
        assert_refused(http, EVIL)


@pytest.mark.parametrize("origin", LOOKALIKES)
def test_A37_lookalike_origins_are_refused(deployment: Deployment, origin: str) -> None:
    with deployment.server.client() as http:
        assert_refused(http, origin)


@pytest.mark.parametrize("origin", [WEBSITE, IPV6_SITE])
def test_A37_an_allowed_origin_gets_the_exact_echo_with_credentials(
    deployment: Deployment, origin: str
) -> None:
    with deployment.server.client() as http:
        allowed = preflight(http, origin, f"{names.ANTI_CSRF}, content-type")
        refresh = http.post("/auth/refresh", headers={"Origin": origin})
        script = http.get("/session.js", headers={"Origin": origin})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == origin
    assert allowed.headers["access-control-allow-credentials"] == "true"
    allowed_headers = allowed.headers["access-control-allow-headers"].lower()
    assert {names.ANTI_CSRF, "content-type"} <= set(allowed_headers.replace(" ", "").split(","))
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert allowed.headers["access-control-max-age"] == "600"
    for response in (refresh, script):
        assert response.headers["access-control-allow-origin"] == origin
        assert response.headers["access-control-allow-credentials"] == "true"
        exposed = response.headers["access-control-expose-headers"].replace(" ", "").split(",")
        assert sorted(h.lower() for h in exposed) == sorted((*names.EXPOSED, "retry-after"))
        assert "origin" in [v.strip().lower() for v in response.headers["vary"].split(",")]
    assert refresh.status_code == 401 and refresh.json()["reason"] == "no_session"


def test_every_answer_has_one_vary_and_one_expose_header_each_name_once(
    deployment: Deployment,
) -> None:
    with deployment.server.client() as http:
        answers = [
            http.get(path, headers={"Origin": origin})
            for path in (*GETS, "/health", "/nowhere")
            for origin in (WEBSITE, EVIL)
        ]
        answers += [http.post("/auth/refresh", headers={"Origin": WEBSITE})]
        answers += [preflight(http, WEBSITE, names.ANTI_CSRF), preflight(http, EVIL, "x")]
    for response in answers:
        varies = response.headers.get_list("vary")
        assert len(varies) == 1, (response.request.url, varies)
        items = [item.strip().lower() for item in varies[0].split(",")]
        assert "origin" in items and len(items) == len(set(items)), varies
        exposes = response.headers.get_list("access-control-expose-headers")
        assert len(exposes) <= 1, (response.request.url, exposes)
        if exposes:
            items = [item.strip().lower() for item in exposes[0].split(",")]
            assert len(items) == len(set(items)), exposes


def test_an_accepted_preflight_is_empty_and_not_html(deployment: Deployment) -> None:
    with deployment.server.client() as http:
        allowed = preflight(http, WEBSITE, names.ANTI_CSRF)
    assert allowed.status_code == 200
    assert allowed.content == b""
    assert "content-type" not in allowed.headers


def test_a_429_exposes_retry_after_to_an_allowed_origin(gateway: StartDeployment) -> None:
    deployment = gateway(
        website_origin=WEBSITE,
        anti_csrf="token",
        allow_secure_loopback_http=True,
        gateway_refresh_limit="1 per minute",
    )
    with deployment.server.client() as http:
        http.post("/auth/refresh", headers={"Origin": WEBSITE})
        limited = http.post("/auth/refresh", headers={"Origin": WEBSITE})
    assert limited.status_code == 429
    assert limited.headers["access-control-allow-origin"] == WEBSITE
    exposed = limited.headers["access-control-expose-headers"].lower().replace(" ", "")
    assert "retry-after" in exposed.split(",")
    assert int(limited.headers["retry-after"]) >= 1
